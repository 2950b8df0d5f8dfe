// The stepper of a system with no variables (y0 empty): nothing changes, so the one step
// goes from t0 straight to t_bound (which may be infinite) without evaluating f, as
// SciPy's OdeSolver.step does for n == 0.
#include "ode/stepper.hpp"

namespace soma::ode::detail {
namespace {

class ConstantStep final : public Stepper {
 public:
  ConstantStep(const Problem& p, Method m) : method_(m), t_bound_(p.t_bound) {
    t_ = t_old_ = t_start_ = p.t0;
    y_.assign(p.y0.begin(), p.y0.end());
  }
  bool step() override {
    t_old_ = t_;
    t_ = t_bound_;
    return true;
  }
  void interpolate(double, std::span<double> out) override {
    std::copy(y_.begin(), y_.end(), out.begin());
  }
  void append_dense(DenseSolution& sol) override {
    sol.append(DenseSolution::Kind::Taylor, t_old_, t_, y_);
  }
  Method method() const override { return method_; }
  std::int64_t nfev() const override { return 0; }

 private:
  Method method_;
  double t_bound_;
};

}  // namespace

std::unique_ptr<Stepper> make_constant(const Problem& p, Method m) {
  return std::make_unique<ConstantStep>(p, m);
}

}  // namespace soma::ode::detail
