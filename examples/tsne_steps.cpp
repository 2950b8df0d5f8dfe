// The tutorial's t-SNE "step by step", each stage with soma's public pieces
// (soma/embed/affinities.hpp, gradient.hpp), on the images tsne_data.hpp draws:
//  1. the distance matrix: pairwise_distances(X, metric='euclidean'), n x n;
//  2. the Student-t perplexities of its first row: x = distance_matrix[0, 1:],
//     P = t(df=1, scale=sigma).pdf(x) for sigma 1 and 10, perplexity 2**entropy(P).
//     (scipy's entropy is in nats, so this is 2**H_nats, not 2**H_bits nor e**H_nats:
//     the tutorial's own formula, kept so that its numbers can be compared);
//  3. the joint probabilities: _joint_probabilities(distances=distance_matrix,
//     desired_perplexity=30). The tutorial passes the euclidean distances where
//     scikit-learn's TSNE passes their squares, so its Gaussian kernel runs over
//     distances, not squared distances; kept as written. P is printed as its condensed
//     upper triangle (n(n-1)/2 entries, summing to 1/2) as the tutorial's p;
//  4. the initial embedding: 1e-4 * np.random.randn(n, 2).astype(np.float32), from the
//     same NumPy stream that drew the images, and its Student-t KL divergence;
//  5. _gradient_descent(_kl_divergence, ...) from iteration 0 to 1,000 with its defaults:
//     exact gradient, momentum 0.8, learning rate 200, no early exaggeration.
// Figures (--plot DIR): tsne_steps_distances.png (unsorted and sorted by label),
// tsne_steps_perplexity.png (histograms of the two P rows), tsne_steps_embedding.png.
// Reference: tests/reference/tsne_tutorial.py (scikit-learn 1.2).
#include "tsne_steps.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <vector>

#include "soma/cli/example.hpp"
#include "soma/core/progress.hpp"
#include "soma/embed/affinities.hpp"
#include "soma/embed/gradient.hpp"
#include "soma/plot/figure.hpp"
#include "tsne_data.hpp"

namespace soma::examples::tsne {
namespace {

namespace embed = soma::embed;
namespace plot = soma::plot;

// scipy.stats.t(df=1, loc=0, scale).pdf(x): the Cauchy density.
double t1_pdf(double x, double scale) {
  const double z = x / scale;
  return 1.0 / (std::numbers::pi * scale * (1.0 + z * z));
}

// 2**scipy.stats.entropy(p): p normalised, entropy in nats.
double tutorial_perplexity(const std::vector<double>& p) {
  double sum = 0, h = 0;
  for (double v : p) sum += v;
  for (double v : p)
    if (v > 0) h -= (v / sum) * std::log(v / sum);
  return std::pow(2.0, h);
}

std::vector<std::string> plot_steps(const std::vector<double>& dist, const Sample& s,
                                    const std::vector<double>& p01, const std::vector<double>& p10,
                                    double perp01, double perp10, const std::vector<double>& Y,
                                    const std::string& dir_name) {
  const std::filesystem::path dir = dir_name;
  std::filesystem::create_directories(dir);
  std::vector<std::string> written;
  auto save = [&](const plot::Figure& fig, const char* name) {
    written.push_back((dir / name).string());
    fig.save(written.back());
  };
  const auto n = size_t(s.n);
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return s.labels[a] < s.labels[b]; });
  std::vector<double> sorted(n * n);
  for (size_t a = 0; a < n; ++a)
    for (size_t b = 0; b < n; ++b) sorted[a * n + b] = dist[order[a] * n + order[b]];
  plot::Figure d({.rows = 1,
                  .cols = 2,
                  .width = 1400,
                  .height = 650,
                  .title = "Step 1: the euclidean distance matrix"});
  for (int c = 0; c < 2; ++c) {
    auto& ax = d.axes(0, c);
    ax.title = c == 0 ? "Unsorted" : "Sorted by Label";
    ax.xlabel = c == 0 ? "image" : "image (sorted by label)";
    ax.ylabel = ax.xlabel;
    ax.grid = false;
    ax.heatmap(c == 0 ? dist : sorted, n, n, {.colormap = "gray", .label = "distance"});
  }
  save(d, "tsne_steps_distances.png");

  plot::Figure h(
      {.width = 900, .height = 550, .title = "Step 2: Student-t (df 1) of distance_matrix[0, 1:]"});
  char l01[64], l10[64];
  std::snprintf(l01, sizeof l01, "sigma = 1; perplexity = %.4f", perp01);
  std::snprintf(l10, sizeof l10, "sigma = 10; perplexity = %.4f", perp10);
  auto& ha = h.axes();
  ha.xlabel = "P";
  ha.ylabel = "count";
  // Common bins for both rows, as the tutorial's `bins`.
  const auto [lo01, hi01] = std::minmax_element(p01.begin(), p01.end());
  const auto [lo10, hi10] = std::minmax_element(p10.begin(), p10.end());
  const plot::Range range{std::min(*lo01, *lo10), std::max(*hi01, *hi10)};
  ha.hist(p01, {.bins = 100, .range = range, .label = l01});
  ha.hist(p10, {.bins = 100, .range = range, .label = l10});
  save(h, "tsne_steps_perplexity.png");

  std::vector<double> x, y;
  for (size_t i = 0; i < n; ++i) x.push_back(Y[2 * i]), y.push_back(Y[2 * i + 1]);
  plot::Figure e({.width = 900,
                  .height = 750,
                  .title = "Step 5: gradient descent from a random init, no early exaggeration"});
  e.axes().xlabel = "tsne_1";
  e.axes().ylabel = "tsne_2";
  e.axes().scatter(x, y, {.classes = s.labels, .class_names = kClassNames, .size = 3});
  save(e, "tsne_steps_embedding.png");
  return written;
}

}  // namespace

void run_steps(const StepsOptions& o) {
  Sample s = load_sample(o.data_dir, o.n);
  const int64_t n = s.n;

  // 1. Distances (the tutorial's distance_matrix is euclidean, not squared).
  std::vector<double> dist = embed::pairwise_sq_distances(s.pixels.data(), n, s.dim);
  for (double& v : dist) v = std::sqrt(std::max(v, 0.0));
  double row0_mean = 0;
  for (int64_t j = 1; j < n; ++j) row0_mean += dist[size_t(j)];
  row0_mean /= double(n - 1);

  // 2. Student-t perplexities of row 0.
  std::vector<double> p01, p10;
  for (int64_t j = 1; j < n; ++j) {
    p01.push_back(t1_pdf(dist[size_t(j)], 1.0));
    p10.push_back(t1_pdf(dist[size_t(j)], 10.0));
  }
  const double perp01 = tutorial_perplexity(p01), perp10 = tutorial_perplexity(p10);

  // 3. Joint probabilities from the distances themselves, as the tutorial calls it.
  const auto cond = embed::conditional_probabilities(dist, n, n, o.perplexity);
  const auto P = embed::joint_probabilities(cond);
  double p_sum = 0, p_max = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) {
      const double v = P.p[size_t(i * n + j)];
      p_sum += v;
      p_max = std::max(p_max, v);
    }

  // 4. The initial embedding from NumPy's stream, in float32 as the tutorial casts it
  // (float32 times the Python float 1e-4 stays float32).
  std::vector<double> Y;
  for (int64_t i = 0; i < 2 * n; ++i)
    Y.push_back(double(float(s.stream.standard_normal()) * float(1e-4)));
  const std::vector<double> init_row{Y[0], Y[1]};
  std::vector<double> grad(Y.size());
  const double kl_init = embed::kl_divergence_exact(P, Y, 2, &grad);

  // 5. Gradient descent, _gradient_descent's defaults (progress checked every iteration).
  ProgressBar bar(1000, "t-SNE steps");
  const embed::DescentOptions descent{.first_iter = 0,
                                      .n_iter = 1000,
                                      .momentum = 0.8,
                                      .learning_rate = 200.0,
                                      .min_gain = 0.01,
                                      .min_grad_norm = 1e-7,
                                      .n_iter_check = 1,
                                      .n_iter_without_progress = 300};
  const auto done = embed::gradient_descent(
      [&](const std::vector<double>& y, std::vector<double>& g, bool error) {
        bar.advance();
        return embed::kl_divergence_exact(P, y, 2, &g, error);
      },
      Y, descent);
  bar.finish();
  const double accuracy = embed::knn_accuracy(Y, 2, s.labels, 10);

  std::vector<std::string> figures;
  if (!o.plot_dir.empty()) figures = plot_steps(dist, s, p01, p10, perp01, perp10, Y, o.plot_dir);
  for (const auto& f : figures) cli::wrote(f);
  if (o.json) {
    cli::print_json({{"n", n},
                     {"distance_shape", {n, n}},
                     {"distance_0_mean", row0_mean},
                     {"perplexity_01", perp01},
                     {"perplexity_10", perp10},
                     {"p_len", n * (n - 1) / 2},
                     {"p_sum", p_sum},
                     {"p_max", p_max},
                     {"mean_perplexity", cond.mean_perplexity()},
                     {"init_first_row", init_row},
                     {"kl_init", kl_init},
                     {"kl_final", done.kl_divergence},
                     {"iterations", done.last_iter},
                     {"knn_accuracy", accuracy},
                     {"figures", figures}});
    return;
  }
  std::printf("t-SNE step by step on %lld Fashion-MNIST images (the tutorial's draw)\n",
              static_cast<long long>(n));
  std::printf("1. distance matrix %lld x %lld; mean distance of image 0 to the others %.2f\n",
              static_cast<long long>(n), static_cast<long long>(n), row0_mean);
  std::printf(
      "2. Student-t (df 1) of distance_matrix[0, 1:]: perplexity 2**entropy(P) = "
      "%.4f at sigma 1, %.4f at sigma 10\n",
      perp01, perp10);
  std::printf(
      "3. joint probabilities at perplexity %.0f (achieved %.4f): p has %lld entries, "
      "sum %.6f, max %.4g\n",
      o.perplexity, cond.mean_perplexity(), static_cast<long long>(n * (n - 1) / 2), p_sum, p_max);
  std::printf("4. initial embedding 1e-4 * randn: first row (%.6g, %.6g); KL %.4f\n", init_row[0],
              init_row[1], kl_init);
  std::printf(
      "5. gradient descent (no early exaggeration), %d iterations: KL %.4f; "
      "10-NN label accuracy %.4f\n",
      done.last_iter, done.kl_divergence, accuracy);
}

}  // namespace soma::examples::tsne
