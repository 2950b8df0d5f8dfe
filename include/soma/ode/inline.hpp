#pragma once
// solve_ivp_inline: solve_ivp's RK45 (Dormand-Prince) with the right-hand side inlined into
// the stages and the dimension N fixed at compile time. Same options, results and step
// sequence as solve_ivp; on a small system such as Lorenz a step costs a little over half
// as much, because f's values stay in registers instead of going through std::function and
// memory. Other methods go to solve_ivp unchanged.
//
//   auto lorenz = [](double, std::span<const double> y, std::span<double> dy) {
//     dy[0] = 10 * (y[1] - y[0]);
//     dy[1] = y[0] * (28 - y[2]) - y[1];
//     dy[2] = y[0] * y[1] - 8.0 / 3 * y[2];
//   };
//   auto r = soma::ode::solve_ivp_inline<3>(lorenz, {0, 40}, {1, 1, 1}, {.rtol = 1e-6});
//
// Each distinct f compiles its own stepper (a template), so this header is not part of
// soma/ode/ode.hpp: include it where the speed matters.
#include <array>
#include <cstddef>
#include <functional>
#include <memory>

#include "soma/ode/detail/explicit_rk.hpp"
#include "soma/ode/solve_ivp.hpp"

namespace soma::ode {

template <std::size_t N, class F>
requires(N > 0 &&
         std::is_invocable_v<F&, double, std::span<const double>, std::span<double>>) Result
    solve_ivp_inline(F f, TimeSpan t_span, const std::array<double, N>& y0,
                     const Options& options = {}) {
  // The driver and the initial-step heuristic see f through std::function (once per call).
  const Rhs rhs = std::ref(f);
  if (options.method != Method::RK45) return solve_ivp(rhs, t_span, y0, options);
  using Fn = detail::CountedFn<F>;
  return detail::solve_ivp_with(
      rhs, t_span, y0, options, [&f](const detail::Problem& p) -> std::unique_ptr<detail::Stepper> {
        return std::make_unique<detail::ExplicitRk<detail::Rk45Tableau, N, Fn>>(Method::RK45, p,
                                                                                false, Fn{f});
      });
}

}  // namespace soma::ode
