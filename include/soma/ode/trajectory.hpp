#pragma once
// A trajectory: the states of an n-dimensional system at a sequence of times, stored
// row-major (one row per time) in one flat buffer so that appending a step never allocates
// more than the vector's amortised growth.
#include <cstddef>
#include <span>
#include <vector>

namespace soma::ode {

class Trajectory {
 public:
  Trajectory() = default;
  explicit Trajectory(std::size_t dim) : dim_(dim) {}

  std::size_t dim() const { return dim_; }
  // Number of stored times (rows); counted apart from the values so that a system with
  // no variables still has one (empty) row per time, as SciPy's y of shape (0, n_t).
  std::size_t size() const { return rows_; }
  bool empty() const { return rows_ == 0; }

  // The state at the i-th stored time.
  std::span<const double> operator[](std::size_t i) const {
    return {data_.data() + i * dim_, dim_};
  }
  // Component j of the state at the i-th stored time.
  double operator()(std::size_t i, std::size_t j) const { return data_[i * dim_ + j]; }
  // Component j at every stored time (a copy, like SciPy's sol.y[j]).
  std::vector<double> component(std::size_t j) const {
    std::vector<double> out(size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = data_[i * dim_ + j];
    return out;
  }
  std::span<const double> back() const { return (*this)[size() - 1]; }

  void push_back(std::span<const double> state) {
    data_.insert(data_.end(), state.begin(), state.end());
    ++rows_;
  }
  // Appends a row for the caller to fill in place (no copy through a buffer).
  std::span<double> append_row() {
    ++rows_;
    data_.resize(data_.size() + dim_);
    return {data_.data() + data_.size() - dim_, dim_};
  }
  // Appends `rows` rows for the caller to fill in place, as one span of rows * dim() values.
  std::span<double> append_rows(std::size_t rows) {
    rows_ += rows;
    data_.resize(data_.size() + rows * dim_);
    return {data_.data() + data_.size() - rows * dim_, rows * dim_};
  }
  void reserve(std::size_t rows) { data_.reserve(rows * dim_); }
  void clear() {
    data_.clear();
    rows_ = 0;
  }
  // Row-major (size() x dim()) values.
  const std::vector<double>& data() const { return data_; }

 private:
  std::size_t dim_ = 0, rows_ = 0;
  std::vector<double> data_;
};

}  // namespace soma::ode
