#pragma once
// The Nordsieck history array of LSODA: column j holds h^j y^(j)(t_n) / j!, so that the
// polynomial through the recent solution is sum_j z_j s^j with s = (t - t_n) / h. Column
// storage, n values per column, 13 columns (Adams' order 12 plus one for the saved
// correction that an order increase needs).
#include <cstddef>
#include <span>
#include <vector>

namespace soma::ode::detail::lsoda {

class Nordsieck {
 public:
  static constexpr int kColumns = 13;

  void resize(std::size_t n) {
    n_ = n;
    z_.assign(n * kColumns, 0.0);
  }
  std::size_t dim() const { return n_; }
  std::span<double> col(int j) { return {z_.data() + static_cast<std::size_t>(j) * n_, n_}; }
  std::span<const double> col(int j) const {
    return {z_.data() + static_cast<std::size_t>(j) * n_, n_};
  }

  // Moves the polynomial of order q forward by one step: z <- z A, A the Pascal triangle
  // matrix (the predictor), done in place by repeated sums.
  void predict(int q);
  // Undoes predict(q) (after a failed step).
  void retract(int q);
  // Rescales columns 1..q for a new step size h * r (the polynomial is unchanged).
  void rescale(int q, double r);
  // sum_{j<=q} z_j s^j: the interpolant of ODEPACK's intdy at s = (t - t_n) / h.
  void interpolate(int q, double s, std::span<double> out) const;

 private:
  std::size_t n_ = 0;
  std::vector<double> z_;
};

}  // namespace soma::ode::detail::lsoda
