// Whole runs on well separated Gaussian clusters: every method must keep each point's
// nearest neighbours in the embedding inside its own cluster.
#include <gtest/gtest.h>

#include "soma/core/error.hpp"
#include "soma/core/random.hpp"
#include "soma/embed/tsne.hpp"

namespace {

using namespace soma::embed;

struct Clusters {
  std::vector<float> X;
  std::vector<int64_t> labels;
};

// `k` clusters of `per` points in 10-D, centres 20 apart, unit spread.
Clusters gaussian_clusters(int k, int per, uint64_t seed) {
  soma::Rng rng(seed);
  const int d = 10;
  Clusters c;
  std::vector<double> centres(k * d);
  for (auto& v : centres) v = 20.0 * rng.normal();
  for (int g = 0; g < k; ++g)
    for (int i = 0; i < per; ++i) {
      for (int j = 0; j < d; ++j)
        c.X.push_back(static_cast<float>(centres[g * d + j] + rng.normal()));
      c.labels.push_back(g);
    }
  return c;
}

class ClusterRun : public ::testing::TestWithParam<Method> {};

TEST_P(ClusterRun, NeighboursStayInTheirCluster) {
  const auto c = gaussian_clusters(4, 40, 21);
  // 500 iterations let the clusters pull fully apart (FFT: 300, its grid is the cost).
  TSNE tsne{.perplexity = 15,
            .max_iter = GetParam() == Method::fft ? 300 : 500,
            .method = GetParam(),
            .seed = 3};
  // A coarser FFT grid than the default keeps this fast (the grid's cost per iteration
  // does not shrink with n); the default grid is exercised by the Fashion-MNIST test.
  tsne.fft = {.min_boxes = 20, .boxes_per_unit = 1.0};
  const auto r = tsne.fit_transform(c.X, 160, 10);
  ASSERT_EQ(r.embedding.size(), 320u);
  // knn_accuracy 1.0 means every point's 10 nearest neighbours vote for its own
  // cluster; check the single nearest neighbour strictly as well.
  EXPECT_EQ(knn_accuracy(r.embedding, 2, c.labels, 10), 1.0);
  EXPECT_EQ(knn_accuracy(r.embedding, 2, c.labels, 1), 1.0);
  EXPECT_GT(r.kl_divergence, 0.0);
  EXPECT_LT(r.kl_divergence, 2.0);
  EXPECT_NEAR(r.mean_perplexity, 15.0, 1e-3);
  EXPECT_DOUBLE_EQ(r.learning_rate, 50.0);  // auto: max(160 / 12 / 4, 50)
}

INSTANTIATE_TEST_SUITE_P(Methods, ClusterRun,
                         ::testing::Values(Method::exact, Method::barnes_hut, Method::fft),
                         [](const auto& param_info) {
                           return std::string(method_name(param_info.param));
                         });

TEST(Tsne, SameSeedSameEmbedding) {
  const auto c = gaussian_clusters(3, 30, 5);
  TSNE tsne{.perplexity = 10, .max_iter = 300, .init = Init::random, .seed = 9};
  EXPECT_EQ(tsne.fit_transform(c.X, 90, 10).embedding, tsne.fit_transform(c.X, 90, 10).embedding);
}

TEST(Tsne, RejectsBadInput) {
  const auto c = gaussian_clusters(2, 10, 5);
  EXPECT_THROW((TSNE{.perplexity = 30}.fit_transform(c.X, 20, 10)), soma::Error);
  EXPECT_THROW((TSNE{.n_components = 3, .perplexity = 5}.fit_transform(c.X, 20, 10)), soma::Error);
  EXPECT_THROW((TSNE{.perplexity = 5, .metric = "cosine"}.fit_transform(c.X, 20, 10)), soma::Error);
  auto bad = c.X;
  bad[17] = NAN;
  EXPECT_THROW((TSNE{.perplexity = 5}.fit_transform(bad, 20, 10)), soma::Error);
  EXPECT_THROW(parse_method("tree"), soma::Error);
}

}  // namespace
