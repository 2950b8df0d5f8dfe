// t-SNE of Fashion-MNIST test images, as the tutorial: the first --n images (pixels
// scaled to [0, 1]), perplexity 30, PCA init, 1,000 iterations; writes the 2-D
// embedding with labels as CSV and reports the final KL divergence, the 10-NN
// leave-one-out label accuracy in the embedding and the time taken. --plot DIR draws the
// embedding coloured by label (tsne.png, and tsne.html to hover and hide classes where
// Plotly.js is installed) and the pixel-space distance matrix with the images sorted by
// label (tsne_distances.png: the classes t-SNE separates show as darker blocks).
//
//   soma example tsne [--n 1000] [--method auto|fft|barnes_hut|exact] [--out tsne.csv] [--json]
//                     [--plot DIR]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "registry.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/system.hpp"
#include "soma/data/idx.hpp"
#include "soma/embed/tsne.hpp"
#include "soma/plot/figure.hpp"

namespace {

namespace embed = soma::embed;

struct Options {
  soma::cli::ExampleOptions common;
  int64_t n = 1000;
  std::string method = "auto";  // fft from 100,000 images, Barnes-Hut below
  double perplexity = 30.0;
  std::string out = "tsne_fashion.csv";
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
};

const std::vector<std::string> kClassNames = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                              "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                              "Bag",         "Ankle boot"};

// Euclidean distances between at most `limit` images (evenly spaced), ordered by label.
struct SortedDistances {
  std::vector<double> d;  // m x m, row-major
  size_t m = 0;
};
SortedDistances sorted_distances(const std::vector<float>& pixels, int64_t n, int64_t dim,
                                 const std::vector<int64_t>& labels, size_t limit) {
  std::vector<size_t> pick;
  const size_t count = std::min<size_t>(size_t(n), limit);
  for (size_t k = 0; k < count; ++k) pick.push_back(k * size_t(n) / count);
  std::stable_sort(pick.begin(), pick.end(),
                   [&](size_t a, size_t b) { return labels[a] < labels[b]; });
  SortedDistances r{std::vector<double>(count * count, 0.0), count};
  for (size_t a = 0; a < count; ++a)
    for (size_t b = a + 1; b < count; ++b) {
      const float* p = &pixels[pick[a] * size_t(dim)];
      const float* q = &pixels[pick[b] * size_t(dim)];
      double sum = 0;
      for (int64_t k = 0; k < dim; ++k) sum += double(p[k] - q[k]) * double(p[k] - q[k]);
      r.d[a * count + b] = r.d[b * count + a] = std::sqrt(sum);
    }
  return r;
}

std::vector<std::string> plot_figures(const std::vector<double>& embedding,
                                      const std::vector<int64_t>& labels,
                                      const std::vector<float>& pixels, int64_t n, int64_t dim,
                                      const std::filesystem::path& dir) {
  namespace plot = soma::plot;
  std::filesystem::create_directories(dir);
  std::vector<double> x, y;
  for (int64_t i = 0; i < n; ++i) x.push_back(embedding[2 * i]), y.push_back(embedding[2 * i + 1]);
  plot::Figure scatter({.width = 900,
                        .height = 750,
                        .title = "t-SNE of " + std::to_string(n) + " Fashion-MNIST test images"});
  auto& ax = scatter.axes();
  ax.xlabel = "t-SNE 1";
  ax.ylabel = "t-SNE 2";
  ax.scatter(x, y, {.classes = labels, .class_names = kClassNames, .size = 3});
  std::vector<std::string> written{(dir / "tsne.png").string()};
  scatter.save(written.back());
  bool have_plotly = true;
  try {
    (void)plot::plotly_js_path();
  } catch (const soma::Error& e) {
    std::fprintf(stderr, "tsne: tsne.html not written: %s\n", e.what());
    have_plotly = false;
  }
  if (have_plotly) {
    written.push_back((dir / "tsne.html").string());
    scatter.save(written.back());
  }

  // 1,000 images keep the matrix (and gnuplot's input) to a million cells.
  const auto dist = sorted_distances(pixels, n, dim, labels, 1000);
  plot::Figure heat({.width = 820,
                     .height = 750,
                     .title = "Pixel distances, " + std::to_string(dist.m) +
                              " images sorted by label (0 = T-shirt ... 9 = Ankle boot)"});
  auto& h = heat.axes();
  h.xlabel = "image (sorted by label)";
  h.ylabel = "image (sorted by label)";
  h.grid = false;
  h.heatmap(dist.d, dist.m, dist.m, {.label = "Euclidean distance"});
  written.push_back((dir / "tsne_distances.png").string());
  heat.save(written.back());
  return written;
}

void run(const Options& opt) {
  const std::filesystem::path dir = opt.data_dir;
  const auto images = soma::data::read_idx(dir / "t10k-images-idx3-ubyte.gz");
  const auto labels_idx = soma::data::read_idx(dir / "t10k-labels-idx1-ubyte.gz");
  if (images.dims.size() != 3 || labels_idx.dims.size() != 1 ||
      images.dims[0] != labels_idx.dims[0])
    throw soma::Error(dir.string() + ": expected N x 28 x 28 images and N labels");
  const int64_t available = images.dims[0];
  if (opt.n < 2 || opt.n > available)
    throw soma::Error("--n " + std::to_string(opt.n) + ": expected 2 to " +
                      std::to_string(available) + " images");
  const int64_t d = images.dims[1] * images.dims[2];
  auto pixels = soma::data::idx_to_float(images);
  pixels.resize(static_cast<size_t>(opt.n * d));
  auto labels = soma::data::idx_to_labels(labels_idx);
  labels.resize(static_cast<size_t>(opt.n));

  embed::TSNE tsne{.perplexity = opt.perplexity,
                   .method = embed::parse_method(opt.method, opt.n),
                   .seed = opt.common.seed};
  if (opt.common.epochs > 0) tsne.max_iter = opt.common.epochs;
  soma::ProgressBar bar(tsne.max_iter, "t-SNE");
  tsne.on_iteration = [&](int, int) { bar.advance(); };
  soma::Stopwatch watch;
  const auto result = tsne.fit_transform(pixels, opt.n, d);
  const double seconds = watch.seconds();
  bar.finish();
  const double accuracy = embed::knn_accuracy(result.embedding, 2, labels, 10);

  std::string csv = "x,y,label\n";
  char line[96];
  for (int64_t i = 0; i < opt.n; ++i) {
    std::snprintf(line, sizeof line, "%.6g,%.6g,%lld\n", result.embedding[2 * i],
                  result.embedding[2 * i + 1], static_cast<long long>(labels[i]));
    csv += line;
  }
  soma::write_file_atomic(opt.out, csv);
  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty())
    figures = plot_figures(result.embedding, labels, pixels, opt.n, d, opt.common.plot_dir);

  if (opt.common.json) {
    soma::cli::print_json({{"n", opt.n},
                           {"method", embed::method_name(tsne.method)},
                           {"kl_divergence", result.kl_divergence},
                           {"knn_accuracy", accuracy},
                           {"embed_seconds", seconds},
                           {"n_iter", result.n_iter},
                           {"mean_perplexity", result.mean_perplexity},
                           {"out", opt.out},
                           {"figures", figures}});
  } else {
    std::printf("t-SNE of %lld Fashion-MNIST test images (784 pixels in [0, 1]), method %s\n",
                static_cast<long long>(opt.n), embed::method_name(tsne.method));
    std::printf("perplexity %.1f (achieved %.4f), learning rate %.1f, %d iterations\n",
                opt.perplexity, result.mean_perplexity, result.learning_rate, result.n_iter);
    std::printf("KL divergence %.4f, 10-NN label accuracy in 2-D %.4f, %.2f s\n",
                result.kl_divergence, accuracy, seconds);
    std::printf("embedding written to %s\n", opt.out.c_str());
    for (const auto& f : figures) std::printf("wrote %s\n", f.c_str());
  }
}

soma::cli::ExampleRegistrar reg(
    "tsne", "t-SNE of Fashion-MNIST images (KL, 10-NN accuracy)", [](CLI::App& app) {
      auto opt = std::make_shared<Options>();
      soma::cli::add_example_options(app, opt->common);
      app.add_option("--n", opt->n, "Number of test images")->capture_default_str();
      app.add_option("--method", opt->method, "auto, exact, barnes_hut or fft")
          ->capture_default_str();
      app.add_option("--perplexity", opt->perplexity, "Perplexity")->capture_default_str();
      app.add_option("--out", opt->out, "Embedding CSV (x,y,label)")->capture_default_str();
      app.add_option("--data", opt->data_dir, "Folder with the Fashion-MNIST IDX files")
          ->capture_default_str();
      app.callback([opt] { run(*opt); });
    });

}  // namespace
