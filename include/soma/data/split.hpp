#pragma once
// Splitting rows into train / test (/ validation) sets and k folds, as scikit-learn
// does, returning row indices so one split can cut several aligned arrays.
//
//   auto s = data::train_test_split(df.rows(), {.test_size = 0.1, .seed = 42});
//   DataFrame train = df.take(s.train), valid = df.take(s.test);
//   for (auto& fold : data::KFold{.n_splits = 5, .shuffle = true}.split(n)) ...
//
// Sizes follow scikit-learn: the test set gets ceil(test_size * n) rows.
#include <cstdint>
#include <utility>
#include <vector>

#include "soma/data/frame.hpp"

namespace soma::data {

struct SplitOptions {
  double test_size = 0.25;  // fraction of rows, in (0, 1)
  uint64_t seed = 42;
  bool shuffle = true;  // false: the last rows are the test set
};

struct Split {
  std::vector<int64_t> train{}, test{};
};

// train: n - ceil(test_size * n) rows, test the rest; both non-empty (soma::Error if not).
Split train_test_split(int64_t n, const SplitOptions& options = {});
// The same on the rows of a frame: {train, test}.
std::pair<DataFrame, DataFrame> train_test_split(const DataFrame& df,
                                                 const SplitOptions& options = {});

struct ThreeWayOptions {
  double valid_size = 0.1;  // fractions of all rows
  double test_size = 0.1;
  uint64_t seed = 42;
  bool shuffle = true;
};

struct ThreeWaySplit {
  std::vector<int64_t> train{}, valid{}, test{};
};

// test: ceil(test_size * n) rows, valid: ceil(valid_size * n), train the rest.
ThreeWaySplit train_valid_test_split(int64_t n, const ThreeWayOptions& options = {});

// K-fold cross-validation: the rows (shuffled when asked) cut into n_splits folds, the
// first n % n_splits of them one row larger; each fold is the test set once, all other
// rows (ascending) its training set. Every row is tested exactly once.
struct KFold {
  int64_t n_splits = 5;
  bool shuffle = false;
  uint64_t seed = 42;

  std::vector<Split> split(int64_t n) const;
};

}  // namespace soma::data
