#pragma once
// Adaptive explicit Runge-Kutta steppers (RK23, RK45, DOP853): a port of SciPy's rk.py
// (step-size control, error norms, FSAL, dense output) over flat buffers that are allocated
// once, so a step allocates nothing. A template so that solve_ivp_inline can inline f into
// the stages; solve_ivp instantiates it once per method in explicit_rk.cpp.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "soma/ode/detail/rk_tableaus.hpp"
#include "soma/ode/detail/stepper.hpp"

namespace soma::ode::detail {

class RkStepper : public Stepper {
 public:
  // With stiffness detection on (RK45 only): Hairer's test says the problem is stiff.
  virtual bool stiff() const = 0;
};

inline constexpr double kRkSafety = 0.9, kRkMinFactor = 0.2, kRkMaxFactor = 10;

// Hairer's DOP853 tableau (Dop853Tableau in explicit_rk.cpp) adds E3/E5 error weights,
// three extra dense-output stages and the dense-output matrix D.
template <class T>
inline constexpr bool is_dop853_tableau = requires {
  T::E5;
};

// N > 0 fixes the dimension at compile time (the loops over components unroll); N = 0 is
// any dimension. Fn calls f and counts the calls: CountedRhs (through std::function) or
// CountedFn<F> (a callable the compiler inlines into the stages).
template <class T, std::size_t N, class Fn = CountedRhs>
class ExplicitRk final : public RkStepper {
  static constexpr int S = T::n_stages;
  static constexpr bool is_dop853 = is_dop853_tableau<T>;
  // DOP853's dense output needs three extra stages.
  static constexpr int row_count() {
    if constexpr (is_dop853)
      return T::n_stages_extended;
    else
      return S + 1;
  }
  static constexpr int n_rows = row_count();
  static constexpr int n_dense = T::n_poly;
  // Work arrays of `rows` states: inside the object when N is fixed, so that their
  // addresses are constants and a step touches no heap pointer.
  template <std::size_t rows>
  using Buf = std::conditional_t<N == 0, std::vector<double>, std::array<double, rows * N>>;
  using Vec = Buf<1>;

 public:
  ExplicitRk(Method m, const Problem& p,
             bool detect_stiffness) requires std::is_same_v<Fn, CountedRhs>
      : ExplicitRk(m, p, detect_stiffness, CountedRhs{p.f}) {}
  ExplicitRk(Method m, const Problem& p, bool detect_stiffness, Fn f)
      : method_(m),
        f_(std::move(f)),
        n_(p.y0.size()),
        t_bound_(p.t_bound),
        tol_(p.tol),
        max_step_(p.max_step),
        detect_stiffness_(detect_stiffness) {
    t_ = t_old_ = t_start_ = p.t0;
    direction_ = p.t_bound >= p.t0 ? 1.0 : -1.0;
    y_.assign(p.y0.begin(), p.y0.end());
    for (Vec* v : {&cur_, &y_old_, &y_new_, &tmp_, &scale_, &fcur_}) sized(*v, 1);
    sized(K_, n_rows);
    sized(dense_, n_dense);
    std::copy_n(y_.data(), n(), cur_.data());
    f_(t_, y_, {fcur_.data(), n()});
    if (p.first_step > 0) {
      h_abs_ = p.first_step;
    } else {
      CountedRhs g{p.f};  // p.f is the same f, behind std::function (used once)
      h_abs_ =
          select_initial_step(g, t_, y_, {fcur_.data(), n()}, direction_, T::error_order, tol_);
      f_.count += g.count;
    }
  }

  Method method() const override { return method_; }
  std::int64_t nfev() const override { return f_.count; }
  bool stiff() const override { return stiff_count_ >= 15; }

  bool step() override {
    const double t = t_;
    const double min_step = 10 * std::fabs(next_toward(t, direction_) - t);
    double h_abs = h_abs_ > max_step_ ? max_step_ : (h_abs_ < min_step ? min_step : h_abs_);
    bool rejected = false;
    double h = 0, t_new = t;
    for (;;) {
      if (h_abs < min_step) {
        message_ = "Required step size is less than spacing between numbers.";
        return false;
      }
      h = h_abs * direction_;
      t_new = t + h;
      if (direction_ * (t_new - t_bound_) > 0) t_new = t_bound_;
      h = t_new - t;
      h_abs = std::fabs(h);
      rk_step(t, h);
      for (std::size_t i = 0; i < n(); ++i)
        scale_[i] = tol_.atol[i] + std::max(std::fabs(cur_[i]), std::fabs(y_new_[i])) * tol_.rtol;
      const double err = error_norm(h);
      if (!std::isfinite(err)) {
        // A non-finite error (overflow in f) is treated as a rejection by the smallest factor.
        h_abs *= kRkMinFactor;
        rejected = true;
        continue;
      }
      if (err < 1) {
        double factor =
            err == 0 ? kRkMaxFactor : std::min(kRkMaxFactor, kRkSafety * std::pow(err, exponent_));
        if (rejected) factor = std::min(1.0, factor);
        h_abs *= factor;
        break;
      }
      h_abs *= std::max(kRkMinFactor, kRkSafety * std::pow(err, exponent_));
      rejected = true;
    }
    if (detect_stiffness_) update_stiffness(h);
    h_prev_ = h;
    t_old_ = t;
    t_ = t_new;
    std::swap(y_old_, cur_);
    std::swap(cur_, y_new_);
    std::copy_n(cur_.data(), n(), y_.data());
    std::copy_n(K_.data() + S * n(), n(), fcur_.data());
    h_abs_ = h_abs;
    dense_ready_ = false;
    return true;
  }

  void interpolate(double t, std::span<double> out) override {
    prepare_dense();
    const double x = (t - t_old_) / h_prev_;
    if constexpr (is_dop853) {
      for (std::size_t i = 0; i < n(); ++i) {
        double acc = 0;
        for (int k = T::n_poly - 1; k >= 0; --k) {
          acc += dense_[k * n() + i];
          acc *= (k % 2 == 0) ? x : 1 - x;
        }
        out[i] = y_old_[i] + acc;
      }
    } else {
      for (std::size_t i = 0; i < n(); ++i) {
        double acc = 0;
#pragma GCC unroll 16
        for (int k = T::n_poly - 1; k >= 0; --k) acc = (acc + dense_[k * n() + i]) * x;
        out[i] = y_old_[i] + acc;
      }
    }
  }

  void append_dense(DenseSolution& sol) override {
    prepare_dense();
    constexpr int rows = T::n_poly;
    std::copy_n(y_old_.data(), n(), coef_scratch());
    std::copy_n(dense_.data(), rows * n(), coef_scratch() + n());
    sol.append(is_dop853 ? DenseSolution::Kind::Dop853 : DenseSolution::Kind::Power, t_old_, t_,
               {coef_scratch(), (rows + 1) * n()});
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  std::size_t n() const {
    if constexpr (N > 0) return N;
    return n_;
  }
  double* coef_scratch() {
    if (coef_.empty()) coef_.resize(9 * n());
    return coef_.data();
  }
  template <class V>
  void sized(V& v, std::size_t rows) {
    if constexpr (N == 0)
      v.assign(rows * n_, 0.0);
    else
      v.fill(0.0);
  }
  // The floating-point neighbour of t towards +inf (direction > 0) or -inf, as std::nextafter
  // (a libm call per step otherwise).
  static double next_toward(double t, double direction) {
    if (t == 0) return direction * std::numeric_limits<double>::denorm_min();
    const auto bits = std::bit_cast<std::int64_t>(t);
    return std::bit_cast<double>((t > 0) == (direction > 0) ? bits + 1 : bits - 1);
  }
  double* K(int s) { return K_.data() + static_cast<std::size_t>(s) * n(); }

  // One Runge-Kutta step of size h from (t, y_): stages into K rows 0..S-1, the solution
  // into y_new_ and f(t + h, y_new_) into row S (SciPy's rk_step).
  void rk_step(double t, double h) {
    std::copy_n(fcur_.data(), n(), K(0));
    // Unrolled, the stage sums become straight-line code with the tableau's constants.
#pragma GCC unroll 16
    for (int s = 1; s < S; ++s) {
      for (std::size_t i = 0; i < n(); ++i) {
        double acc = 0;
#pragma GCC unroll 16
        for (int j = 0; j < s; ++j) acc += T::A[s][j] * K_[j * n() + i];
        tmp_[i] = cur_[i] + h * acc;
      }
      f_(t + T::C[s] * h, {tmp_.data(), n()}, {K(s), n()});
    }
    for (std::size_t i = 0; i < n(); ++i) {
      double acc = 0;
#pragma GCC unroll 16
      for (int j = 0; j < S; ++j) acc += T::B[j] * K_[j * n() + i];
      y_new_[i] = cur_[i] + h * acc;
    }
    f_(t + h, {y_new_.data(), n()}, {K(S), n()});
  }

  double error_norm(double h) {
    if constexpr (is_dop853) {
      // Hairer's combination of the 5th- and 3rd-order estimates (SciPy's DOP853).
      double e5 = 0, e3 = 0;
      for (std::size_t i = 0; i < n(); ++i) {
        double a5 = 0, a3 = 0;
        for (int j = 0; j <= S; ++j) {
          a5 += T::E5[j] * K_[j * n() + i];
          a3 += T::E3[j] * K_[j * n() + i];
        }
        a5 /= scale_[i];
        a3 /= scale_[i];
        e5 += a5 * a5;
        e3 += a3 * a3;
      }
      if (e5 == 0 && e3 == 0) return 0.0;
      const double denom = e5 + 0.01 * e3;
      return std::fabs(h) * e5 / std::sqrt(denom * static_cast<double>(n()));
    } else {
      double s2 = 0;
      for (std::size_t i = 0; i < n(); ++i) {
        double acc = 0;
#pragma GCC unroll 16
        for (int j = 0; j <= S; ++j) acc += T::E[j] * K_[j * n() + i];
        const double e = acc * h / scale_[i];
        s2 += e * e;
      }
      return std::sqrt(s2 / static_cast<double>(n()));
    }
  }

  // Hairer's stiffness test from dopri5.f: h * |k7 - k6| / |y_new - y_stage6| estimates
  // h |lambda| along the dominant direction; beyond 3.25 (the edge of DOPRI5's stability
  // region) in 15 accepted steps, without 6 consecutive calm ones between, means stiff.
  void update_stiffness(double h) {
    if constexpr (!is_dop853 && S == 6) {
      double num = 0, den = 0;
      for (std::size_t i = 0; i < n(); ++i) {
        const double a = K_[S * n() + i] - K_[(S - 1) * n() + i];
        const double b = y_new_[i] - tmp_[i];
        num += a * a;
        den += b * b;
      }
      if (den > 0 && std::fabs(h) * std::sqrt(num / den) > 3.25) {
        calm_count_ = 0;
        ++stiff_count_;
      } else if (++calm_count_ >= 6) {
        stiff_count_ = 0;
      }
    }
  }

  void prepare_dense() {
    if (dense_ready_) return;
    dense_ready_ = true;
    const double h = h_prev_;
    if constexpr (is_dop853) {
      // The three extra stages of the dense output (SciPy's DOP853._dense_output_impl).
      for (int s = S + 1; s < T::n_stages_extended; ++s) {
        for (std::size_t i = 0; i < n(); ++i) {
          double acc = 0;
          for (int j = 0; j < s; ++j) acc += T::A[s][j] * K_[j * n() + i];
          tmp_[i] = y_old_[i] + h * acc;
        }
        f_(t_old_ + T::C[s] * h, {tmp_.data(), n()}, {K(s), n()});
      }
      for (std::size_t i = 0; i < n(); ++i) {
        const double dy = cur_[i] - y_old_[i], f_old = K_[i];
        dense_[i] = dy;
        dense_[n() + i] = h * f_old - dy;
        dense_[2 * n() + i] = 2 * dy - h * (fcur_[i] + f_old);
        for (int r = 0; r < T::n_poly - 3; ++r) {
          double acc = 0;
          for (int j = 0; j < T::n_stages_extended; ++j) acc += T::D[r][j] * K_[j * n() + i];
          dense_[(3 + r) * n() + i] = h * acc;
        }
      }
    } else {
      // Row k of dense_ holds h * (K^T P)[:, k], the coefficient of x^(k+1).
      for (int k = 0; k < T::n_poly; ++k)
        for (std::size_t i = 0; i < n(); ++i) {
          double acc = 0;
#pragma GCC unroll 16
          for (int j = 0; j <= S; ++j) acc += T::P[j][k] * K_[j * n() + i];
          dense_[k * n() + i] = h * acc;
        }
    }
  }

  Method method_;
  Fn f_;
  std::size_t n_;
  double t_bound_;
  Tolerances tol_;
  double max_step_, direction_ = 1, h_abs_ = 0, h_prev_ = 0;
  double exponent_ = -1.0 / (T::error_order + 1);
  bool detect_stiffness_, dense_ready_ = false;
  int stiff_count_ = 0, calm_count_ = 0;
  // cur_ is the state at t_ (copied to the base's y_ after each step).
  Vec cur_, y_old_, y_new_, tmp_, scale_, fcur_;
  Buf<n_rows> K_;
  Buf<n_dense> dense_;
  std::vector<double> coef_;
};

}  // namespace soma::ode::detail
