// Splits, k-fold and standardisation: sizes as scikit-learn computes them, partitions
// that cover every row once, and scaled training columns with mean 0 and std 1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "soma/core/error.hpp"
#include "soma/data/csv.hpp"
#include "soma/data/scaler.hpp"
#include "soma/data/split.hpp"

using namespace soma::data;

namespace {

// Sorted concatenation of index lists.
std::vector<int64_t> joined(std::initializer_list<const std::vector<int64_t>*> parts) {
  std::vector<int64_t> all;
  for (auto* p : parts) all.insert(all.end(), p->begin(), p->end());
  std::sort(all.begin(), all.end());
  return all;
}

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

}  // namespace

TEST(Split, TrainTestSizesFollowScikitLearnAndPartitionTheRows) {
  // 684 rows (the balanced Titanic set), 10% test: ceil(68.4) = 69.
  auto s = train_test_split(684, {.test_size = 0.1, .seed = 42});
  EXPECT_EQ(s.test.size(), 69u);
  EXPECT_EQ(s.train.size(), 615u);
  EXPECT_EQ(joined({&s.train, &s.test}), iota(684));
  // Reproducible from the seed, different for another seed.
  EXPECT_EQ(train_test_split(684, {.test_size = 0.1, .seed = 42}).test, s.test);
  EXPECT_NE(train_test_split(684, {.test_size = 0.1, .seed = 43}).test, s.test);
  // Without shuffling the test set is the tail.
  auto t = train_test_split(10, {.test_size = 0.3, .shuffle = false});
  EXPECT_EQ(t.test, (std::vector<int64_t>{7, 8, 9}));
  EXPECT_THROW(train_test_split(10, {.test_size = 1.0}), soma::Error);
  EXPECT_THROW(train_test_split(1, {.test_size = 0.5}), soma::Error);
}

TEST(Split, FrameSplitKeepsRowsTogether) {
  auto df = read_csv_string("a,b\n0,0\n1,10\n2,20\n3,30\n4,40\n");
  auto [train, test] = train_test_split(df, {.test_size = 0.4, .seed = 1});
  EXPECT_EQ(train.rows(), 3);
  EXPECT_EQ(test.rows(), 2);
  for (const auto* f : {&train, &test})
    for (int64_t r = 0; r < f->rows(); ++r) EXPECT_EQ((*f)["b"].value(r), 10 * (*f)["a"].value(r));
}

TEST(Split, ThreeWaySplitPartitionsTheRows) {
  auto s = train_valid_test_split(101, {.valid_size = 0.15, .test_size = 0.2, .seed = 5});
  EXPECT_EQ(s.test.size(), 21u);   // ceil(20.2)
  EXPECT_EQ(s.valid.size(), 16u);  // ceil(15.15)
  EXPECT_EQ(s.train.size(), 64u);
  EXPECT_EQ(joined({&s.train, &s.valid, &s.test}), iota(101));
}

TEST(Split, KFoldTestsEveryRowExactlyOnce) {
  for (bool shuffle : {false, true}) {
    const auto folds = KFold{.n_splits = 4, .shuffle = shuffle, .seed = 9}.split(10);
    ASSERT_EQ(folds.size(), 4u);
    // scikit-learn's sizes: the first n % k folds one larger.
    EXPECT_EQ(folds[0].test.size(), 3u);
    EXPECT_EQ(folds[1].test.size(), 3u);
    EXPECT_EQ(folds[2].test.size(), 2u);
    EXPECT_EQ(folds[3].test.size(), 2u);
    std::vector<int64_t> tested;
    for (const auto& f : folds) {
      tested.insert(tested.end(), f.test.begin(), f.test.end());
      EXPECT_EQ(joined({&f.train, &f.test}), iota(10));  // train is the complement
    }
    std::sort(tested.begin(), tested.end());
    EXPECT_EQ(tested, iota(10));
  }
  EXPECT_EQ(KFold{.n_splits = 2}.split(4)[0].test, (std::vector<int64_t>{0, 1}));
  EXPECT_THROW(KFold{.n_splits = 1}.split(4), soma::Error);
  EXPECT_THROW(KFold{.n_splits = 5}.split(4), soma::Error);
}

TEST(Scaler, FittedOnTrainGivesMeanZeroStdOneThereAndReusesItsStatistics) {
  auto train = read_csv_string("a,b,c\n1,10,5\n2,20,5\n3,60,5\n6,30,5\n");
  auto test = read_csv_string("a,b,c\n4,0,7\n");
  StandardScaler sc;
  sc.fit_transform(train, {"a", "b"});
  EXPECT_DOUBLE_EQ(sc.mean()[0], 3.0);
  EXPECT_DOUBLE_EQ(sc.scale()[0], std::sqrt(14.0 / 4));  // population std, as scikit-learn
  for (const char* c : {"a", "b"}) {
    EXPECT_NEAR(train[c].mean(), 0.0, 1e-12) << c;
    EXPECT_NEAR(train[c].std(0), 1.0, 1e-12) << c;
  }
  EXPECT_EQ(train["c"].value(0), 5.0);  // not fitted, not touched
  sc.transform(test);
  EXPECT_DOUBLE_EQ(test["a"].value(0), (4.0 - 3.0) / std::sqrt(3.5));
  EXPECT_DOUBLE_EQ(test["b"].value(0), (0.0 - 30.0) / sc.scale()[1]);
  sc.inverse_transform(test);
  EXPECT_NEAR(test["b"].value(0), 0.0, 1e-12);

  // A constant column scales by 1, a NaN is ignored in fitting and stays NaN.
  std::vector<double> m = {5, 1, 5, NAN, 5, 3};
  StandardScaler s2;
  s2.fit(m, 2);
  EXPECT_EQ(s2.scale()[0], 1.0);
  EXPECT_EQ(s2.mean()[1], 2.0);
  s2.transform(m);
  EXPECT_EQ(m[0], 0.0);
  EXPECT_TRUE(std::isnan(m[3]));
  EXPECT_EQ(m[5], 1.0);
  EXPECT_THROW(StandardScaler().transform(m), soma::Error);
}
