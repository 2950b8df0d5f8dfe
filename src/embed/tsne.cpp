// TSNE::fit_transform: the whole pipeline with sklearn 1.2's schedule.
#include "soma/embed/tsne.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "soma/core/error.hpp"
#include "soma/core/random.hpp"

namespace soma::embed {

namespace {
// sklearn's _EXPLORATION_N_ITER: iterations with early exaggeration and momentum 0.5.
constexpr int kExplorationIters = 250;
// The first `dims` columns of centred PCA scores (n x width), scaled so that the first
// has standard deviation std0, as pca_init.
std::vector<double> scores_init(const std::vector<float>& scores, int64_t n, int64_t width,
                                int dims, double std0) {
  std::vector<double> Y(static_cast<size_t>(n * dims));
  for (int64_t i = 0; i < n; ++i)
    for (int c = 0; c < dims; ++c) Y[i * dims + c] = scores[i * width + c];
  scale_first_column_std(Y, n, dims, std0);
  return Y;
}

// A number as a user would write it (0.01, not to_string's 0.010000).
std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

Method parse_method(const std::string& name) {
  if (name == "exact") return Method::exact;
  if (name == "barnes_hut" || name == "bh" || name == "barnes-hut") return Method::barnes_hut;
  if (name == "fft") return Method::fft;
  throw Error("method '" + name + "': expected exact, barnes_hut or fft");
}

Method parse_method(const std::string& name, int64_t n_points) {
  if (name == "auto") return n_points >= kAutoFftMin ? Method::fft : Method::barnes_hut;
  return parse_method(name);
}

const char* method_name(Method method) {
  switch (method) {
    case Method::exact:
      return "exact";
    case Method::barnes_hut:
      return "barnes_hut";
    case Method::fft:
      return "fft";
  }
  return "?";
}

TSNEResult TSNE::fit_transform(const float* X, int64_t n, int64_t d) const {
  if (metric != "euclidean") throw Error("metric '" + metric + "': only 'euclidean' is supported");
  if (n < 2 || d < 1)
    throw Error("t-SNE: expected at least 2 samples with at least 1 feature, got " +
                std::to_string(n) + " x " + std::to_string(d));
  if (!(perplexity > 0) || perplexity >= static_cast<double>(n))
    throw Error("perplexity = " + std::to_string(perplexity) +
                ": must be positive and less than the number of samples (" + std::to_string(n) +
                ")");
  if (method != Method::exact && n_components != 2)
    throw Error("n_components = " + std::to_string(n_components) + ": method '" +
                method_name(method) + "' embeds in 2 dimensions (use method exact otherwise)");
  if (n_components < 1) throw Error("n_components must be at least 1");
  // scikit-learn's parameter constraints (TSNE._parameter_constraints, 1.2).
  if (max_iter < kExplorationIters)
    throw Error("t-SNE option max_iter = " + std::to_string(max_iter) + ": expected at least " +
                std::to_string(kExplorationIters) +
                " (the early-exaggeration phase alone takes that many, as in scikit-learn)");
  if (!(early_exaggeration >= 1.0))
    throw Error("t-SNE option early_exaggeration = " + num(early_exaggeration) +
                ": expected at least 1");
  if (!(angle >= 0.0 && angle <= 1.0))
    throw Error("t-SNE option angle = " + num(angle) + ": expected a value in [0, 1]");
  // Unset means 'auto'; scikit-learn rejects anything else that is not > 0.
  if (learning_rate && (!(*learning_rate > 0.0) || !std::isfinite(*learning_rate)))
    throw Error("t-SNE option learning_rate = " + num(*learning_rate) +
                ": expected a positive number (or unset for auto)");
  if (!(min_grad_norm >= 0.0))
    throw Error("t-SNE option min_grad_norm = " + num(min_grad_norm) + ": expected a value >= 0");
  for (int64_t i = 0; i < n * d; ++i)
    if (!std::isfinite(X[i]))
      throw Error("t-SNE input: value at row " + std::to_string(i / d) + ", column " +
                  std::to_string(i % d) + " is not finite");

  TSNEResult result;
  result.n = n;
  result.n_components = n_components;
  result.learning_rate =
      learning_rate.value_or(std::max(static_cast<double>(n) / early_exaggeration / 4.0, 50.0));
  // Neighbours searched among principal components (see knn_pca_components): the same
  // scores give the PCA initialisation.
  int pcs = method == Method::exact ? 0 : knn_pca_components;
  if (pcs < 0) pcs = (n > 20000 && d > 100) ? 50 : 0;
  if (pcs >= d) pcs = 0;
  std::vector<float> scores;
  if (pcs > 0) scores = pca_reduce(X, n, d, std::max(pcs, n_components), seed);
  if (init == Init::pca) {
    if (n_components > d)
      throw Error("init pca: n_components = " + std::to_string(n_components) +
                  " exceeds the number of features (" + std::to_string(d) + "); use init random");
    if (!scores.empty()) {
      result.embedding = scores_init(scores, n, std::max(pcs, n_components), n_components, 1e-4);
    } else {
      result.embedding = pca_init(X, n, d, n_components, 1e-4, seed);
    }
  } else {
    Rng rng(seed);
    result.embedding.resize(static_cast<size_t>(n * n_components));
    for (double& v : result.embedding) v = 1e-4 * rng.normal();
  }

  DenseP dense;
  SparseP sparse;
  if (method == Method::exact) {
    const auto C = conditional_probabilities(pairwise_sq_distances(X, n, d), n, n, perplexity);
    result.mean_perplexity = C.mean_perplexity();
    dense = joint_probabilities(C);
  } else {
    const int64_t k = std::min<int64_t>(n - 1, static_cast<int64_t>(3.0 * perplexity + 1.0));
    Neighbors nn;
    if (pcs > 0) {
      // Only the first pcs columns of the scores (init may have asked for more).
      const int64_t width = std::max(pcs, n_components);
      std::vector<float> Z(static_cast<size_t>(n * pcs));
      for (int64_t i = 0; i < n; ++i)
        std::copy_n(scores.data() + i * width, pcs, Z.data() + i * pcs);
      scores = {};
      nn = nearest_neighbors(Z.data(), n, pcs, k);
      result.knn_dims = pcs;
    } else {
      nn = nearest_neighbors(X, n, d, k);
      result.knn_dims = d;
    }
    const auto C = conditional_probabilities(nn.sq_distances, n, k, perplexity);
    result.mean_perplexity = C.mean_perplexity();
    sparse = joint_probabilities_nn(C, nn);
  }
  // Exaggeration multiplies P; the sparse (float) P is restored from a copy afterwards,
  // since dividing float values back could round them.
  const std::vector<float> sparse_val = sparse.val;
  auto exaggerate = [&](double factor) {
    for (double& v : dense.p) v *= factor;
    for (float& v : sparse.val) v = static_cast<float>(v * factor);
  };
  auto restore = [&] {
    for (double& v : dense.p) v /= early_exaggeration;
    sparse.val = sparse_val;
  };

  int iteration = 0;
  auto objective = [&](const std::vector<double>& Y, std::vector<double>& grad,
                       bool compute_error) {
    double kl = 0.0;
    switch (method) {
      case Method::exact:
        kl = kl_divergence_exact(dense, Y, n_components, &grad, compute_error);
        break;
      case Method::barnes_hut:
        kl = kl_divergence_bh(sparse, Y, angle, &grad, compute_error);
        break;
      case Method::fft:
        kl = kl_divergence_fft(sparse, Y, &grad, fft, compute_error);
        break;
    }
    if (on_iteration) on_iteration(++iteration, max_iter);
    return kl;
  };

  DescentOptions opt;
  opt.learning_rate = result.learning_rate;
  opt.min_grad_norm = min_grad_norm;
  opt.first_iter = 0;
  opt.n_iter = std::min(kExplorationIters, max_iter);
  opt.momentum = 0.5;
  opt.n_iter_without_progress = kExplorationIters;
  exaggerate(early_exaggeration);
  DescentResult r = gradient_descent(objective, result.embedding, opt);
  restore();
  if (max_iter > kExplorationIters) {
    opt.first_iter = r.last_iter + 1;
    opt.n_iter = max_iter;
    opt.momentum = 0.8;
    opt.n_iter_without_progress = n_iter_without_progress;
    r = gradient_descent(objective, result.embedding, opt);
  } else {
    // The last error was measured on the exaggerated P: measure it on P itself.
    std::vector<double> grad;
    r.kl_divergence = objective(result.embedding, grad, true);
  }
  result.kl_divergence = r.kl_divergence;
  result.n_iter = r.last_iter + 1;
  return result;
}

}  // namespace soma::embed
