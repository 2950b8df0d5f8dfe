// Fixed-step methods: forward Euler and the classical fourth-order Runge-Kutta method.
// Times are t0 + k h (not accumulated sums, so t does not drift); the last step is shortened
// to land on t_bound. Dense output is the cubic Hermite interpolant through both ends.
#include <cmath>

#include "ode/stepper.hpp"

namespace soma::ode::detail {
namespace {

class FixedStep final : public Stepper {
 public:
  FixedStep(Method m, const Problem& p)
      : method_(m), f_{p.f}, n_(p.y0.size()), t0_(p.t0), t_bound_(p.t_bound) {
    t_ = t_old_ = t_start_ = p.t0;
    direction_ = p.t_bound >= p.t0 ? 1.0 : -1.0;
    h_ = p.first_step > 0 ? p.first_step : p.max_step;
    y_.assign(p.y0.begin(), p.y0.end());
    y_old_ = f_old_ = fcur_ = tmp_ = k2_ = k3_ = k4_ = y_;
    f_(t_, y_, fcur_);
  }
  Method method() const override { return method_; }
  std::int64_t nfev() const override { return f_.count; }

  bool step() override {
    ++k_;
    double t_new = t0_ + direction_ * h_ * static_cast<double>(k_);
    // Snap to the end rather than leave a sliver of a step (relative to h) for rounding.
    if (direction_ * (t_new - t_bound_) > -1e-9 * h_) t_new = t_bound_;
    const double h = t_new - t_;
    std::swap(y_old_, y_);
    std::swap(f_old_, fcur_);
    const auto& y0 = y_old_;
    const auto& k1 = f_old_;
    if (method_ == Method::Euler) {
      for (std::size_t i = 0; i < n_; ++i) y_[i] = y0[i] + h * k1[i];
    } else {
      for (std::size_t i = 0; i < n_; ++i) tmp_[i] = y0[i] + 0.5 * h * k1[i];
      f_(t_ + 0.5 * h, tmp_, k2_);
      for (std::size_t i = 0; i < n_; ++i) tmp_[i] = y0[i] + 0.5 * h * k2_[i];
      f_(t_ + 0.5 * h, tmp_, k3_);
      for (std::size_t i = 0; i < n_; ++i) tmp_[i] = y0[i] + h * k3_[i];
      f_(t_new, tmp_, k4_);
      for (std::size_t i = 0; i < n_; ++i)
        y_[i] = y0[i] + h / 6 * (k1[i] + 2 * k2_[i] + 2 * k3_[i] + k4_[i]);
    }
    t_old_ = t_;
    t_ = t_new;
    // f at the new point is the next step's first stage (and the Hermite end slope).
    f_(t_, y_, fcur_);
    for (double v : y_)
      if (!std::isfinite(v)) {
        message_ = "The solution became non-finite (the fixed step is too large?).";
        return false;
      }
    return true;
  }

  // Cubic Hermite: y0 + h f0 x + (3d - h(2 f0 + f1)) x^2 + (h(f0 + f1) - 2d) x^3, d = y1 - y0.
  void coefficients(std::vector<double>& c) const {
    const double h = t_ - t_old_;
    c.resize(4 * n_);
    for (std::size_t i = 0; i < n_; ++i) {
      const double d = y_[i] - y_old_[i];
      c[i] = y_old_[i];
      c[n_ + i] = h * f_old_[i];
      c[2 * n_ + i] = 3 * d - h * (2 * f_old_[i] + fcur_[i]);
      c[3 * n_ + i] = h * (f_old_[i] + fcur_[i]) - 2 * d;
    }
  }
  void interpolate(double t, std::span<double> out) override {
    coefficients(coef_);
    const double x = (t - t_old_) / (t_ - t_old_);
    for (std::size_t i = 0; i < n_; ++i)
      out[i] = coef_[i] + x * (coef_[n_ + i] + x * (coef_[2 * n_ + i] + x * coef_[3 * n_ + i]));
  }
  void append_dense(DenseSolution& sol) override {
    coefficients(coef_);
    sol.append(DenseSolution::Kind::Power, t_old_, t_, coef_);
  }

 private:
  Method method_;
  CountedRhs f_;
  std::size_t n_;
  double t0_, t_bound_, direction_ = 1, h_ = 0;
  std::int64_t k_ = 0;
  std::vector<double> y_old_, f_old_, fcur_, tmp_, k2_, k3_, k4_, coef_;
};

}  // namespace

std::unique_ptr<Stepper> make_fixed_step(Method m, const Problem& p) {
  return std::make_unique<FixedStep>(m, p);
}

}  // namespace soma::ode::detail
