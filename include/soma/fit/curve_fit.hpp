#pragma once
// curve_fit: SciPy's scipy.optimize.curve_fit for C++ callables.
//
//   // A model written once, generically, gets exact Jacobians by automatic
//   // differentiation (dual numbers, dual.hpp):
//   auto decay = []<class T>(double x, std::span<const T> p) -> T {
//     using std::exp;
//     return p[1] * exp(-x / p[0]);        // p = (tau, init)
//   };
//   soma::fit::CurveFitResult r = soma::fit::curve_fit(decay, x, y, {1.0, 1.0});
//   if (!r.converged) std::cerr << r.message << "\n";   // says plainly why not
//   // r.popt, r.pcov (n x n, row-major, scaled by SSR/(m-n) as SciPy), r.perr(), r.ssr
//
// A callable that only takes std::span<const double> still works; its
// Jacobian is then taken by forward differences (as SciPy's leastsq does).
// Expression-string models ("init*exp(-x/tau)", symbolic Jacobian) are in
// expression_model.hpp.
#include <array>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "soma/core/cpu.hpp"
#include "soma/core/std_algobase.hpp"
#include "soma/fit/dual.hpp"
#include "soma/fit/gram.hpp"
#include "soma/fit/least_squares.hpp"

namespace soma::fit {

struct CurveFitOptions {
  // Standard deviations of y (one per point; empty: all 1). Residuals are
  // (f(x) - y)/sigma, as SciPy's 1-D sigma.
  std::vector<double> sigma = {};
  // false: pcov is scaled by the reduced chi-square SSR/(m-n) (sigma gives
  // relative weights only); true: pcov = inv(J^T J) with sigma taken as absolute.
  bool absolute_sigma = false;
  std::vector<double> lower = {}, upper = {};  // bounds (empty: none) -> trust-region reflective
  Method method = Method::automatic;
  double ftol = 1.49012e-8, xtol = 1.49012e-8, gtol = 0.0;
  int max_nfev = 0;     // 0: SciPy's default for its method
  bool polish = false;  // long double Gauss-Newton polish (least_squares.hpp)
};

struct CurveFitResult {
  std::vector<std::string> names{};  // parameter names (expression models), else empty
  std::vector<double> popt{};        // parameters at the end (check `converged`!)
  std::vector<double> pcov{};        // n x n row-major; +inf where it cannot be estimated
  double ssr = 0.0;                  // sum of squared (weighted) residuals at popt
  int nfev = 0, njev = 0;
  int dof = 0;  // m - n
  Status status = Status::max_evaluations;
  bool converged = false;
  std::string message{};  // describe(status)
  // One standard deviation per parameter: sqrt(diag(pcov)).
  std::vector<double> perr() const {
    std::vector<double> e(popt.size());
    for (size_t k = 0; k < e.size(); ++k) e[k] = std::sqrt(pcov[k * popt.size() + k]);
    return e;
  }
};

// Covariance and the rest from a least-squares result (SciPy's scaling).
CurveFitResult make_curve_fit_result(const Result& r, size_t m, const CurveFitOptions& o);
Options solver_options(const CurveFitOptions& o);
// 1/sigma per point (checked: m values, all finite and > 0), or empty.
std::vector<double> weights_from_sigma(const std::vector<double>& sigma, size_t m);

// SSR over a grid: one parameter (index) varied over values, the others held
// at `params`; two axes give an a.size() x b.size() grid, ssr[i*b.size()+j].
struct GridAxis {
  size_t index = 0;
  std::vector<double> values{};
};
struct Landscape {
  GridAxis a{};
  std::optional<GridAxis> b{};
  std::vector<double> ssr{};  // NaN where the model is not finite
};
Landscape ssr_landscape(Residuals& problem, std::span<const double> params, const GridAxis& a,
                        const std::optional<GridAxis>& b = std::nullopt);

namespace detail {

// Models generic in their scalar type get Jacobians by dual numbers; N is the
// parameter count, fixed at compile time by dispatch below (up to kMaxAutoDiff).
inline constexpr size_t kMaxAutoDiff = 12;

[[noreturn]] void throw_too_many_parameters(size_t n);
// Sizes agree, and x and y are finite (as SciPy's check_finite): throws soma::Error.
void check_data(std::span<const double> x, std::span<const double> y, size_t n_params);

template <class F, class X>
inline constexpr bool is_generic_model =
    std::is_invocable_v<const F&, const X&, std::span<const Dual<1>>>;

// r_i = (f(x_i) - y_i) * w_i with w = 1/sigma (or 1). X is the row type (double,
// or an array for several predictors); Y is double or long double (data kept in
// extended precision for the polish).
template <size_t N, class F, class X, class Y>
class AutoDiffResiduals final : public Residuals {
 public:
  AutoDiffResiduals(const F& f, std::span<const X> x, std::span<const Y> y,
                    std::span<const double> w)
      : f_(f), x_(x), y_(y), w_(w) {}
  size_t size() const override { return x_.size(); }
  bool jacobian_with_residuals() const override { return true; }
  void evaluate(std::span<const double> p, std::span<double> r, std::span<double> jac) override {
    const size_t m = x_.size();
    if (jac.empty()) {
      for (size_t i = 0; i < m; ++i) {
        const double v = static_cast<double>(f_(x_[i], p));
        r[i] = (v - static_cast<double>(y_[i])) * weight(i);
      }
      return;
    }
    const Seeds seeds(p);
    for (size_t i0 = 0; i0 < m; i0 += kBlock) {
      const size_t len = std::min(kBlock, m - i0);
      model_block(seeds, i0, len);
      for (size_t i = 0; i < len; ++i)
        r[i0 + i] = (col_[N][i] - static_cast<double>(y_[i0 + i])) * weight(i0 + i);
      for (size_t k = 0; k < N; ++k)
        for (size_t i = 0; i < len; ++i) jac[i0 + i + k * m] = col_[k][i] * weight(i0 + i);
    }
  }
  // The same block loop, then weighting and the normal-equation sums while
  // the block is in L1: the Jacobian is never written out (gram.hpp).
  bool evaluate_normal(std::span<const double> p, double& ssr, std::span<double> jtj,
                       std::span<double> jtr) override {
    const size_t m = x_.size();
    const Seeds seeds(p);
    gram_.reset();
    for (size_t i0 = 0; i0 < m; i0 += kBlock) {
      const size_t len = std::min(kBlock, m - i0), padded = gram_padded(len);
      model_block(seeds, i0, len);
      for (size_t i = 0; i < len; ++i) col_[N][i] -= static_cast<double>(y_[i0 + i]);
      if (!w_.empty())
        for (size_t k = 0; k <= N; ++k)
          for (size_t i = 0; i < len; ++i) col_[k][i] *= w_[i0 + i];
      for (size_t k = 0; k <= N; ++k)
        std::fill(col_[k].begin() + len, col_[k].begin() + padded, 0.0);
      gram_.add(col_[0].data(), kBlock, padded);
    }
    gram_.finish(ssr, jtj, jtr);
    return true;
  }
  bool evaluate_extended(std::span<const long double> p, std::span<long double> r,
                         std::span<long double> jac) override {
    using D = Dual<N, long double>;
    const size_t m = x_.size();
    std::array<D, kMaxAutoDiff> pd;
    for (size_t k = 0; k < N; ++k) pd[k] = D::variable(p[k], k);
    const std::span<const D> ps(pd.data(), N);
    for (size_t i = 0; i < m; ++i) {
      const D v = f_(x_[i], ps);
      const long double w = weight(i);
      r[i] = (v.v - static_cast<long double>(y_[i])) * w;
      for (size_t k = 0; k < N; ++k) jac[i + k * m] = v.d[k] * w;
    }
    return true;
  }

 private:
  static constexpr size_t kBlock = 128;
  // The parameters as dual numbers seeded in their own directions. Storage
  // for kMaxAutoDiff, of which N are used: the dispatch instantiates every N,
  // and a model indexing p[1] must not read outside an array in the (never
  // run) N = 1 instance.
  struct Seeds {
    explicit Seeds(std::span<const double> p) {
      for (size_t k = 0; k < N; ++k) pd[k] = Dual<N>::variable(p[k], k);
    }
    std::array<Dual<N>, kMaxAutoDiff> pd;
  };
  // The model's value (col_[N]) and gradient (col_[0..N-1]) for rows
  // [i0, i0 + len): the one loop over the model, shared by both evaluations
  // (and kept out of line so it is compiled once per model and N). It stores
  // only through `col`, declared not to alias anything else, so the compiler
  // vectorises it (exp of a double dual is branch-free, dual.hpp).
  //
  // The model is the caller's code, compiled with the caller's flags (the x86-64 baseline
  // by default), out of reach of the library's per-level kernels: on x86-64 the loop is
  // compiled three times here — as it is, and through GCC's target attribute for AVX2+FMA
  // and AVX-512, the model inlined into each — and the one for soma's CPU level
  // (soma::cpu::active(), SOMA_CPU) runs.
  void model_block(const Seeds& seeds, size_t i0, size_t len) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__AVX2__)
    static const cpu::Isa level = cpu::active();
    if (level == cpu::Isa::avx512) return model_block_avx512(seeds, i0, len);
    if (level == cpu::Isa::avx2) return model_block_avx2(seeds, i0, len);
#endif
    model_block_default(seeds, i0, len);
  }
  [[gnu::noinline]] void model_block_default(const Seeds& seeds, size_t i0, size_t len) {
    block_loop(seeds, x_.data() + i0, len, col_.data());
  }
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__AVX2__)
  // ISA flags only: a function with another `arch` would not inline the model.
  [[gnu::noinline, gnu::target("avx2,fma,bmi,bmi2,lzcnt,movbe,f16c")]] void model_block_avx2(
      const Seeds& seeds, size_t i0, size_t len) {
    block_loop(seeds, x_.data() + i0, len, col_.data());
  }
  [[gnu::noinline, gnu::target("avx512f,avx512bw,avx512cd,avx512dq,avx512vl,avx2,fma,bmi,bmi2,"
                               "lzcnt,movbe,f16c")]] void
  model_block_avx512(const Seeds& seeds, size_t i0, size_t len) {
    block_loop(seeds, x_.data() + i0, len, col_.data());
  }
#endif
  void block_loop(const Seeds& seeds, const X* x, size_t len,
                  std::array<double, kBlock>* __restrict col) const {
    const std::span<const Dual<N>> ps(seeds.pd.data(), N);
    for (size_t i = 0; i < len; ++i) {
      const Dual<N> t = f_(x[i], ps);
      col[N][i] = t.v;
      for (size_t k = 0; k < N; ++k) col[k][i] = t.d[k];
    }
  }
  double weight(size_t i) const { return w_.empty() ? 1.0 : w_[i]; }
  const F& f_;
  std::span<const X> x_;
  std::span<const Y> y_;
  std::span<const double> w_;
  alignas(64) std::array<std::array<double, kBlock>, N + 1> col_;
  GramAccumulator gram_{N};
};

// Any other callable double(x, span<const double>): forward differences with
// step sqrt(eps)*|p_k| (sqrt(eps) at 0), as MINPACK's lmdif.
template <class F, class X>
class FiniteDifferenceResiduals final : public Residuals {
 public:
  FiniteDifferenceResiduals(const F& f, std::span<const X> x, std::span<const double> y,
                            std::span<const double> w)
      : f_(f), x_(x), y_(y), w_(w) {}
  size_t size() const override { return x_.size(); }
  void evaluate(std::span<const double> p, std::span<double> r, std::span<double> jac) override {
    const size_t m = x_.size(), n = p.size();
    for (size_t i = 0; i < m; ++i) r[i] = (f_(x_[i], p) - y_[i]) * weight(i);
    if (jac.empty()) return;
    std::vector<double> q(p.begin(), p.end());
    for (size_t k = 0; k < n; ++k) {
      const double h = 1.4901161193847656e-8 * (p[k] == 0.0 ? 1.0 : std::abs(p[k]));
      q[k] = p[k] + h;
      const double hk = q[k] - p[k];
      for (size_t i = 0; i < m; ++i)
        jac[i + k * m] = ((f_(x_[i], std::span<const double>(q)) - y_[i]) * weight(i) - r[i]) / hk;
      q[k] = p[k];
    }
  }

 private:
  double weight(size_t i) const { return w_.empty() ? 1.0 : w_[i]; }
  const F& f_;
  std::span<const X> x_;
  std::span<const double> y_;
  std::span<const double> w_;
};

// Calls fn(residuals) with the right adapter for f and n parameters.
template <class F, class X, class Y, class Fn, size_t N = 1>
auto with_residuals(const F& f, std::span<const X> x, std::span<const Y> y,
                    std::span<const double> w, size_t n, Fn&& fn) {
  if constexpr (is_generic_model<F, X>) {
    if constexpr (N < kMaxAutoDiff) {
      if (n != N) return with_residuals<F, X, Y, Fn, N + 1>(f, x, y, w, n, std::forward<Fn>(fn));
    }
    if (n == N) {
      AutoDiffResiduals<N, F, X, Y> problem(f, x, y, w);
      return fn(static_cast<Residuals&>(problem));
    }
  }
  if constexpr (std::is_invocable_v<const F&, const X&, std::span<const double>> &&
                std::is_same_v<Y, double>) {
    FiniteDifferenceResiduals<F, X> problem(f, x, y, w);
    return fn(static_cast<Residuals&>(problem));
  } else {
    static_assert(
        is_generic_model<F, X>,
        "a model is f(x, std::span<const T> p) for any T, or f(x, std::span<const double>)");
    throw_too_many_parameters(n);
  }
}

}  // namespace detail

// A callable model of one double x: generic in its scalar type, or for doubles.
template <class F>
concept CallableModel = detail::is_generic_model<F, double> ||
    std::is_invocable_r_v<double, const F&, double, std::span<const double>>;

// Fits f(x, p) to y from p0. f is either generic,
//   template <class T> T f(double x, std::span<const T> p)   (exact Jacobian), or
//   double f(double x, std::span<const double> p)             (finite differences).
template <CallableModel F>
CurveFitResult curve_fit(const F& f, std::span<const double> x, std::span<const double> y,
                         std::span<const double> p0, const CurveFitOptions& options = {}) {
  detail::check_data(x, y, p0.size());
  const std::vector<double> w = weights_from_sigma(options.sigma, x.size());
  return detail::with_residuals(
      f, x, y, std::span<const double>(w), p0.size(), [&](Residuals& problem) {
        const Result r = least_squares(problem, p0, solver_options(options));
        return make_curve_fit_result(r, x.size(), options);
      });
}
template <CallableModel F>
CurveFitResult curve_fit(const F& f, const std::vector<double>& x, const std::vector<double>& y,
                         const std::vector<double>& p0, const CurveFitOptions& options = {}) {
  return curve_fit(f, std::span<const double>(x), std::span<const double>(y),
                   std::span<const double>(p0), options);
}

// SSR of a callable model over a grid of one or two parameters.
template <CallableModel F>
Landscape ssr_landscape(const F& f, std::span<const double> x, std::span<const double> y,
                        std::span<const double> params, const GridAxis& a,
                        const std::optional<GridAxis>& b = std::nullopt,
                        const std::vector<double>& sigma = {}) {
  detail::check_data(x, y, params.size());
  const std::vector<double> w = weights_from_sigma(sigma, x.size());
  return detail::with_residuals(
      f, x, y, std::span<const double>(w), params.size(),
      [&](Residuals& problem) { return ssr_landscape(problem, params, a, b); });
}

// ---- Models written as SciPy writes them: one argument per parameter,
//   auto decay = [](double x, auto tau, auto init) { using std::exp; return init * exp(-x / tau);
//   }; auto r = soma::fit::curve_fit(decay, x, y);          // p0: all ones, as SciPy
// A model generic in its parameters' type (auto, as above) gets exact Jacobians; one
// taking doubles, double f(double x, double a, double b), finite differences.

namespace detail {

template <size_t, class T>
using repeat = T;
template <class F, class T, size_t... I>
constexpr bool takes_scalars_impl(std::index_sequence<I...>) {
  return std::is_invocable_r_v<T, const F&, double, repeat<I, T>...>;
}
template <class F, class T, size_t N>
inline constexpr bool takes_scalars = takes_scalars_impl<F, T>(std::make_index_sequence<N>{});

// How many parameters f(x, a, b, ...) takes (the fewest it accepts), 0 if it is not such
// a model (SciPy reads the count from the signature in the same way).
template <class F, size_t N = 1>
constexpr size_t scalar_arity() {
  if constexpr (takes_scalars<F, double, N>)
    return N;
  else if constexpr (N < kMaxAutoDiff)
    return scalar_arity<F, N + 1>();
  else
    return 0;
}

// f(x, a, b, ...) seen as f(x, span{a, b, ...}), generic where f is.
template <class F, size_t N>
struct ScalarArgs {
  const F& f;
  template <class T>
  requires takes_scalars<F, T, N> T operator()(double x, std::span<const T> p) const {
    return [&]<size_t... I>(std::index_sequence<I...>) { return static_cast<T>(f(x, p[I]...)); }
    (std::make_index_sequence<N>{});
  }
};

[[noreturn]] void throw_p0_size(size_t given, size_t expected);

}  // namespace detail

template <class F>
concept ScalarArgsModel = !CallableModel<F> && detail::scalar_arity<F>() > 0;

template <ScalarArgsModel F>
CurveFitResult curve_fit(const F& f, std::span<const double> x, std::span<const double> y,
                         std::span<const double> p0, const CurveFitOptions& options = {}) {
  constexpr size_t n = detail::scalar_arity<F>();
  if (p0.size() != n) detail::throw_p0_size(p0.size(), n);
  return curve_fit(detail::ScalarArgs<F, n>{f}, x, y, p0, options);
}
template <ScalarArgsModel F>
CurveFitResult curve_fit(const F& f, const std::vector<double>& x, const std::vector<double>& y,
                         const std::vector<double>& p0, const CurveFitOptions& options = {}) {
  return curve_fit(f, std::span<const double>(x), std::span<const double>(y),
                   std::span<const double>(p0), options);
}
// Without p0: every parameter starts at 1, SciPy's default.
template <ScalarArgsModel F>
CurveFitResult curve_fit(const F& f, const std::vector<double>& x, const std::vector<double>& y,
                         const CurveFitOptions& options = {}) {
  const std::vector<double> ones(detail::scalar_arity<F>(), 1.0);
  return curve_fit(f, x, y, ones, options);
}

}  // namespace soma::fit
