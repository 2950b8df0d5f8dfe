// Frames to tensors, TensorDataset and DataLoader: batch shapes and contents, every
// example once per epoch, drop_last, and the same batches again from the same seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "soma/core/error.hpp"
#include "soma/data/csv.hpp"
#include "soma/data/loader.hpp"
#include "soma/data/scaler.hpp"

using namespace soma;
using namespace soma::data;

namespace {

// x: [n, 3] with row i = (i, 10i, 100i); y: [n] = i, so every batch can be checked row by row.
TensorDataset numbered(int64_t n) {
  std::vector<float> x, y;
  for (int64_t i = 0; i < n; ++i) {
    x.insert(x.end(), {float(i), float(10 * i), float(100 * i)});
    y.push_back(float(i));
  }
  return TensorDataset(tensor(std::span<const float>(x), {n, 3}),
                       tensor(std::span<const float>(y)));
}

// The examples of one epoch in the order the loader gave them, checking each batch's rows.
std::vector<int64_t> epoch(DataLoader& loader, std::vector<int64_t>* sizes = nullptr) {
  std::vector<int64_t> seen;
  for (auto& [x, y] : loader) {
    EXPECT_EQ(x.dim(), 2);
    EXPECT_EQ(x.size(1), 3);
    EXPECT_EQ(y.size(0), x.size(0));
    const auto xv = x.to_vector<float>();
    const auto yv = y.to_vector<float>();
    for (size_t r = 0; r < yv.size(); ++r) {
      EXPECT_EQ(xv[3 * r + 1], 10 * yv[r]);
      EXPECT_EQ(xv[3 * r + 2], 100 * yv[r]);
      seen.push_back(static_cast<int64_t>(yv[r]));
    }
    if (sizes) sizes->push_back(x.size(0));
  }
  return seen;
}

}  // namespace

TEST(ToTensor, FrameColumnsBecomeARowMajorMatrix) {
  auto df = read_csv_string("a,b,s\n1,0.5,x\n2,-1,y\n3,,z\n");
  Tensor t = df.to_tensor({"b", "a"});
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_EQ(t.dtype(), kFloat32);
  const auto v = t.to_vector<float>();
  EXPECT_EQ(v[0], 0.5f);
  EXPECT_EQ(v[1], 1.0f);
  EXPECT_EQ(v[3], 2.0f);
  EXPECT_TRUE(std::isnan(v[4]));
  EXPECT_EQ(df.to_tensor({"a"}, kInt64).to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_THROW(df.to_tensor({"b"}, kInt64), Error);  // NaN has no integer
  EXPECT_THROW(df.to_tensor({"s"}), Error);
  EXPECT_THROW(df.to_tensor(), Error);  // all columns, one of them text
}

TEST(ToTensor, ScalerOnTensorsMatchesTheFrameScaler) {
  auto df = read_csv_string("a,b\n1,10\n2,20\n3,60\n6,30\n");
  StandardScaler sc;
  sc.fit(df.to_tensor({}, kFloat64));
  Tensor z = sc.transform(df.to_tensor({}, kFloat64));
  StandardScaler on_frame;
  on_frame.fit_transform(df);
  EXPECT_EQ(z.to_vector<double>(), df.to_matrix());
  EXPECT_THROW(sc.transform(df), Error);  // fitted on a tensor: no column names
  EXPECT_THROW(sc.transform(zeros({2, 3})), Error);
}

TEST(DataLoader, EveryExampleOncePerEpochInOrderWithoutShuffle) {
  DataLoader loader(numbered(31), {.batch_size = 13});
  EXPECT_EQ(loader.size(), 3);
  std::vector<int64_t> sizes;
  std::vector<int64_t> expected(31);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(epoch(loader, &sizes), expected);
  EXPECT_EQ(sizes, (std::vector<int64_t>{13, 13, 5}));

  DataLoader dropping(numbered(31), {.batch_size = 13, .drop_last = true});
  EXPECT_EQ(dropping.size(), 2);
  EXPECT_EQ(epoch(dropping).size(), 26u);
}

TEST(DataLoader, ShuffledEpochsArePermutationsReproducibleFromTheSeed) {
  DataLoader a(numbered(100), {.batch_size = 7, .shuffle = true, .seed = 42});
  DataLoader b(numbered(100), {.batch_size = 7, .shuffle = true, .seed = 42});
  DataLoader c(numbered(100), {.batch_size = 7, .shuffle = true, .seed = 43});
  std::vector<int64_t> all(100);
  std::iota(all.begin(), all.end(), 0);
  std::vector<int64_t> previous;
  for (int e = 0; e < 3; ++e) {
    auto ea = epoch(a), eb = epoch(b), ec = epoch(c);
    EXPECT_EQ(ea, eb) << "epoch " << e;  // same seed, same batches
    EXPECT_NE(ea, ec) << "epoch " << e;
    EXPECT_NE(ea, previous);  // a new order each epoch
    EXPECT_NE(ea, all);
    previous = ea;
    std::sort(ea.begin(), ea.end());
    EXPECT_EQ(ea, all);  // each example exactly once
  }
}

TEST(DataLoader, TargetsOfAnyDtypeAndDatasetsWithoutTargets) {
  std::vector<int64_t> labels = {3, 1, 4, 1, 5};
  Tensor x = arange(0.0, 10.0, 1.0).reshape({5, 2});
  DataLoader loader(TensorDataset(x, tensor(std::span<const int64_t>(labels))),
                    {.batch_size = 2, .shuffle = true, .seed = 1});
  for (auto& [bx, by] : loader) {
    EXPECT_EQ(by.dtype(), kInt64);
    const auto xv = bx.to_vector<float>();
    const auto yv = by.to_vector<int64_t>();
    for (size_t r = 0; r < yv.size(); ++r)
      EXPECT_EQ(labels[static_cast<size_t>(xv[2 * r] / 2)], yv[r]);
  }
  DataLoader only_x(TensorDataset(x), {.batch_size = 4});
  for (auto& batch : only_x) EXPECT_FALSE(batch.y.defined());
  EXPECT_THROW(TensorDataset(x, zeros({4})), Error);
  EXPECT_THROW(DataLoader(TensorDataset(x), {.batch_size = 0}), Error);
}

TEST(Subset, BatchesAreTheChosenRowsOfTheDatasetInTheirOrder) {
  const auto all = std::make_shared<const TensorDataset>(numbered(10));
  const std::vector<int64_t> chosen = {7, 2, 9, 2, 0};  // a repeat is allowed
  const Subset part(all, chosen);
  EXPECT_EQ(part.size(), 5);
  EXPECT_EQ(part.indices(), chosen);
  // Batch positions 4, 0, 3 of the subset are rows 0, 7, 2 of the dataset.
  const Batch b = part.get_batch(std::vector<int64_t>{4, 0, 3});
  EXPECT_EQ(b.x.shape(), (Shape{3, 3}));
  EXPECT_EQ(b.y.to_vector<float>(), (std::vector<float>{0, 7, 2}));
  EXPECT_EQ(b.x.to_vector<float>(), (std::vector<float>{0, 0, 0, 7, 70, 700, 2, 20, 200}));

  // Through a loader: one epoch visits the chosen rows in the subset's order.
  DataLoader loader(part, {.batch_size = 2});
  EXPECT_EQ(loader.size(), 3);
  EXPECT_EQ(epoch(loader), chosen);

  EXPECT_THROW(part.get_batch(std::vector<int64_t>{5}), Error);
  EXPECT_THROW(part.get_batch(std::vector<int64_t>{-1}), Error);
  EXPECT_THROW(Subset(all, {3, 10}), Error);
  EXPECT_THROW(Subset(all, {-1}), Error);
  EXPECT_THROW(Subset(nullptr, {0}), Error);
}
