#pragma once
// odeint for a callable the compiler can inline (a lambda, a function object): the same
// integration as odeint(const Rhs&, ...) in solve_ivp.hpp, with f's calls in the explicit
// Runge-Kutta stages inlined instead of going through std::function. Same code, same steps,
// same bits (tests/ode/odeint_test.cpp, Lorenz) unless the compiler contracts f's own
// arithmetic into FMAs differently once it is inlined (then the last bits differ). Only the
// explicit methods (method = RK45 or DOP853) gain: the default, LSODA (SciPy's odeint's own
// method, Adams/BDF in Nordsieck form), calls f through std::function either way.
//
//   auto lorenz = [](double, std::span<const double> y, std::span<double> dy) {
//     dy[0] = 10 * (y[1] - y[0]);
//     dy[1] = y[0] * (28 - y[2]) - y[1];
//     dy[2] = y[0] * y[1] - 8.0 / 3 * y[2];
//   };
//   std::array<double, 3> y0 = {1, 1, 1};
//   soma::ode::Trajectory y = soma::ode::odeint(lorenz, y0, t, {.rtol = 1e-6, .atol = 1e-9});
//
// The overloads take y0 as a std::array or a C array: with the dimension a compile-time
// constant as well, the steppers' loops over components unroll and the state stays in
// registers (Lorenz: 0.10 ms against 0.16 ms through std::function, bench/ode). Each
// callable type compiles the two steppers (RK45, DOP853) once, ~1.7 s at -O3; BDF and
// everything else run the library's code with f behind std::function. Any other y0 (a
// std::vector, a span), a function pointer and an Rhs go to the library's odeint: inlining
// f into steppers of any dimension gains nothing over its steppers sized for 1 to 4
// variables, and would cost a compilation per call site.
#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

#include "soma/core/std_function.hpp"
#include "soma/ode/detail/explicit_rk.hpp"
#include "soma/ode/solve_ivp.hpp"

namespace soma::ode {
namespace detail {

// A lambda or function object (its type names its code, so the call inlines); a function
// pointer would stay an indirect call, and goes through std::function like an Rhs.
template <class F>
concept InlinableRhs =
    std::is_class_v<std::remove_cvref_t<F>> && !std::is_same_v<std::remove_cvref_t<F>, Rhs> &&
    std::is_invocable_v<F&, double, std::span<const double>, std::span<double>>;

template <std::size_t N, class F>
Trajectory odeint_inline(F& f, std::span<const double> y0, std::span<const double> t,
                         const OdeintOptions& options) {
  using Fn = CountedFn<F&>;
  const RkFactory make_rk = [&f](Method m, const Problem& p, bool detect_stiffness) {
    return make_explicit_rk_with<N>(m, p, detect_stiffness, Fn{f});
  };
  return odeint_with(std::ref(f), y0, t, options, &make_rk);
}

// SciPy's odeint calls func(y, t) unless tfirst=True: a callable written state first,
// f(y, t, dydt), is accepted as well. The two orders cannot be confused: a double is not a
// span, so a callable with declared parameter types takes one order only. A generic lambda
// (auto parameters) that accepts f(t, y, dydt) is taken as t-first, soma's order; the
// t-first check comes first so that a generic t-first lambda is never instantiated state
// first.
template <class F>
concept StateFirstRhs =
    !std::is_invocable_v<F&, double, std::span<const double>, std::span<double>> &&
    std::is_invocable_v<F&, std::span<const double>, double, std::span<double>>;

// f(y, t, dydt) seen as f(t, y, dydt); a class type, so odeint_inline inlines through it.
template <class F>
struct TimeFirst {
  F& f;
  void operator()(double t, std::span<const double> y, std::span<double> dydt) const {
    f(y, t, dydt);
  }
};

}  // namespace detail

// State first, f(y, t, dydt), as SciPy's odeint(func, y0, t) with tfirst=False (its
// default): the same integration as the t-first overloads, bit for bit.
template <detail::StateFirstRhs F>
Trajectory odeint(F&& f, std::span<const double> y0, std::span<const double> t,
                  const OdeintOptions& options = {}) {
  const Rhs tfirst = [&f](double tt, std::span<const double> y, std::span<double> dydt) {
    f(y, tt, dydt);
  };
  return odeint(tfirst, y0, t, options);
}
template <detail::StateFirstRhs F, std::size_t N>
Trajectory odeint(F&& f, const std::array<double, N>& y0, std::span<const double> t,
                  const OdeintOptions& options = {}) {
  detail::TimeFirst<std::remove_reference_t<F>> tfirst{f};
  return detail::odeint_inline<N>(tfirst, y0, t, options);
}
template <detail::StateFirstRhs F, std::size_t N>
Trajectory odeint(F&& f, const double (&y0)[N], std::span<const double> t,
                  const OdeintOptions& options = {}) {
  detail::TimeFirst<std::remove_reference_t<F>> tfirst{f};
  return detail::odeint_inline<N>(tfirst, y0, t, options);
}

template <detail::InlinableRhs F, std::size_t N>
Trajectory odeint(F&& f, const std::array<double, N>& y0, std::span<const double> t,
                  const OdeintOptions& options = {}) {
  return detail::odeint_inline<N>(f, y0, t, options);
}
template <detail::InlinableRhs F, std::size_t N>
Trajectory odeint(F&& f, const double (&y0)[N], std::span<const double> t,
                  const OdeintOptions& options = {}) {
  return detail::odeint_inline<N>(f, y0, t, options);
}

}  // namespace soma::ode
