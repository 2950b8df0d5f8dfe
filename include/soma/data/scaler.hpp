#pragma once
// StandardScaler, as scikit-learn's: x' = (x - mean) / scale, with mean and scale (the
// population standard deviation, ddof = 0) learned from the training data only and then
// applied unchanged to validation and test data, so no statistics leak from them.
// A column with zero spread gets scale 1 (it becomes all zeros). NaN is ignored when
// fitting and stays NaN.
//
//   data::StandardScaler scaler;
//   scaler.fit(train, {"Age", "Fare"});
//   scaler.transform(train);   // in place, the fitted columns
//   scaler.transform(test);
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "soma/data/frame.hpp"

namespace soma::data {

class StandardScaler {
 public:
  // On frame columns (all numeric columns when `columns` is empty).
  StandardScaler& fit(const DataFrame& train, const std::vector<std::string>& columns = {});
  void transform(DataFrame& df) const;
  void inverse_transform(DataFrame& df) const;
  StandardScaler& fit_transform(DataFrame& train, const std::vector<std::string>& columns = {});

  // On a row-major [rows, cols] matrix of doubles.
  StandardScaler& fit(std::span<const double> x, int64_t cols);
  void transform(std::span<double> x) const;
  void inverse_transform(std::span<double> x) const;

  // On a [rows, cols] float tensor; returns a new tensor of the same dtype.
  StandardScaler& fit(const Tensor& x);
  Tensor transform(const Tensor& x) const;

  // A scaler as fit(frame, columns) left it (a saved pipeline restores one this way):
  // one finite mean and one finite, positive scale per column.
  static StandardScaler from_fitted(std::vector<std::string> columns, std::vector<double> mean,
                                    std::vector<double> scale);

  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& scale() const { return scale_; }
  const std::vector<std::string>& columns() const { return columns_; }
  int64_t n_features() const { return static_cast<int64_t>(mean_.size()); }

 private:
  void check_fitted(const char* what) const;
  std::vector<std::string> columns_{};  // empty when fitted on a matrix
  std::vector<double> mean_{}, scale_{};
};

}  // namespace soma::data
