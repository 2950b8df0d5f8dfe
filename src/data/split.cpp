#include "soma/data/split.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "soma/core/error.hpp"
#include "soma/core/random.hpp"

namespace soma::data {

namespace {

std::vector<int64_t> order(int64_t n, bool shuffle, uint64_t seed) {
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0);
  if (shuffle) {
    Rng rng(seed);
    rng.shuffle(idx.begin(), idx.end());
  }
  return idx;
}

int64_t part(double fraction, int64_t n, const char* what) {
  if (!(fraction > 0.0 && fraction < 1.0))
    throw Error(std::string(what) + " must lie strictly between 0 and 1, got " +
                format_number(fraction));
  return static_cast<int64_t>(std::ceil(fraction * static_cast<double>(n)));
}

}  // namespace

Split train_test_split(int64_t n, const SplitOptions& options) {
  const int64_t n_test = part(options.test_size, n, "test_size");
  if (n_test < 1 || n - n_test < 1)
    throw Error("train_test_split: " + std::to_string(n) + " rows with test_size " +
                format_number(options.test_size) + " leave an empty train or test set");
  const auto idx = order(n, options.shuffle, options.seed);
  Split s;
  if (options.shuffle) {
    // As scikit-learn's ShuffleSplit: the permutation's head is the test set.
    s.test.assign(idx.begin(), idx.begin() + n_test);
    s.train.assign(idx.begin() + n_test, idx.end());
  } else {
    s.train.assign(idx.begin(), idx.end() - n_test);
    s.test.assign(idx.end() - n_test, idx.end());
  }
  return s;
}

std::pair<DataFrame, DataFrame> train_test_split(const DataFrame& df, const SplitOptions& options) {
  const Split s = train_test_split(df.rows(), options);
  return {df.take(s.train), df.take(s.test)};
}

ThreeWaySplit train_valid_test_split(int64_t n, const ThreeWayOptions& options) {
  const int64_t n_test = part(options.test_size, n, "test_size");
  const int64_t n_valid = part(options.valid_size, n, "valid_size");
  if (n_test < 1 || n_valid < 1 || n - n_test - n_valid < 1)
    throw Error("train_valid_test_split: " + std::to_string(n) +
                " rows leave an empty train, validation or test set");
  const auto idx = order(n, options.shuffle, options.seed);
  ThreeWaySplit s;
  const auto t = static_cast<std::ptrdiff_t>(n - n_test - n_valid);
  const auto v = static_cast<std::ptrdiff_t>(n - n_test);
  s.train.assign(idx.begin(), idx.begin() + t);
  s.valid.assign(idx.begin() + t, idx.begin() + v);
  s.test.assign(idx.begin() + v, idx.end());
  return s;
}

std::vector<Split> KFold::split(int64_t n) const {
  if (n_splits < 2)
    throw Error("KFold: n_splits must be at least 2, got " + std::to_string(n_splits));
  if (n_splits > n)
    throw Error("KFold: cannot make " + std::to_string(n_splits) + " folds of " +
                std::to_string(n) + " rows");
  const auto idx = order(n, shuffle, seed);
  std::vector<Split> folds;
  int64_t start = 0;
  std::vector<uint8_t> in_test(static_cast<size_t>(n));
  for (int64_t f = 0; f < n_splits; ++f) {
    const int64_t size = n / n_splits + (f < n % n_splits ? 1 : 0);
    Split s;
    s.test.assign(idx.begin() + start, idx.begin() + start + size);
    std::fill(in_test.begin(), in_test.end(), 0);
    for (int64_t i : s.test) in_test[static_cast<size_t>(i)] = 1;
    for (int64_t i = 0; i < n; ++i)
      if (!in_test[static_cast<size_t>(i)]) s.train.push_back(i);
    folds.push_back(std::move(s));
    start += size;
  }
  return folds;
}

}  // namespace soma::data
