#pragma once
// Adaptive explicit Runge-Kutta steppers (RK23, RK45, DOP853): a port of SciPy's rk.py
// (step-size control, error norms, FSAL, dense output) over flat buffers that are allocated
// once, so a step allocates nothing. A template so that solve_ivp_inline and odeint_inline
// (soma/ode/inline.hpp) can inline f into the stages; solve_ivp instantiates it per method in
// explicit_rk.cpp.
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "soma/core/std_algobase.hpp"
#include "soma/core/std_memory.hpp"
#include "soma/ode/detail/rk_tableaus.hpp"
#include "soma/ode/detail/stepper.hpp"

namespace soma::ode::detail {

inline constexpr double kRkSafety = 0.9, kRkMinFactor = 0.2, kRkMaxFactor = 10;

// x^(-1/16) for x > 0, to a relative 3e-7: what a step-size factor needs, where the exact
// power takes four square roots or a pow() call in a row (~80 cycles on the critical path
// of every step). With x = m 2^(16 q + r), m in [1, 2): 2^-q 2^(-r/16) m^(-1/16).
// Always inlined: in a large translation unit GCC may otherwise leave it a call.
[[gnu::always_inline]] inline double inv_16th_root(double x) {
  // Beyond these the controller's factor is clamped anyway (0.9 x^(-1/16) > 10 or < 0.2).
  x = std::min(std::max(x, 1e-30), 1e30);  // std::clamp, without <algorithm>
  static constexpr double kPow2[16] = {1.0,
                                       0.9576032806985737,
                                       0.9170040432046712,
                                       0.8781260801866497,
                                       0.8408964152537145,
                                       0.8052451659746271,
                                       0.7711054127039704,
                                       0.7384130729697497,
                                       0.7071067811865476,
                                       0.6771277734684463,
                                       0.6484197773255048,
                                       0.620928906036742,
                                       0.5946035575013605,
                                       0.5693943173783458,
                                       0.5452538663326288,
                                       0.5221368912137069};  // 2^(-r/16)
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const int e = static_cast<int>(bits >> 52) - 1023;
  const double m = std::bit_cast<double>((bits & 0xFFFFFFFFFFFFFull) | 0x3FF0000000000000ull);
  // m^(-1/16) ~ sum_k c_k (m - 1.5)^k, a Chebyshev fit of degree 6, evaluated by Estrin's
  // scheme (three levels of multiplication instead of Horner's six).
  constexpr double c[7] = {0.9749768239982487,     -0.040624924904651284, 0.014388964215659807,
                           -0.0065628816826951274, 0.0033381645654035263, -0.002090299847223811,
                           0.0012099362280277};
  const double u = m - 1.5;
  const double u2 = u * u;
  const double p =
      (c[0] + c[1] * u) + u2 * ((c[2] + c[3] * u) + u2 * ((c[4] + c[5] * u) + u2 * c[6]));
  const double two_q = std::bit_cast<double>(static_cast<std::uint64_t>(1023 - (e >> 4)) << 52);
  return two_q * kPow2[e & 15] * p;
}

// Hairer's DOP853 tableau adds E3/E5 error weights, three extra dense-output stages and
// the dense-output matrix D.
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
  template <int count>
  using Seq = std::make_integer_sequence<int, count>;

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
    std::copy(y_.data(), y_.data() + n(), cur_.data());
    f_(t_, y_, {fcur_.data(), n()});
    if (p.first_step > 0) {
      h_abs_ = p.first_step;
    } else {
      CountedRhs g{p.f};  // p.f is the same f, behind std::function (used once)
      h_abs_ = select_initial_step(g, t_, t_bound_, max_step_, y_, {fcur_.data(), n()}, direction_,
                                   T::error_order, tol_);
      f_.count += g.count;
    }
  }

  Method method() const override { return method_; }
  std::int64_t nfev() const override { return f_.count; }
  double stability_bound() const override { return T::stability_bound; }

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
      if (tol_.complex_pairs)
        complex_scale();
      else
        for (std::size_t i = 0; i < n(); ++i)
          scale_[i] = tol_.atol[i] + std::max(std::fabs(cur_[i]), std::fabs(y_new_[i])) * tol_.rtol;
      const double e = error_measure(h);
      if (!std::isfinite(e)) {
        // A non-finite error (overflow in f) is treated as a rejection by the smallest factor.
        h_abs *= kRkMinFactor;
        rejected = true;
        continue;
      }
      if (e < 1) {
        double factor = e == 0 ? kRkMaxFactor : std::min(kRkMaxFactor, kRkSafety * error_power(e));
        if (rejected) factor = std::min(1.0, factor);
        h_abs *= factor;
        break;
      }
      h_abs *= std::max(kRkMinFactor, kRkSafety * error_power(e));
      rejected = true;
    }
    if constexpr (defer_fsal) f_(t + h, {y_new_.data(), n()}, {K(S), n()});
    if (detect_stiffness_) update_stiffness(h);
    h_prev_ = h;
    t_old_ = t;
    t_ = t_new;
    std::swap(y_old_, cur_);
    std::swap(cur_, y_new_);
    copy(cur_.data(), y_.data());
    copy(K(S), fcur_.data());
    h_abs_ = h_abs;
    dense_ready_ = false;
    return true;
  }

  void interpolate(double t, std::span<double> out) override { interpolate_many({&t, 1}, out); }

  void interpolate_many(std::span<const double> ts, std::span<double> out) override {
    prepare_dense();
    double* row = out.data();
    for (double t : ts) {
      const double x = (t - t_old_) / h_prev_;
      if constexpr (is_dop853) {
        // Hairer's form: y_old + x (F0 + (1-x) (F1 + x (F2 + ...))).
        const double x1 = 1 - x;
        for (std::size_t i = 0; i < n(); ++i) {
          double acc = 0;
#pragma GCC unroll 16
          for (int k = T::n_poly - 1; k >= 0; --k) {
            acc += dense_[k * n() + i];
            acc *= (k % 2 == 0) ? x : x1;
          }
          row[i] = y_old_[i] + acc;
        }
      } else {
        for (std::size_t i = 0; i < n(); ++i) {
          double acc = 0;
#pragma GCC unroll 16
          for (int k = T::n_poly - 1; k >= 0; --k) acc = (acc + dense_[k * n() + i]) * x;
          row[i] = y_old_[i] + acc;
        }
      }
      row += n();
    }
  }

  void append_dense(DenseSolution& sol) override {
    prepare_dense();
    constexpr int rows = T::n_poly;
    std::copy(y_old_.data(), y_old_.data() + n(), coef_scratch());
    std::copy(dense_.data(), dense_.data() + rows * n(), coef_scratch() + n());
    sol.append(is_dop853 ? DenseSolution::Kind::Dop853 : DenseSolution::Kind::Power, t_old_, t_,
               {coef_scratch(), (rows + 1) * n()});
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  // DOP853's error estimate does not use f(t + h, y_new) (the last weights of E3 and E5 are
  // zero), so that evaluation waits until the step is accepted, as in Hairer's dop853.f: a
  // rejected step then costs one evaluation less than in SciPy.
  static constexpr bool fsal_in_error() {
    if constexpr (is_dop853)
      return T::E3[S] != 0 || T::E5[S] != 0;
    else
      return true;
  }
  static constexpr bool defer_fsal = !fsal_in_error();

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
  // A state copy as a loop: std::copy_n becomes a memmove call even of three values.
  void copy(const double* from, double* to) const {
    for (std::size_t i = 0; i < n(); ++i) to[i] = from[i];
  }

  // sum_j w(j) K_j[i] for j in 0..J-1, in that order. w returns a tableau entry, a constant
  // once inlined, so the terms whose weight is zero vanish at compile time: DOP853's
  // tableau is sparse (50 of its 66 stage weights are non-zero, 12 of 16 in D). Skipping
  // them changes no result: adding 0 * K_j is exact for finite K_j.
  template <class W, int... j>
  double combine(W w, std::size_t i, std::integer_sequence<int, j...>) const {
    double acc = 0;
    ((w(j) != 0 ? void(acc += w(j) * K_[j * n() + i]) : void()), ...);
    return acc;
  }
  // acc + sum_j (h w(j)) K_j[i]: with h folded into the weights (off the critical path),
  // the last term, which waits for f, costs one multiply-add rather than a multiply-add,
  // a multiply and an add (SciPy: y + h (K^T a); the rounding differs in the last bit).
  template <class W, int... j>
  double combine_h(double acc, double h, W w, std::size_t i,
                   std::integer_sequence<int, j...>) const {
    ((w(j) != 0 ? void(acc += (h * w(j)) * K_[j * n() + i]) : void()), ...);
    return acc;
  }

  // Stage s: its state base + h sum_j A[s][j] K_j into tmp_, its derivative into row s.
  template <int s>
  void stage(const double* base, double t, double h) {
    for (std::size_t i = 0; i < n(); ++i)
      tmp_[i] = combine_h(
          base[i], h, [](int j) { return T::A[s][j]; }, i, Seq<s>{});
    f_(t + T::C[s] * h, {tmp_.data(), n()}, {K(s), n()});
  }
  // Stages first..last-1, in order.
  template <int first, int... s>
  void stages(const double* base, double t, double h, std::integer_sequence<int, s...>) {
    (stage<first + s>(base, t, h), ...);
  }

  // One Runge-Kutta step of size h from (t, y_): stages into K rows 0..S-1, the solution
  // into y_new_ and (unless deferred) f(t + h, y_new_) into row S (SciPy's rk_step).
  void rk_step(double t, double h) {
    copy(fcur_.data(), K(0));
    stages<1>(cur_.data(), t, h, Seq<S - 1>{});
    for (std::size_t i = 0; i < n(); ++i)
      y_new_[i] = combine_h(
          cur_[i], h, [](int j) { return T::B[j]; }, i, Seq<S>{});
    if constexpr (!defer_fsal) f_(t + h, {y_new_.data(), n()}, {K(S), n()});
  }

  // SciPy's scale atol + rtol max(|y|, |y_new|) for a complex system (Tolerances::
  // complex_pairs), the moduli of its components, for both parts of each.
  void complex_scale() {
    for (std::size_t i = 0; i + 1 < n(); i += 2) {
      const double m =
          std::max(std::hypot(cur_[i], cur_[i + 1]), std::hypot(y_new_[i], y_new_[i + 1]));
      scale_[i] = scale_[i + 1] = tol_.atol[i] + m * tol_.rtol;
    }
  }

  // The step's error measure e: the error norm err for RK23 and RK45 (SciPy's), its square
  // for DOP853, which spares a square root on the way from the last stage to the next step
  // size (the latency that bounds a step). The step is accepted if e < 1.
  double error_measure(double h) {
    if constexpr (is_dop853) {
      // Hairer's combination of the 5th- and 3rd-order estimates (SciPy's DOP853):
      // err = |h| e5 / sqrt((e5 + 0.01 e3) n).
      double e5 = 0, e3 = 0;
      for (std::size_t i = 0; i < n(); ++i) {
        const double a5 = combine([](int j) { return T::E5[j]; }, i, Seq<S + 1>{}) / scale_[i];
        const double a3 = combine([](int j) { return T::E3[j]; }, i, Seq<S + 1>{}) / scale_[i];
        e5 += a5 * a5;
        e3 += a3 * a3;
      }
      if (e5 == 0 && e3 == 0) return 0.0;
      const double denom = e5 + 0.01 * e3;
      return (h * e5) * (h * e5) / (denom * tol_.norm_count(n()));
    } else {
      double s2 = 0;
      for (std::size_t i = 0; i < n(); ++i) {
        const double acc = combine([](int j) { return T::E[j]; }, i, Seq<S + 1>{});
        const double e = acc * h / scale_[i];
        s2 += e * e;
      }
      return std::sqrt(s2 / tol_.norm_count(n()));
    }
  }

  // err^(-1 / (error_order + 1)) from the error measure e: the step-size controller's power.
  double error_power(double e) const {
    if constexpr (is_dop853)
      return inv_16th_root(e);
    else
      return std::pow(e, exponent_);
  }

  // Hairer's stiffness test from dopri5.f and dop853.f: h * |k_new - k_last| / |y_new -
  // y_last|, with y_last the state of the last stage (c = 1, left in tmp_) and k its
  // derivative, estimates h |lambda| along the dominant direction; beyond the method's bound
  // (3.25 for DOPRI5, 6.1 for DOP853) in 15 accepted steps, without 6 consecutive calm ones
  // between, means stiff.
  void update_stiffness(double h) {
    if constexpr (T::stiff_test > 0) {
      static_assert(T::C[S - 1] == 1, "the last stage must be at t + h");
      double num = 0, den = 0;
      for (std::size_t i = 0; i < n(); ++i) {
        const double a = K_[S * n() + i] - K_[(S - 1) * n() + i];
        const double b = y_new_[i] - tmp_[i];
        num += a * a;
        den += b * b;
      }
      // h sqrt(num / den) > bound, squared: no square root or division, which would queue
      // behind the step-size controller's on the divider.
      if (den > 0 && h * h * num > T::stiff_test * T::stiff_test * den) {
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
      stages<S + 1>(y_old_.data(), t_old_, h, Seq<T::n_stages_extended - S - 1>{});
      for (std::size_t i = 0; i < n(); ++i) {
        const double dy = cur_[i] - y_old_[i], f_old = K_[i];
        dense_[i] = dy;
        dense_[n() + i] = h * f_old - dy;
        dense_[2 * n() + i] = 2 * dy - h * (fcur_[i] + f_old);
        dense_d_rows(i, h, Seq<T::n_poly - 3>{});
      }
    } else {
      // Row k of dense_ holds h * (K^T P)[:, k], the coefficient of x^(k+1).
      for (std::size_t i = 0; i < n(); ++i) dense_p_rows(i, h, Seq<T::n_poly>{});
    }
  }
  template <int... r>
  void dense_d_rows(std::size_t i, double h, std::integer_sequence<int, r...>) {
    ((dense_[(3 + r) * n() + i] =
          h * combine([](int j) { return T::D[r][j]; }, i, Seq<T::n_stages_extended>{})),
     ...);
  }
  template <int... k>
  void dense_p_rows(std::size_t i, double h, std::integer_sequence<int, k...>) {
    ((dense_[k * n() + i] = h * combine([](int j) { return T::P[j][k]; }, i, Seq<S + 1>{})), ...);
  }

  Method method_;
  Fn f_;
  std::size_t n_;
  double t_bound_;
  Tolerances tol_;
  double max_step_, direction_ = 1, h_abs_ = 0, h_prev_ = 0;
  double exponent_ = -1.0 / (T::error_order + 1);
  bool detect_stiffness_, dense_ready_ = false;
  // cur_ is the state at t_ (copied to the base's y_ after each step).
  Vec cur_, y_old_, y_new_, tmp_, scale_, fcur_;
  Buf<n_rows> K_;
  Buf<n_dense> dense_;
  std::vector<double> coef_;
};

// RK45 or DOP853 (nullptr for other methods) around Fn, e.g. CountedFn<F> with the user's
// callable: the steppers of solve_ivp_inline and odeint's template.
template <std::size_t N, class Fn>
std::unique_ptr<RkStepper> make_explicit_rk_with(Method m, const Problem& p, bool detect_stiffness,
                                                 Fn f) {
  if (m == Method::RK45)
    return std::make_unique<ExplicitRk<Rk45Tableau, N, Fn>>(m, p, detect_stiffness, std::move(f));
  if (m == Method::DOP853)
    return std::make_unique<ExplicitRk<Dop853Tableau, N, Fn>>(m, p, detect_stiffness, std::move(f));
  return nullptr;
}

}  // namespace soma::ode::detail
