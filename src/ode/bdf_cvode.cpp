// BDF through SUNDIALS CVODE in one-step mode: solve_ivp's driver sees each step, and
// interpolates inside it with CVodeGetDky (the Nordsieck history polynomial of the step).
#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include <cmath>
#include <exception>
#include <string>
#include <utility>

#include "ode/bdf.hpp"

namespace soma::ode::detail {
namespace {

class CvodeBdf final : public BdfStepper {
 public:
  explicit CvodeBdf(const Problem& p)
      : f_{p.f}, jac_(p.jac && *p.jac ? p.jac : nullptr), n_(p.y0.size()), t_bound_(p.t_bound) {
    t_ = t_old_ = t_start_ = p.t0;
    y_.assign(p.y0.begin(), p.y0.end());
    try {
      setup(p);
    } catch (...) {
      release();  // the destructor does not run for a constructor that throws
      throw;
    }
  }
  ~CvodeBdf() override { release(); }

  void setup(const Problem& p) {
    if (SUNContext_Create(nullptr, &ctx_) != 0) fail_setup("SUNContext_Create");
    const auto n = static_cast<sunindextype>(n_);
    y_nv_ = N_VNew_Serial(n, ctx_);
    dky_ = N_VNew_Serial(n, ctx_);
    atol_ = N_VNew_Serial(n, ctx_);
    for (std::size_t i = 0; i < n_; ++i) {
      NV_Ith_S(y_nv_, i) = y_[i];
      NV_Ith_S(atol_, i) = p.tol.atol[i];
    }
    mem_ = CVodeCreate(CV_BDF, ctx_);
    if (!mem_) fail_setup("CVodeCreate");
    check(CVodeInit(mem_, &CvodeBdf::rhs, p.t0, y_nv_), "CVodeInit");
    check(CVodeSetUserData(mem_, this), "CVodeSetUserData");
    check(CVodeSetErrHandlerFn(mem_, &CvodeBdf::on_error, this), "CVodeSetErrHandlerFn");
    check(CVodeSVtolerances(mem_, p.tol.rtol, atol_), "CVodeSVtolerances");
    A_ = SUNDenseMatrix(n, n, ctx_);
    LS_ = SUNLinSol_Dense(y_nv_, A_, ctx_);
    check(CVodeSetLinearSolver(mem_, LS_, A_), "CVodeSetLinearSolver");
    if (jac_) {
      jac_rowmajor_.resize(n_ * n_);
      check(CVodeSetJacFn(mem_, &CvodeBdf::jacobian), "CVodeSetJacFn");
    }
    if (std::isfinite(p.max_step)) check(CVodeSetMaxStep(mem_, p.max_step), "CVodeSetMaxStep");
    if (p.first_step > 0) check(CVodeSetInitStep(mem_, p.first_step), "CVodeSetInitStep");
    check(CVodeSetMaxNumSteps(mem_, -1), "CVodeSetMaxNumSteps");  // the driver counts steps
    check(CVodeSetStopTime(mem_, t_bound_), "CVodeSetStopTime");
  }
  void release() {
    if (mem_) CVodeFree(&mem_);
    if (LS_) SUNLinSolFree(LS_);
    if (A_) SUNMatDestroy(A_);
    for (N_Vector v : {y_nv_, dky_, atol_})
      if (v) N_VDestroy(v);
    if (ctx_) SUNContext_Free(&ctx_);
    LS_ = nullptr;
    A_ = nullptr;
    y_nv_ = dky_ = atol_ = nullptr;
  }
  CvodeBdf(const CvodeBdf&) = delete;
  CvodeBdf& operator=(const CvodeBdf&) = delete;

  Method method() const override { return Method::BDF; }
  std::int64_t nfev() const override { return f_.count; }
  // CVodeReInit zeroes CVODE's counters, so restarts carry them over in njev0_, nlu0_.
  std::int64_t njev() const override { return njev0_ + counter(&CVodeGetNumJacEvals); }
  std::int64_t nlu() const override { return nlu0_ + counter(&CVodeGetNumLinSolvSetups); }
  double last_step() const override {
    double h = 0;
    CVodeGetLastStep(mem_, &h);
    return h;
  }

  bool step() override {
    double t_ret = t_;
    error_message_.clear();
    const int flag = CVode(mem_, t_bound_, y_nv_, &t_ret, CV_ONE_STEP);
    if (pending_) std::rethrow_exception(std::exchange(pending_, nullptr));
    if (flag < 0) {
      message_ = "BDF (CVODE) failed at t = " + std::to_string(t_) + ": " +
                 (error_message_.empty() ? CVodeGetReturnFlagName(flag) : error_message_);
      return false;
    }
    t_old_ = t_;
    t_ = t_ret;
    for (std::size_t i = 0; i < n_; ++i) y_[i] = NV_Ith_S(y_nv_, i);
    return true;
  }

  void interpolate(double t, std::span<double> out) override {
    if (t == t_) {
      std::copy(y_.begin(), y_.end(), out.begin());
      return;
    }
    CVodeGetDky(mem_, t, 0, dky_);
    for (std::size_t i = 0; i < n_; ++i) out[i] = NV_Ith_S(dky_, i);
  }

  // Taylor coefficients about t_: c_k = y^(k)(t_) / k!, k = 0..q (q the order last used).
  void append_dense(DenseSolution& sol) override {
    int q = 1;
    CVodeGetLastOrder(mem_, &q);
    coef_.resize((q + 1) * n_);
    double fact = 1;
    for (int k = 0; k <= q; ++k) {
      if (k > 0) fact *= k;
      if (k == 0) {
        std::copy(y_.begin(), y_.end(), coef_.begin());
        continue;
      }
      CVodeGetDky(mem_, t_, k, dky_);
      for (std::size_t i = 0; i < n_; ++i) coef_[k * n_ + i] = NV_Ith_S(dky_, i) / fact;
    }
    sol.append(DenseSolution::Kind::Taylor, t_old_, t_, coef_);
  }

  void restart(double t, std::span<const double> y) override {
    njev0_ = njev();
    nlu0_ = nlu();
    for (std::size_t i = 0; i < n_; ++i) NV_Ith_S(y_nv_, i) = y_[i] = y[i];
    check(CVodeReInit(mem_, t, y_nv_), "CVodeReInit");
    check(CVodeSetStopTime(mem_, t_bound_), "CVodeSetStopTime");
    t_ = t_old_ = t_start_ = t;
  }

 private:
  static int rhs(double t, N_Vector y, N_Vector ydot, void* user) {
    auto* self = static_cast<CvodeBdf*>(user);
    try {
      self->f_(t, {N_VGetArrayPointer(y), self->n_}, {N_VGetArrayPointer(ydot), self->n_});
      for (std::size_t i = 0; i < self->n_; ++i)
        if (!std::isfinite(NV_Ith_S(ydot, i))) return 1;  // recoverable: CVODE cuts the step
      return 0;
    } catch (...) {
      self->pending_ = std::current_exception();
      return -1;
    }
  }
  static int jacobian(double t, N_Vector y, N_Vector, SUNMatrix J, void* user, N_Vector, N_Vector,
                      N_Vector) {
    auto* self = static_cast<CvodeBdf*>(user);
    try {
      const std::size_t n = self->n_;
      (*self->jac_)(t, {N_VGetArrayPointer(y), n}, self->jac_rowmajor_);
      double* dst = SUNDenseMatrix_Data(J);  // column-major
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) dst[j * n + i] = self->jac_rowmajor_[i * n + j];
      return 0;
    } catch (...) {
      self->pending_ = std::current_exception();
      return -1;
    }
  }
  static void on_error(int, const char*, const char* function, char* msg, void* user) {
    static_cast<CvodeBdf*>(user)->error_message_ = std::string(function) + ": " + msg;
  }
  void check(int flag, const char* what) {
    if (flag < 0) fail_setup(what);
  }
  [[noreturn]] void fail_setup(const char* what) {
    throw std::runtime_error(std::string("soma::ode BDF: SUNDIALS call ") + what + " failed" +
                             (error_message_.empty() ? "" : ": " + error_message_));
  }
  std::int64_t counter(int (*get)(void*, long*)) const {
    long v = 0;
    get(mem_, &v);
    return v;
  }

  CountedRhs f_;
  const Jacobian* jac_;
  std::size_t n_;
  double t_bound_;
  std::int64_t njev0_ = 0, nlu0_ = 0;
  SUNContext ctx_ = nullptr;
  void* mem_ = nullptr;
  N_Vector y_nv_ = nullptr, dky_ = nullptr, atol_ = nullptr;
  SUNMatrix A_ = nullptr;
  SUNLinearSolver LS_ = nullptr;
  std::vector<double> jac_rowmajor_, coef_;
  std::exception_ptr pending_;
  std::string error_message_;
};

}  // namespace

std::unique_ptr<BdfStepper> make_cvode_bdf_stepper(const Problem& p) {
  return std::make_unique<CvodeBdf>(p);
}

}  // namespace soma::ode::detail
