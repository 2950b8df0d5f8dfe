// TSNE::fit_transform(Tensor), scikit-learn's form: the same run as the raw-pointer form
// (whose values tests/embed/heavy compares with scikit-learn), as an [n, k] Tensor.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/core/random.hpp"
#include "soma/embed/tsne.hpp"
#include "soma/tensor/tensor.hpp"

namespace {

using namespace soma::embed;

std::vector<float> blobs(int64_t n, int64_t d) {
  soma::Rng rng(3);
  std::vector<float> x(n * d);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j)
      x[i * d + j] = static_cast<float>((i % 3) * 10.0 + rng.normal());
  return x;
}

TEST(TsneTensor, SameEmbeddingAsPointerForm) {
  const int64_t n = 60, d = 5;
  const std::vector<float> x = blobs(n, d);
  const TSNE tsne{.perplexity = 10, .max_iter = 250, .init = Init::random, .seed = 4};
  const TSNEResult want = tsne.fit_transform(x, n, d);

  TSNEResult got_result;
  const soma::Tensor X = soma::tensor(std::span<const float>(x), {n, d});
  const soma::Tensor Y = tsne.fit_transform(X, &got_result);
  ASSERT_EQ(Y.dim(), 2);
  EXPECT_EQ(Y.size(0), n);
  EXPECT_EQ(Y.size(1), 2);
  EXPECT_EQ(Y.dtype(), soma::kFloat32);  // X's dtype, as scikit-learn
  EXPECT_EQ(got_result.kl_divergence, want.kl_divergence);
  const std::vector<float> y = Y.to_vector<float>();
  for (std::size_t i = 0; i < y.size(); ++i)
    EXPECT_EQ(y[i], static_cast<float>(want.embedding[i])) << i;

  // float64 in: float64 out, every bit of the run's double embedding.
  const soma::Tensor Y64 = tsne.fit_transform(X.to(soma::kFloat64));
  EXPECT_EQ(Y64.dtype(), soma::kFloat64);
  EXPECT_EQ(Y64.to_vector<double>(), want.embedding);
}

TEST(TsneTensor, RejectsWrongShapeAndDtype) {
  const TSNE tsne{.perplexity = 5};
  EXPECT_THROW(tsne.fit_transform(soma::zeros({30})), soma::Error);
  EXPECT_THROW(tsne.fit_transform(soma::zeros({3, 10, 2})), soma::Error);
  EXPECT_THROW(tsne.fit_transform(soma::zeros({30, 4}, soma::kInt64)), soma::Error);
  EXPECT_THROW(tsne.fit_transform(soma::Tensor()), soma::Error);
}

}  // namespace
