#pragma once
// solve_ivp_inline and odeint_inline: solve_ivp and odeint with the right-hand side inlined
// into the stages of their explicit Runge-Kutta methods (RK45 and DOP853) and the dimension
// N fixed at compile time. Same options, results and step sequence as
// solve_ivp; on a small system such as Lorenz a step costs a little over half as much,
// because f's values stay in registers instead of going through std::function and memory.
// Other methods (BDF, LSODA, Adams) run solve_ivp's code unchanged.
//
//   auto lorenz = [](double, std::span<const double> y, std::span<double> dy) {
//     dy[0] = 10 * (y[1] - y[0]);
//     dy[1] = y[0] * (28 - y[2]) - y[1];
//     dy[2] = y[0] * y[1] - 8.0 / 3 * y[2];
//   };
//   auto r = soma::ode::solve_ivp_inline<3>(lorenz, {0, 40}, {1, 1, 1}, {.rtol = 1e-6});
//
//   std::array<double, 3> y0 = {1, 1, 1};
//   soma::ode::Trajectory y = soma::ode::odeint_inline(lorenz, y0, t, {.method = Method::RK45});
//
// Each distinct f compiles its own steppers (templates, ~1.7 s at -O3 for the two), and the
// steppers bring <cmath> and <memory>'s smart pointers, so this header is not part of
// soma/ode/ode.hpp: include it where the speed matters. Without it, odeint and solve_ivp
// take the same callables through std::function (soma/ode/odeint.hpp), with the same
// steps and, unless the compiler contracts f's arithmetic into FMAs differently once it is
// inlined, the same bits (tests/ode/odeint_test.cpp).
#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

#include "soma/core/std_function.hpp"
#include "soma/core/std_memory.hpp"
#include "soma/ode/detail/explicit_rk.hpp"
#include "soma/ode/odeint.hpp"
#include "soma/ode/solve_ivp.hpp"

namespace soma::ode {

template <std::size_t N, class F>
requires(N > 0 &&
         std::is_invocable_v<F&, double, std::span<const double>, std::span<double>>) Result
    solve_ivp_inline(F f, TimeSpan t_span, const std::array<double, N>& y0,
                     const Options& options = {}) {
  // The driver, the initial-step heuristic and BDF see f through std::function.
  const Rhs rhs = std::ref(f);
  using Fn = detail::CountedFn<F&>;
  const detail::RkFactory make_rk = [&f](Method m, const detail::Problem& p,
                                         bool detect_stiffness) {
    return detail::make_explicit_rk_with<N>(m, p, detect_stiffness, Fn{f});
  };
  return detail::solve_ivp_with(rhs, t_span, y0, options,
                                [&](const detail::Problem& p) -> std::unique_ptr<detail::Stepper> {
                                  detail::Problem q = p;
                                  q.make_rk = &make_rk;
                                  return detail::make_stepper(options.method, q);
                                });
}

namespace detail {

template <std::size_t N, class F>
Trajectory odeint_inline(F& f, std::span<const double> y0, std::span<const double> t,
                         const OdeintOptions& options) {
  using Fn = CountedFn<F&>;
  const RkFactory make_rk = [&f](Method m, const Problem& p, bool detect_stiffness) {
    return make_explicit_rk_with<N>(m, p, detect_stiffness, Fn{f});
  };
  return odeint_with(std::ref(f), y0, t, options, &make_rk);
}

}  // namespace detail

// odeint (soma/ode/odeint.hpp) with f inlined into RK45's and DOP853's stages: y0 a
// std::array or a C array (a braced list deduces one), f a lambda or function object
// written t first, f(t, y, dydt), or state first, f(y, t, dydt), as SciPy's default. Other
// methods (LSODA, the default, BDF...) run the library's code with f behind std::function.
template <detail::InlinableRhs F, std::size_t N>
Trajectory odeint_inline(F&& f, const std::array<double, N>& y0, std::span<const double> t,
                         const OdeintOptions& options = {}) {
  return detail::odeint_inline<N>(f, y0, t, options);
}
template <detail::InlinableRhs F, std::size_t N>
Trajectory odeint_inline(F&& f, const double (&y0)[N], std::span<const double> t,
                         const OdeintOptions& options = {}) {
  return detail::odeint_inline<N>(f, y0, t, options);
}
template <detail::StateFirstRhs F, std::size_t N>
Trajectory odeint_inline(F&& f, const std::array<double, N>& y0, std::span<const double> t,
                         const OdeintOptions& options = {}) {
  detail::TimeFirst<std::remove_reference_t<F>> tfirst{f};
  return detail::odeint_inline<N>(tfirst, y0, t, options);
}
template <detail::StateFirstRhs F, std::size_t N>
Trajectory odeint_inline(F&& f, const double (&y0)[N], std::span<const double> t,
                         const OdeintOptions& options = {}) {
  detail::TimeFirst<std::remove_reference_t<F>> tfirst{f};
  return detail::odeint_inline<N>(tfirst, y0, t, options);
}

}  // namespace soma::ode
