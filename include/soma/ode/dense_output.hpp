#pragma once
// DenseSolution: the continuous solution that solve_ivp returns with dense_output = true,
// callable at any t between the first and the last time. It is a chain of per-step
// interpolating polynomials, each the one the stepping method itself defines:
//   RK23/RK45   y = y_old + sum_k c_k x^k,  x = (t - t_old)/h        (SciPy's RkDenseOutput)
//   Radau       the same form, cubic: the step's collocation polynomial (RadauDenseOutput)
//   DOP853      Hairer's contd8 form in x and 1 - x                 (Hairer, DOP853 dense output)
//   BDF         y = sum_k c_k (t - t_new)^k: the Nordsieck history polynomial of a CVODE step,
//               or SciPy's BDF interpolant (bdf_ndf.cpp) rewritten about t_new
//   LSODA/Adams y = sum_k c_k (t - t_new)^k: the step's Nordsieck array z_k / h^k (intdy)
//   Euler/RK4   cubic Hermite through (y_old, f_old), (y_new, f_new)
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace soma::ode {

class DenseSolution {
 public:
  enum class Kind : std::uint8_t { Power, Dop853, Taylor };

  DenseSolution() = default;
  explicit DenseSolution(std::size_t dim) : dim_(dim) {}

  std::size_t dim() const { return dim_; }
  bool empty() const { return segments_.empty(); }
  std::size_t num_segments() const { return segments_.size(); }
  // The interval covered (t_min() <= t_max(), whatever the direction of integration).
  double t_min() const;
  double t_max() const;

  // The state at t. Outside [t_min, t_max] the nearest segment's polynomial is
  // extrapolated, as SciPy's OdeSolution does.
  std::vector<double> operator()(double t) const;
  void evaluate(double t, std::span<double> out) const;

  // Appends one step's polynomial covering [t_old, t_new]: `coefficients` holds
  // n_coef rows of dim() values, in the layout of `kind` (see above). Steps must be
  // appended in the order of integration.
  void append(Kind kind, double t_old, double t_new, std::span<const double> coefficients);

 private:
  struct Segment {
    double t_old{}, t_new{};
    Kind kind{};
    std::uint32_t n_coef{};
    std::size_t offset{};
  };
  void evaluate_segment(const Segment& s, double t, std::span<double> out) const;
  std::size_t dim_ = 0;
  std::vector<Segment> segments_;
  std::vector<double> coef_;
};

}  // namespace soma::ode
