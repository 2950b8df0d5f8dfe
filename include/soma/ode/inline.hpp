#pragma once
// solve_ivp_inline: solve_ivp with the right-hand side inlined into the stages of its
// explicit Runge-Kutta methods (RK45 and DOP853) and
// the dimension N fixed at compile time. Same options, results and step sequence as
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
// Each distinct f compiles its own steppers (templates), so this header is not part of
// soma/ode/ode.hpp: include it where the speed matters. (odeint inlines a callable
// without it: soma/ode/odeint.hpp.)
#include <array>
#include <cstddef>

#include "soma/core/std_function.hpp"
#include "soma/core/std_memory.hpp"
#include "soma/ode/detail/explicit_rk.hpp"
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

}  // namespace soma::ode
