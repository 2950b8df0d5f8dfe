#include "soma/data/scaler.hpp"

#include <cmath>
#include <limits>

#include "soma/core/error.hpp"

namespace soma::data {

namespace {

// Mean and population standard deviation of column j of a row-major matrix, NaN skipped.
// Two passes, so large offsets (fares in the hundreds) lose no precision.
void column_stats(std::span<const double> x, size_t cols, size_t j, double& mean, double& sd) {
  double s = 0;
  size_t n = 0;
  for (size_t i = j; i < x.size(); i += cols)
    if (!std::isnan(x[i])) s += x[i], ++n;
  mean = n ? s / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
  double ss = 0;
  for (size_t i = j; i < x.size(); i += cols)
    if (!std::isnan(x[i])) ss += (x[i] - mean) * (x[i] - mean);
  sd = n ? std::sqrt(ss / static_cast<double>(n)) : std::numeric_limits<double>::quiet_NaN();
}

// scikit-learn's rule: a spread within rounding of zero scales by 1, not by ~0.
double safe_scale(double sd, double mean) {
  const double eps = 10 * std::numeric_limits<double>::epsilon();
  if (std::isnan(sd) || sd < eps * std::max(1.0, std::abs(mean))) return 1.0;
  return sd;
}

}  // namespace

void StandardScaler::check_fitted(const char* what) const {
  if (mean_.empty()) throw Error(std::string("StandardScaler: call fit before ") + what);
}

StandardScaler& StandardScaler::fit(std::span<const double> x, int64_t cols) {
  if (cols <= 0 || x.size() % static_cast<size_t>(cols) != 0)
    throw Error("StandardScaler: " + std::to_string(x.size()) + " values do not form rows of " +
                std::to_string(cols) + " columns");
  const auto k = static_cast<size_t>(cols);
  mean_.assign(k, 0.0);
  scale_.assign(k, 1.0);
  for (size_t j = 0; j < k; ++j) {
    double sd = 0;
    column_stats(x, k, j, mean_[j], sd);
    if (std::isnan(mean_[j])) mean_[j] = 0.0;  // an all-NaN column: leave it as it is
    scale_[j] = safe_scale(sd, mean_[j]);
  }
  columns_.clear();
  return *this;
}

void StandardScaler::transform(std::span<double> x) const {
  check_fitted("transform");
  const size_t k = mean_.size();
  if (x.size() % k != 0)
    throw Error("StandardScaler: fitted on " + std::to_string(k) + " columns, given " +
                std::to_string(x.size()) + " values");
  for (size_t i = 0; i < x.size(); ++i) x[i] = (x[i] - mean_[i % k]) / scale_[i % k];
}

void StandardScaler::inverse_transform(std::span<double> x) const {
  check_fitted("inverse_transform");
  const size_t k = mean_.size();
  if (x.size() % k != 0)
    throw Error("StandardScaler: fitted on " + std::to_string(k) + " columns, given " +
                std::to_string(x.size()) + " values");
  for (size_t i = 0; i < x.size(); ++i) x[i] = x[i] * scale_[i % k] + mean_[i % k];
}

StandardScaler& StandardScaler::fit(const DataFrame& train,
                                    const std::vector<std::string>& columns) {
  std::vector<std::string> names = columns;
  if (names.empty())
    for (int64_t j = 0; j < train.cols(); ++j)
      if (train.column(j).is_numeric()) names.push_back(train.column(j).name());
  if (names.empty()) throw Error("StandardScaler: no numeric columns to fit");
  fit(train.to_matrix(names), static_cast<int64_t>(names.size()));
  columns_ = std::move(names);
  return *this;
}

StandardScaler StandardScaler::from_fitted(std::vector<std::string> columns,
                                           std::vector<double> mean, std::vector<double> scale) {
  if (columns.empty() || mean.size() != columns.size() || scale.size() != columns.size())
    throw Error("StandardScaler: " + std::to_string(columns.size()) + " columns with " +
                std::to_string(mean.size()) + " means and " + std::to_string(scale.size()) +
                " scales (expected one of each per column, at least one column)");
  for (size_t j = 0; j < columns.size(); ++j)
    if (!std::isfinite(mean[j]) || !std::isfinite(scale[j]) || !(scale[j] > 0))
      throw Error("StandardScaler: column '" + columns[j] +
                  "': expected a finite mean and a finite positive scale");
  StandardScaler s;
  s.columns_ = std::move(columns);
  s.mean_ = std::move(mean);
  s.scale_ = std::move(scale);
  return s;
}

void StandardScaler::transform(DataFrame& df) const {
  check_fitted("transform");
  if (columns_.empty())
    throw Error("StandardScaler: fitted on a matrix, so it does not know which columns to scale");
  for (size_t j = 0; j < columns_.size(); ++j)
    for (double& v : df[columns_[j]].mutable_values()) v = (v - mean_[j]) / scale_[j];
}

void StandardScaler::inverse_transform(DataFrame& df) const {
  check_fitted("inverse_transform");
  if (columns_.empty())
    throw Error("StandardScaler: fitted on a matrix, so it does not know which columns to scale");
  for (size_t j = 0; j < columns_.size(); ++j)
    for (double& v : df[columns_[j]].mutable_values()) v = v * scale_[j] + mean_[j];
}

StandardScaler& StandardScaler::fit_transform(DataFrame& train,
                                              const std::vector<std::string>& columns) {
  fit(train, columns);
  transform(train);
  return *this;
}

}  // namespace soma::data
