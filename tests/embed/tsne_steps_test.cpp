// The t-SNE steps one by one: perplexity search, joint probabilities, the exact
// gradient against finite differences, Barnes-Hut (angle 0) and FFT against exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "soma/core/error.hpp"
#include "soma/core/random.hpp"
#include "soma/embed/tsne.hpp"

namespace {

using namespace soma::embed;

std::vector<float> random_data(int64_t n, int64_t d, uint64_t seed) {
  soma::Rng rng(seed);
  std::vector<float> X(static_cast<size_t>(n * d));
  for (auto& v : X) v = static_cast<float>(rng.normal());
  return X;
}

std::vector<double> random_embedding(int64_t n, int dims, double scale, uint64_t seed) {
  soma::Rng rng(seed);
  std::vector<double> Y(static_cast<size_t>(n * dims));
  for (auto& v : Y) v = scale * rng.normal();
  return Y;
}

TEST(Perplexity, DenseSearchHitsTargetInLogSpace) {
  const int64_t n = 200, d = 10;
  const auto X = random_data(n, d, 1);
  const auto D = pairwise_sq_distances(X.data(), n, d);
  for (double perplexity : {5.0, 30.0, 80.0}) {
    const auto C = conditional_probabilities(D, n, n, perplexity);
    EXPECT_LE(C.max_log_perplexity_error(perplexity), 1e-5) << perplexity;
    // The reported entropy is the entropy of the stored row, recomputed here.
    for (int64_t i = 0; i < n; i += 37) {
      double h = 0, s = 0;
      for (int64_t j = 0; j < n; ++j) {
        const double p = C.p[i * n + j];
        s += p;
        if (p > 0) h -= p * std::log(p);
      }
      EXPECT_NEAR(s, 1.0, 1e-12);
      EXPECT_EQ(C.p[i * n + i], 0.0);
      EXPECT_NEAR(h, std::log(perplexity), 1e-5);
    }
  }
}

TEST(Perplexity, NeighborSearchAndFarPoints) {
  // Points far apart (squared distances ~1e4) still reach the target: no underflow.
  const int64_t n = 300, d = 5;
  auto X = random_data(n, d, 2);
  for (auto& v : X) v *= 50.0f;
  const auto nn = nearest_neighbors(X.data(), n, d, 91);
  const auto C = conditional_probabilities(nn.sq_distances, n, 91, 30.0);
  EXPECT_LE(C.max_log_perplexity_error(30.0), 1e-5);
  EXPECT_NEAR(std::log(C.mean_perplexity()), std::log(30.0), 1e-5);
  EXPECT_THROW(conditional_probabilities(nn.sq_distances, n, 91, 95.0), soma::Error);
}

TEST(Neighbors, MatchBruteForce) {
  const int64_t n = 500, d = 20, k = 15;
  const auto X = random_data(n, d, 3);
  const auto D = pairwise_sq_distances(X.data(), n, d);
  const auto nn = nearest_neighbors(X.data(), n, d, k);
  for (int64_t i = 0; i < n; ++i) {
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    order.erase(order.begin() + i);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int64_t a, int64_t b) { return D[i * n + a] < D[i * n + b]; });
    for (int64_t c = 0; c < k; ++c) {
      EXPECT_EQ(nn.indices[i * k + c], order[c]) << i << " " << c;
      EXPECT_NEAR(nn.sq_distances[i * k + c], D[i * n + order[c]], 1e-9);
    }
  }
}

TEST(JointProbabilities, SymmetricAndNormalised) {
  const int64_t n = 150, d = 8;
  const auto X = random_data(n, d, 4);
  const auto P = joint_probabilities(
      conditional_probabilities(pairwise_sq_distances(X.data(), n, d), n, n, 20.0));
  double sum = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      EXPECT_DOUBLE_EQ(P.p[i * n + j], P.p[j * n + i]);
      sum += P.p[i * n + j];
    }
  EXPECT_NEAR(sum, 1.0, 1e-9);

  const auto nn = nearest_neighbors(X.data(), n, d, 61);
  const auto S =
      joint_probabilities_nn(conditional_probabilities(nn.sq_distances, n, 61, 20.0), nn);
  double ssum = 0;
  for (double v : S.val) ssum += v;
  EXPECT_NEAR(ssum, 1.0, 1e-6);  // values stored in float
  // Symmetry: p_ij stored in row i equals p_ji stored in row j.
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = S.row_ptr[i]; e < S.row_ptr[i + 1]; ++e) {
      const int64_t j = S.col[e];
      const auto b = S.col.begin() + S.row_ptr[j], en = S.col.begin() + S.row_ptr[j + 1];
      const auto it = std::lower_bound(b, en, i);
      ASSERT_TRUE(it != en && *it == i);
      EXPECT_DOUBLE_EQ(S.val[it - S.col.begin()], S.val[e]);
    }
}

DenseP small_problem(int64_t n, uint64_t seed) {
  const auto X = random_data(n, 6, seed);
  return joint_probabilities(
      conditional_probabilities(pairwise_sq_distances(X.data(), n, 6), n, n, 10.0));
}

TEST(Gradient, ExactAgreesWithFiniteDifferences) {
  for (int dims : {2, 3}) {
    const int64_t n = 40;
    const auto P = small_problem(n, 5);
    auto Y = random_embedding(n, dims, 1.0, 6);
    std::vector<double> grad;
    kl_divergence_exact(P, Y, dims, &grad);
    const double h = 1e-6;
    for (size_t m = 0; m < Y.size(); m += 7) {
      const double keep = Y[m];
      Y[m] = keep + h;
      const double up = kl_divergence_exact(P, Y, dims, nullptr);
      Y[m] = keep - h;
      const double down = kl_divergence_exact(P, Y, dims, nullptr);
      Y[m] = keep;
      EXPECT_NEAR(grad[m], (up - down) / (2 * h), 1e-6 * std::max(1.0, std::abs(grad[m])))
          << "dims " << dims << " coordinate " << m;
    }
  }
}

TEST(Gradient, BarnesHutAngleZeroEqualsExact) {
  const int64_t n = 300;
  const auto P = small_problem(n, 7);
  const auto S = to_sparse(P);
  const auto Y = random_embedding(n, 2, 3.0, 8);
  std::vector<double> exact, bh;
  const double kl_exact = kl_divergence_exact(P, Y, 2, &exact);
  const double kl_bh = kl_divergence_bh(S, Y, 0.0, &bh);
  // The sparse P holds the dense one's values in float, and Barnes-Hut sums the
  // repulsion in float (relative to each group's centre): equal to float precision.
  EXPECT_NEAR(kl_bh, kl_divergence_sparse_exact(S, Y, 2), 1e-8 * std::abs(kl_exact));
  EXPECT_NEAR(kl_bh, kl_exact, 1e-6 * std::abs(kl_exact));
  double scale = 0;
  for (double g : exact) scale = std::max(scale, std::abs(g));
  for (size_t m = 0; m < exact.size(); ++m) EXPECT_NEAR(bh[m], exact[m], 1e-6 * scale) << m;
  // With angle 0.5 it is an approximation: close, not equal.
  std::vector<double> approx;
  kl_divergence_bh(S, Y, 0.5, &approx);
  double err = 0, norm = 0;
  for (size_t m = 0; m < exact.size(); ++m) {
    err += (approx[m] - exact[m]) * (approx[m] - exact[m]);
    norm += exact[m] * exact[m];
  }
  EXPECT_LT(std::sqrt(err / norm), 0.05);
}

// Relative L2 error of an approximate gradient against the exact one.
double relative_error(const std::vector<double>& approx, const std::vector<double>& exact) {
  double err = 0, norm = 0;
  for (size_t m = 0; m < exact.size(); ++m) {
    err += (approx[m] - exact[m]) * (approx[m] - exact[m]);
    norm += exact[m] * exact[m];
  }
  return std::sqrt(err / norm);
}

TEST(Gradient, FftInterpolationCloseToExact) {
  const int64_t n = 400;
  const auto P = small_problem(n, 9);
  const auto S = to_sparse(P);
  // Densities like those of real embeddings (about one point per unit area or more):
  // The default grid (5 nodes per unit box) is within a few percent, as BH 0.5.
  for (double scale : {0.5, 5.0}) {
    const auto Y = random_embedding(n, 2, scale, 10);
    std::vector<double> exact, fft;
    const double kl_exact = kl_divergence_exact(P, Y, 2, &exact);
    const double kl_fft = kl_divergence_fft(S, Y, &fft);
    EXPECT_NEAR(kl_fft, kl_exact, 2e-3 * std::abs(kl_exact)) << scale;
    EXPECT_LT(relative_error(fft, exact), 2e-2) << scale;
  }
  // The interpolation converges: finer boxes and more nodes shrink the error by orders.
  for (double scale : {2.0, 5.0}) {
    const auto Y = random_embedding(n, 2, scale, 10);
    std::vector<double> exact, coarse, fine;
    const double kl_exact = kl_divergence_exact(P, Y, 2, &exact);
    kl_divergence_fft(S, Y, &coarse);
    const double kl_fine =
        kl_divergence_fft(S, Y, &fine, {.interp_points = 5, .boxes_per_unit = 4.0});
    EXPECT_NEAR(kl_fine, kl_exact, 1e-4 * std::abs(kl_exact)) << scale;
    EXPECT_LT(relative_error(fine, exact), 1e-3) << scale;
    EXPECT_LT(relative_error(fine, exact), 0.1 * relative_error(coarse, exact)) << scale;
  }
}

TEST(Gradient, SparseKlWithExactZMatchesDense) {
  const int64_t n = 120;
  const auto P = small_problem(n, 11);
  const auto Y = random_embedding(n, 2, 2.0, 12);
  // The sparse P holds the dense one's values in float (relative rounding 6e-8).
  const double kl = kl_divergence_exact(P, Y, 2, nullptr);
  EXPECT_NEAR(kl_divergence_sparse_exact(to_sparse(P), Y, 2), kl, 1e-6 * std::abs(kl));
}

TEST(Descent, MinimisesAQuadraticWithGains) {
  // f(y) = sum (y - 3)^2 / 2: gradient y - 3; descent must converge to 3.
  std::vector<double> Y = {0.0, 10.0, -5.0};
  auto objective = [](const std::vector<double>& y, std::vector<double>& g, bool) {
    double f = 0;
    g.resize(y.size());
    for (size_t i = 0; i < y.size(); ++i) {
      g[i] = y[i] - 3.0;
      f += 0.5 * g[i] * g[i];
    }
    return f;
  };
  const auto r =
      gradient_descent(objective, Y, {.n_iter = 400, .momentum = 0.5, .learning_rate = 0.1});
  for (double y : Y) EXPECT_NEAR(y, 3.0, 1e-6);
  EXPECT_LT(r.kl_divergence, 1e-10);
}

TEST(Pca, FindsTheDominantDirection) {
  // Data stretched along (1, 2, 2)/3 with small noise: the first component lies along it.
  soma::Rng rng(13);
  const int64_t n = 2000;
  std::vector<float> X(n * 3);
  for (int64_t i = 0; i < n; ++i) {
    const double t = 5.0 * rng.normal();
    X[i * 3 + 0] = static_cast<float>(t / 3 + 0.1 * rng.normal() + 1.0);
    X[i * 3 + 1] = static_cast<float>(2 * t / 3 + 0.1 * rng.normal());
    X[i * 3 + 2] = static_cast<float>(2 * t / 3 + 0.1 * rng.normal() - 4.0);
  }
  const auto Y = pca_init(X.data(), n, 3, 2, 1e-4);
  double corr = 0, sy = 0, st = 0, mean = 0;
  for (int64_t i = 0; i < n; ++i) mean += Y[i * 2];
  mean /= n;
  for (int64_t i = 0; i < n; ++i) {
    const double proj = (X[i * 3] - 1.0) / 3 + 2 * X[i * 3 + 1] / 3 + 2 * (X[i * 3 + 2] + 4.0) / 3;
    corr += (Y[i * 2] - mean) * proj;
    sy += (Y[i * 2] - mean) * (Y[i * 2] - mean);
    st += proj * proj;
  }
  EXPECT_GT(std::abs(corr) / std::sqrt(sy * st), 0.999);
  EXPECT_NEAR(std::sqrt(sy / n), 1e-4, 1e-12);
}

}  // namespace
