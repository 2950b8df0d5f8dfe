// Quality against scikit-learn 1.2 (Barnes-Hut, angle 0.5) on the first N Fashion-MNIST
// test images: soma's final KL divergence may exceed sklearn's by at most 2%, and its
// 10-NN leave-one-out label accuracy in the embedding may trail by at most one point.
// Reference figures: tests/reference/tsne_sklearn.py -> tests/reference/data/.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "required_data.hpp"
#include "soma/data/idx.hpp"
#include "soma/embed/tsne.hpp"

namespace {

using namespace soma::embed;
const std::filesystem::path kData = "/usr/share/datasets/fashion-mnist";

struct Reference {
  double kl = 0, accuracy = 0;
};

// The mean over sklearn's seeds for this N.
Reference sklearn_reference(int n) {
  std::ifstream in(std::string(SOMA_SOURCE_DIR) +
                   "/tests/reference/data/tsne_sklearn_fashion.json");
  const auto j = nlohmann::json::parse(in);
  Reference r;
  int count = 0;
  for (const auto& run : j["runs"])
    if (run["n"] == n) {
      r.kl += run["kl_divergence"].get<double>();
      r.accuracy += run["knn_accuracy"].get<double>();
      ++count;
    }
  EXPECT_GT(count, 0) << "no reference for n = " << n;
  r.kl /= count;
  r.accuracy /= count;
  return r;
}

void check_against_sklearn(int n, Method method) {
  SOMA_REQUIRE_DATA(std::filesystem::exists(kData / "t10k-images-idx3-ubyte.gz"),
                    "Fashion-MNIST (Debian package dataset-fashion-mnist)");
  const auto images = soma::data::read_idx(kData / "t10k-images-idx3-ubyte.gz");
  const auto all_labels =
      soma::data::idx_to_labels(soma::data::read_idx(kData / "t10k-labels-idx1-ubyte.gz"));
  const auto pixels = soma::data::idx_to_float(images);
  const std::vector<float> X(pixels.begin(), pixels.begin() + int64_t{n} * 784);
  const std::vector<int64_t> labels(all_labels.begin(), all_labels.begin() + n);
  const auto result = TSNE{.method = method, .seed = 0}.fit_transform(X, n, 784);
  const double accuracy = knn_accuracy(result.embedding, 2, labels, 10);
  const Reference ref = sklearn_reference(n);
  std::printf("n=%d %s: KL %.4f (sklearn %.4f), 10-NN accuracy %.4f (sklearn %.4f)\n", n,
              method_name(method), result.kl_divergence, ref.kl, accuracy, ref.accuracy);
  EXPECT_LE(result.kl_divergence, ref.kl * 1.02);
  EXPECT_GE(accuracy, ref.accuracy - 0.01);
  EXPECT_NEAR(std::log(result.mean_perplexity), std::log(30.0), 1e-5);
}

TEST(TsneFashion, BarnesHut1000) { check_against_sklearn(1000, Method::barnes_hut); }
TEST(TsneFashion, Fft1000) { check_against_sklearn(1000, Method::fft); }
TEST(TsneFashion, BarnesHut5000) { check_against_sklearn(5000, Method::barnes_hut); }

}  // namespace
