#pragma once
// solve_ivp for complex-valued systems, as SciPy's solve_ivp with a complex y0 ("complex y0
// is supported for explicit methods and BDF"): RK23, RK45, DOP853 and BDF, plus the
// fixed-step Euler and RK4.
//
//   using soma::ode::Complex;
//   const double omega = 2;
//   auto f = [omega](double, std::span<const Complex> y, std::span<Complex> dy) {
//     dy[0] = Complex(0, -omega) * y[0];  // dy/dt = -i omega y: y0 e^{-i omega t}
//   };
//   auto r = soma::ode::solve_ivp(f, {0, 10}, {Complex(1, 0)}, {.rtol = 1e-8, .atol = 1e-10});
//   r.states.back()[0] (== r.y(0).back()), r.nfev
//
// The system is integrated as the real system of twice the size, the real and imaginary
// parts of each component side by side, with SciPy's norms of a complex y: the error scale
// atol + rtol |y_k| uses the modulus of component k and the RMS averages over the complex
// components, so the steps (nfev, njev, nlu) are SciPy's. BDF's Newton iteration uses the
// complex Jacobian df/dy (the user's jac, else finite differences along the real axis, one
// evaluation per component, as SciPy's num_jac), which assumes f is holomorphic (analytic in
// y), as SciPy's complex Jacobian does; f with conj(y), |y| or Re(y) needs the explicit
// methods, or writing the system in real and imaginary parts. BDF on a complex system is
// SciPy's (NDF) at any size, never CVODE (whose weighted norms are not SciPy's).
#include <complex>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "soma/core/std_function.hpp"
#include "soma/ode/dense_output.hpp"
#include "soma/ode/solve_ivp.hpp"

namespace soma::ode {

using Complex = std::complex<double>;

// dy/dt = f(t, y) for complex y, written into dydt (y's size).
using ComplexRhs =
    std::function<void(double t, std::span<const Complex> y, std::span<Complex> dydt)>;
// The complex Jacobian df/dy at (t, y), row-major: jac[i * n + j] = d f_i / d y_j.
using ComplexJacobian =
    std::function<void(double t, std::span<const Complex> y, std::span<Complex> jac)>;

// An event of a complex system: a zero of the real function fn(t, y) (see Event).
struct ComplexEvent {
  std::function<double(double t, std::span<const Complex> y)> fn{};
  bool terminal = false;
  int direction = 0;
};

// Options's fields for a complex system (see Options for each); the tolerances apply to the
// moduli of the components.
struct ComplexOptions {
  Method method = Method::RK45;
  double rtol = 1e-3;
  double atol = 1e-6;
  std::vector<double> atol_vector = {};  // one per (complex) component of y0
  double max_step = std::numeric_limits<double>::infinity();
  double first_step = 0;
  std::vector<double> t_eval = {};
  bool dense_output = false;
  std::vector<ComplexEvent> events = {};
  ComplexJacobian jac = {};  // for BDF; empty: finite differences
  std::int64_t max_steps = 0;
  std::function<void(double t)> on_step = {};
};

// Complex states at a sequence of times, row-major as Trajectory.
class ComplexTrajectory {
 public:
  ComplexTrajectory() = default;
  explicit ComplexTrajectory(std::size_t dim) : dim_(dim) {}
  std::size_t dim() const { return dim_; }
  std::size_t size() const { return rows_; }
  bool empty() const { return rows_ == 0; }
  std::span<const Complex> operator[](std::size_t i) const {
    return {data_.data() + i * dim_, dim_};
  }
  Complex operator()(std::size_t i, std::size_t j) const { return data_[i * dim_ + j]; }
  std::vector<Complex> component(std::size_t j) const {
    std::vector<Complex> out(size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = data_[i * dim_ + j];
    return out;
  }
  std::span<const Complex> back() const { return (*this)[size() - 1]; }
  void push_back(std::span<const Complex> state) {
    data_.insert(data_.end(), state.begin(), state.end());
    ++rows_;
  }
  const std::vector<Complex>& data() const { return data_; }

 private:
  std::size_t dim_ = 0, rows_ = 0;
  std::vector<Complex> data_;
};

// The dense output of a complex system: its real form's, read back as complex values.
class ComplexDenseSolution {
 public:
  ComplexDenseSolution() = default;
  explicit ComplexDenseSolution(DenseSolution real) : real_(std::move(real)) {}
  std::size_t dim() const { return real_.dim() / 2; }
  bool empty() const { return real_.empty(); }
  double t_min() const { return real_.t_min(); }
  double t_max() const { return real_.t_max(); }
  // The state at t (outside [t_min, t_max] extrapolated, as DenseSolution).
  std::vector<Complex> operator()(double t) const;
  void evaluate(double t, std::span<Complex> out) const;

 private:
  DenseSolution real_;
};

// Result's fields with complex states: states[i] is the state at t[i]; y(j) and y() are
// SciPy's component-major sol.y.
struct ComplexResult {
  std::vector<double> t{};
  ComplexTrajectory states{};
  std::int64_t nfev = 0;  // evaluations of f (finite-difference Jacobians included)
  std::int64_t njev = 0;
  std::int64_t nlu = 0;
  std::int64_t nsteps = 0;
  Status status = Status::Failed;
  std::string message{};
  ComplexDenseSolution sol{};  // empty unless dense_output
  std::vector<std::vector<double>> t_events{};
  std::vector<ComplexTrajectory> y_events{};
  bool success() const { return status != Status::Failed; }
  // Component j at every stored time, as SciPy's sol.y[j].
  std::vector<Complex> y(std::size_t j) const;
  // SciPy's sol.y: one row per component.
  std::vector<std::vector<Complex>> y() const;
};

// Integrates the complex system dy/dt = f(t, y) from t_span.t0 to t_span.tf. Throws
// soma::Error on invalid input (as the real solve_ivp) and for the methods without complex
// support (LSODA, Adams, Radau; SciPy refuses them too).
ComplexResult solve_ivp(const ComplexRhs& f, TimeSpan t_span, std::span<const Complex> y0,
                        const ComplexOptions& options = {});
ComplexResult solve_ivp(const ComplexRhs& f, TimeSpan t_span, std::initializer_list<Complex> y0,
                        const ComplexOptions& options = {});

}  // namespace soma::ode
