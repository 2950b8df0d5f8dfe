// data::fashion_mnist and read_idx_images: shapes, scaling to [0, 1], and the published
// class balance of the test set (1,000 images per class).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "required_data.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/data/fashion_mnist.hpp"

namespace {

// A big-endian IDX file: magic 0 0 TYPE NDIM, then the dimensions, then the bytes.
std::string idx_u8(const std::vector<int>& dims, const std::vector<uint8_t>& values) {
  std::string s = {0, 0, 0x08, static_cast<char>(dims.size())};
  for (int d : dims)
    for (int shift : {24, 16, 8, 0}) s.push_back(static_cast<char>((d >> shift) & 0xff));
  s.append(values.begin(), values.end());
  return s;
}

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("soma_fmnist_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
       std::to_string(reinterpret_cast<uintptr_t>(this)));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
};

TEST(FashionMnist, ReadsPlainIdxFilesScaledToUnitInterval) {
  TempDir dir;
  soma::write_file_atomic(dir.path / "t10k-images-idx3-ubyte",
                          idx_u8({2, 2, 3}, {0, 51, 255, 102, 0, 0, 1, 2, 3, 4, 5, 6}));
  soma::write_file_atomic(dir.path / "t10k-labels-idx1-ubyte", idx_u8({2}, {9, 0}));
  const auto d = soma::data::fashion_mnist("test", dir.path);
  EXPECT_EQ(d.images.shape().str(), soma::Shape({2, 1, 2, 3}).str());
  const auto img = d.images.contiguous();
  EXPECT_FLOAT_EQ(img.data_ptr<float>()[1], 51.f / 255.f);
  EXPECT_FLOAT_EQ(img.data_ptr<float>()[2], 1.f);
  EXPECT_EQ(d.labels.data_ptr<int64_t>()[0], 9);

  // A label outside 0..9 and a count mismatch are errors naming the labels file.
  soma::write_file_atomic(dir.path / "t10k-labels-idx1-ubyte", idx_u8({2}, {10, 0}));
  EXPECT_THROW((void)soma::data::fashion_mnist("test", dir.path), soma::Error);
  soma::write_file_atomic(dir.path / "t10k-labels-idx1-ubyte", idx_u8({3}, {1, 0, 2}));
  try {
    (void)soma::data::fashion_mnist("test", dir.path);
    FAIL() << "no error";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("3 labels for 2 images"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)soma::data::fashion_mnist("valid", dir.path), soma::Error);
  EXPECT_THROW((void)soma::data::fashion_mnist("train", dir.path), soma::Error);  // no train files
}

TEST(FashionMnist, DebianTestSetIsBalanced) {
  SOMA_REQUIRE_DATA(
      std::filesystem::exists(std::filesystem::path(soma::data::fashion_mnist_default_dir()) /
                              "t10k-labels-idx1-ubyte.gz"),
      "Fashion-MNIST (Debian package dataset-fashion-mnist)");
  const auto d = soma::data::fashion_mnist("test");
  ASSERT_EQ(d.images.shape().str(), soma::Shape({10000, 1, 28, 28}).str());
  std::vector<int> counts(10, 0);
  for (int64_t i = 0; i < 10000; ++i)
    ++counts[static_cast<size_t>(d.labels.data_ptr<int64_t>()[i])];
  for (int c : counts) EXPECT_EQ(c, 1000);
  const float* p = d.images.data_ptr<float>();
  float lo = 1, hi = 0;
  for (int64_t i = 0; i < d.images.numel(); ++i) lo = std::min(lo, p[i]), hi = std::max(hi, p[i]);
  EXPECT_EQ(lo, 0.f);
  EXPECT_EQ(hi, 1.f);
}

}  // namespace
