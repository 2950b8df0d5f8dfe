// Adaptive explicit Runge-Kutta steppers (RK23, RK45, DOP853): a port of SciPy's rk.py
// (step-size control, error norms, FSAL, dense output) over flat buffers that are allocated
// once, so a step allocates nothing.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "ode/dop853_coefficients.hpp"
#include "ode/explicit_rk.hpp"
#include "ode/rk_tableaus.hpp"

namespace soma::ode::detail {
namespace {

constexpr double kSafety = 0.9, kMinFactor = 0.2, kMaxFactor = 10;

struct Dop853Tableau {
  static constexpr int n_stages = dop853::n_stages, order = 8, error_order = 7,
                       n_poly = dop853::interpolator_power;
  static constexpr const auto& C = dop853::C;
  static constexpr const auto& A = dop853::A;
  static constexpr const auto& B = dop853::B;
};

template <class T>
class ExplicitRk final : public RkStepper {
  static constexpr int S = T::n_stages;
  static constexpr bool is_dop853 = std::is_same_v<T, Dop853Tableau>;
  // DOP853's dense output needs three extra stages.
  static constexpr int n_rows = is_dop853 ? dop853::n_stages_extended : S + 1;

 public:
  ExplicitRk(Method m, const Problem& p, bool detect_stiffness)
      : method_(m),
        f_{p.f},
        n_(p.y0.size()),
        t_bound_(p.t_bound),
        tol_(p.tol),
        max_step_(p.max_step),
        detect_stiffness_(detect_stiffness) {
    t_ = t_old_ = t_start_ = p.t0;
    direction_ = p.t_bound >= p.t0 ? 1.0 : -1.0;
    y_.assign(p.y0.begin(), p.y0.end());
    y_old_ = y_new_ = tmp_ = scale_ = fcur_ = y_;
    K_.assign(static_cast<std::size_t>(n_rows) * n_, 0.0);
    dense_.assign(static_cast<std::size_t>(8) * n_, 0.0);
    f_(t_, y_, fcur_);
    h_abs_ = p.first_step > 0
                 ? p.first_step
                 : select_initial_step(f_, t_, y_, fcur_, direction_, T::error_order, tol_);
  }

  Method method() const override { return method_; }
  std::int64_t nfev() const override { return f_.count; }
  bool stiff() const override { return stiff_count_ >= 15; }

  bool step() override {
    const double t = t_;
    const double min_step = 10 * std::fabs(std::nextafter(t, direction_ * kInf) - t);
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
      for (std::size_t i = 0; i < n_; ++i)
        scale_[i] = tol_.atol[i] + std::max(std::fabs(y_[i]), std::fabs(y_new_[i])) * tol_.rtol;
      const double err = error_norm(h);
      if (!std::isfinite(err)) {
        // A non-finite error (overflow in f) is treated as a rejection by the smallest factor.
        h_abs *= kMinFactor;
        rejected = true;
        continue;
      }
      if (err < 1) {
        double factor =
            err == 0 ? kMaxFactor : std::min(kMaxFactor, kSafety * std::pow(err, exponent_));
        if (rejected) factor = std::min(1.0, factor);
        h_abs *= factor;
        break;
      }
      h_abs *= std::max(kMinFactor, kSafety * std::pow(err, exponent_));
      rejected = true;
    }
    if (detect_stiffness_) update_stiffness(h);
    h_prev_ = h;
    t_old_ = t;
    t_ = t_new;
    std::swap(y_old_, y_);
    std::swap(y_, y_new_);
    std::copy_n(K_.data() + S * n_, n_, fcur_.data());
    h_abs_ = h_abs;
    dense_ready_ = false;
    return true;
  }

  void interpolate(double t, std::span<double> out) override {
    prepare_dense();
    const double x = (t - t_old_) / h_prev_;
    if constexpr (is_dop853) {
      for (std::size_t i = 0; i < n_; ++i) {
        double acc = 0;
        for (int k = dop853::interpolator_power - 1; k >= 0; --k) {
          acc += dense_[k * n_ + i];
          acc *= (k % 2 == 0) ? x : 1 - x;
        }
        out[i] = y_old_[i] + acc;
      }
    } else {
      for (std::size_t i = 0; i < n_; ++i) {
        double acc = 0;
        for (int k = T::n_poly - 1; k >= 0; --k) acc = (acc + dense_[k * n_ + i]) * x;
        out[i] = y_old_[i] + acc;
      }
    }
  }

  void append_dense(DenseSolution& sol) override {
    prepare_dense();
    constexpr int rows = T::n_poly;
    std::copy_n(y_old_.data(), n_, coef_scratch());
    std::copy_n(dense_.data(), rows * n_, coef_scratch() + n_);
    sol.append(is_dop853 ? DenseSolution::Kind::Dop853 : DenseSolution::Kind::Power, t_old_, t_,
               {coef_scratch(), (rows + 1) * n_});
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  double* coef_scratch() {
    if (coef_.empty()) coef_.resize(9 * n_);
    return coef_.data();
  }
  double* K(int s) { return K_.data() + static_cast<std::size_t>(s) * n_; }

  // One Runge-Kutta step of size h from (t, y_): stages into K rows 0..S-1, the solution
  // into y_new_ and f(t + h, y_new_) into row S (SciPy's rk_step).
  void rk_step(double t, double h) {
    std::copy_n(fcur_.data(), n_, K(0));
    for (int s = 1; s < S; ++s) {
      for (std::size_t i = 0; i < n_; ++i) {
        double acc = 0;
        for (int j = 0; j < s; ++j) acc += T::A[s][j] * K_[j * n_ + i];
        tmp_[i] = y_[i] + h * acc;
      }
      f_(t + T::C[s] * h, tmp_, {K(s), n_});
    }
    for (std::size_t i = 0; i < n_; ++i) {
      double acc = 0;
      for (int j = 0; j < S; ++j) acc += T::B[j] * K_[j * n_ + i];
      y_new_[i] = y_[i] + h * acc;
    }
    f_(t + h, y_new_, {K(S), n_});
  }

  double error_norm(double h) {
    if constexpr (is_dop853) {
      // Hairer's combination of the 5th- and 3rd-order estimates (SciPy's DOP853).
      double e5 = 0, e3 = 0;
      for (std::size_t i = 0; i < n_; ++i) {
        double a5 = 0, a3 = 0;
        for (int j = 0; j <= S; ++j) {
          a5 += dop853::E5[j] * K_[j * n_ + i];
          a3 += dop853::E3[j] * K_[j * n_ + i];
        }
        a5 /= scale_[i];
        a3 /= scale_[i];
        e5 += a5 * a5;
        e3 += a3 * a3;
      }
      if (e5 == 0 && e3 == 0) return 0.0;
      const double denom = e5 + 0.01 * e3;
      return std::fabs(h) * e5 / std::sqrt(denom * static_cast<double>(n_));
    } else {
      double s2 = 0;
      for (std::size_t i = 0; i < n_; ++i) {
        double acc = 0;
        for (int j = 0; j <= S; ++j) acc += T::E[j] * K_[j * n_ + i];
        const double e = acc * h / scale_[i];
        s2 += e * e;
      }
      return std::sqrt(s2 / static_cast<double>(n_));
    }
  }

  // Hairer's stiffness test from dopri5.f: h * |k7 - k6| / |y_new - y_stage6| estimates
  // h |lambda| along the dominant direction; beyond 3.25 (the edge of DOPRI5's stability
  // region) in 15 accepted steps, without 6 consecutive calm ones between, means stiff.
  void update_stiffness(double h) {
    if constexpr (!is_dop853 && S == 6) {
      double num = 0, den = 0;
      for (std::size_t i = 0; i < n_; ++i) {
        const double a = K_[S * n_ + i] - K_[(S - 1) * n_ + i];
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
      for (int s = S + 1; s < dop853::n_stages_extended; ++s) {
        for (std::size_t i = 0; i < n_; ++i) {
          double acc = 0;
          for (int j = 0; j < s; ++j) acc += dop853::A[s][j] * K_[j * n_ + i];
          tmp_[i] = y_old_[i] + h * acc;
        }
        f_(t_old_ + dop853::C[s] * h, tmp_, {K(s), n_});
      }
      for (std::size_t i = 0; i < n_; ++i) {
        const double dy = y_[i] - y_old_[i], f_old = K_[i];
        dense_[i] = dy;
        dense_[n_ + i] = h * f_old - dy;
        dense_[2 * n_ + i] = 2 * dy - h * (fcur_[i] + f_old);
        for (int r = 0; r < dop853::interpolator_power - 3; ++r) {
          double acc = 0;
          for (int j = 0; j < dop853::n_stages_extended; ++j)
            acc += dop853::D[r][j] * K_[j * n_ + i];
          dense_[(3 + r) * n_ + i] = h * acc;
        }
      }
    } else {
      // Row k of dense_ holds h * (K^T P)[:, k], the coefficient of x^(k+1).
      for (int k = 0; k < T::n_poly; ++k)
        for (std::size_t i = 0; i < n_; ++i) {
          double acc = 0;
          for (int j = 0; j <= S; ++j) acc += T::P[j][k] * K_[j * n_ + i];
          dense_[k * n_ + i] = h * acc;
        }
    }
  }

  Method method_;
  CountedRhs f_;
  std::size_t n_;
  double t_bound_;
  Tolerances tol_;
  double max_step_, direction_ = 1, h_abs_ = 0, h_prev_ = 0;
  double exponent_ = -1.0 / (T::error_order + 1);
  bool detect_stiffness_, dense_ready_ = false;
  int stiff_count_ = 0, calm_count_ = 0;
  std::vector<double> y_old_, y_new_, tmp_, scale_, fcur_, K_, dense_, coef_;
};

}  // namespace

std::unique_ptr<RkStepper> make_explicit_rk(Method m, const Problem& p, bool detect_stiffness) {
  switch (m) {
    case Method::RK23:
      return std::make_unique<ExplicitRk<Rk23Tableau>>(m, p, false);
    case Method::RK45:
      return std::make_unique<ExplicitRk<Rk45Tableau>>(m, p, detect_stiffness);
    case Method::DOP853:
      return std::make_unique<ExplicitRk<Dop853Tableau>>(m, p, false);
    default:
      return nullptr;
  }
}

}  // namespace soma::ode::detail
