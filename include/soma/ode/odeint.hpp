#pragma once
// odeint for any callable: a lambda or function object goes through odeint(const Rhs&, ...)
// (solve_ivp.hpp), compiled once in the library, so this header costs its includers no
// stepper templates. Two conveniences over that overload:
//  - y0 as a braced list, a C array or a std::array: odeint(lorenz, {1.0, 1.0, 1.0}, t);
//  - SciPy's default argument order, f(y, t, dydt) (odeint's tfirst=False), besides soma's
//    f(t, y, dydt).
//
//   auto lorenz = [](double, std::span<const double> y, std::span<double> dy) {
//     dy[0] = 10 * (y[1] - y[0]);
//     dy[1] = y[0] * (28 - y[2]) - y[1];
//     dy[2] = y[0] * y[1] - 8.0 / 3 * y[2];
//   };
//   std::array<double, 3> y0 = {1, 1, 1};
//   soma::ode::Trajectory y = soma::ode::odeint(lorenz, y0, t, {.rtol = 1e-6, .atol = 1e-9});
//
// With method = RK45 or DOP853, odeint_inline (soma/ode/inline.hpp, included on its own)
// inlines f into the stepper's stages instead, with the dimension a compile-time constant:
// the same steps and, unless the compiler contracts f's arithmetic into FMAs differently,
// the same bits, at about 0.6 of the time on a small system, for ~1.7 s of compile time per
// callable. The default method, LSODA (SciPy's odeint's own), calls f through std::function
// either way.
#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

#include "soma/core/std_function.hpp"
#include "soma/ode/solve_ivp.hpp"

namespace soma::ode {
namespace detail {

// A lambda or function object written t first, f(t, y, dydt) (an Rhs itself and function
// pointers take odeint(const Rhs&, ...) directly).
template <class F>
concept InlinableRhs =
    std::is_class_v<std::remove_cvref_t<F>> && !std::is_same_v<std::remove_cvref_t<F>, Rhs> &&
    std::is_invocable_v<F&, double, std::span<const double>, std::span<double>>;

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
  return odeint(f, std::span<const double>(y0), t, options);
}
template <detail::StateFirstRhs F, std::size_t N>
Trajectory odeint(F&& f, const double (&y0)[N], std::span<const double> t,
                  const OdeintOptions& options = {}) {
  return odeint(f, std::span<const double>(y0), t, options);
}

// t first, y0 a std::array or a C array (a braced list {1.0, 0.0} deduces one).
template <detail::InlinableRhs F, std::size_t N>
Trajectory odeint(F&& f, const std::array<double, N>& y0, std::span<const double> t,
                  const OdeintOptions& options = {}) {
  return odeint(Rhs(std::ref(f)), std::span<const double>(y0), t, options);
}
template <detail::InlinableRhs F, std::size_t N>
Trajectory odeint(F&& f, const double (&y0)[N], std::span<const double> t,
                  const OdeintOptions& options = {}) {
  return odeint(Rhs(std::ref(f)), std::span<const double>(y0), t, options);
}

}  // namespace soma::ode
