#pragma once
// t-SNE (van der Maaten & Hinton 2008) with scikit-learn's names and defaults:
//
//   soma::embed::TSNE tsne{.perplexity = 30, .method = soma::embed::Method::fft};
//   auto result = tsne.fit_transform(X, n, d);  // X: n x d floats, row-major
//   result.embedding;      // n x n_components, row-major
//   result.kl_divergence;  // final KL(P || Q)
//
//   soma::Tensor Y = tsne.fit_transform(X);  // X: Tensor [n, d]; Y: [n, n_components]
//
// The steps are public (affinities.hpp, gradient.hpp) for those who want to run them
// one by one. Iteration schedule as sklearn 1.2: 250 iterations with P multiplied by
// early_exaggeration and momentum 0.5, then the rest with momentum 0.8.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "soma/core/std_function.hpp"
#include "soma/embed/affinities.hpp"
#include "soma/embed/gradient.hpp"

namespace soma {
class Tensor;  // soma/tensor/tensor.hpp; only the Tensor overload below needs it
}

namespace soma::embed {

enum class Method { exact, barnes_hut, fft };
enum class Init { pca, random };

Method parse_method(const std::string& name);  // "exact", "barnes_hut" (or "bh"), "fft"
// As parse_method, plus "auto": barnes_hut below kAutoFftMin points, fft from there.
// The FFT grid has a cost per iteration that grows with the embedding's extent, not
// with N; measured on Fashion-MNIST (bench/results/tsne.md), Barnes-Hut was the faster
// at every size up to all 70,000 images (1,000 iterations: 44 CPU s against 101) with
// the same KL, so fft is left to sizes beyond those measured.
inline constexpr int64_t kAutoFftMin = 100000;
Method parse_method(const std::string& name, int64_t n_points);
const char* method_name(Method method);

struct TSNEResult {
  std::vector<double> embedding{};  // n x n_components
  int64_t n = 0;
  int n_components = 2;
  double kl_divergence = 0.0;
  int n_iter = 0;                // iterations run
  double mean_perplexity = 0.0;  // achieved by the sigma search
  double learning_rate = 0.0;    // the one used (after 'auto')
  int64_t knn_dims = 0;          // dimensions the neighbours were searched in
};

struct TSNE {
  int n_components = 2;
  double perplexity = 30.0;
  double early_exaggeration = 12.0;
  // Unset: scikit-learn's 'auto' = max(n / early_exaggeration / 4, 50); else > 0 (0 is an
  // error, as in scikit-learn).
  std::optional<double> learning_rate{};
  int max_iter = 1000;  // at least 250 (the early-exaggeration phase), as scikit-learn
  Method method = Method::barnes_hut;
  double angle = 0.5;  // Barnes-Hut only; in [0, 1] (checked for every method, as scikit-learn)
  Init init = Init::pca;
  std::string metric = "euclidean";  // the only metric so far
  uint64_t seed = 42;
  // Barnes-Hut and FFT search the nearest neighbours exactly, by blocked GEMM. On large
  // wide inputs that costs n^2 d: with knn_pca_components = k > 0 they are searched among
  // the first k principal-component scores instead (as openTSNE and FIt-SNE users
  // usually do beforehand). -1 (auto): 50 components when n > 20,000 and d > 100,
  // else none.
  // 0: always the input itself.
  int knn_pca_components = -1;
  int n_iter_without_progress = 300;
  double min_grad_norm = 1e-7;
  FftOptions fft = {};
  // Called after every iteration with (iteration, max_iter); may be empty.
  std::function<void(int, int)> on_iteration = {};

  TSNEResult fit_transform(const float* X, int64_t n, int64_t d) const;
  TSNEResult fit_transform(const std::vector<float>& X, int64_t n, int64_t d) const {
    return fit_transform(X.data(), n, d);
  }
  // As scikit-learn's TSNE().fit_transform(X): X a 2-D Tensor [n, d] (float32 or float64),
  // the embedding [n, n_components] in X's dtype. With `result`, the run's other outputs
  // (kl_divergence, n_iter, ...) are written there, as sklearn's kl_divergence_ etc.
  Tensor fit_transform(const Tensor& X, TSNEResult* result = nullptr) const;
};

// The first `n_components` principal components of X, scaled so that the first has
// standard deviation `std0` (sklearn's init='pca' uses 1e-4).
std::vector<double> pca_init(const float* X, int64_t n, int64_t d, int n_components,
                             double std0 = 1e-4, uint64_t seed = 42);
// Scales Y (n x dims, row-major) in place so that its first column has standard
// deviation std0: the scaling pca_init applies (a constant column is left as it is).
void scale_first_column_std(std::vector<double>& Y, int64_t n, int64_t dims, double std0);

// The scores of X on its first `n_components` principal components (n x n_components,
// centred, float), e.g. to search neighbours in fewer dimensions.
std::vector<float> pca_reduce(const float* X, int64_t n, int64_t d, int n_components,
                              uint64_t seed = 42);

}  // namespace soma::embed
