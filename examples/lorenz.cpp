// The tutorial's Lorenz programs (000, "Differential Equations with SciPy – odeint or
// solve_ivp"), with its inputs: sigma 10, beta 8/3, rho 28, y0 = (1, 1, 1),
// t = np.arange(0.0, 40.0, 0.01) (4,000 times, the last 39.99), t_span = (0, 40), and
// SciPy's default tolerances, which are the tutorial's point: odeint at rtol = atol =
// 1.49012e-8 gives a smooth curve at every t, solve_ivp at rtol 1e-3, atol 1e-6 returns
// only the steps RK45 took, a coarse curve.
//
// Its runs, in order:
//  1. odeint(lorenz, y0, t) and solve_ivp(lorenz, t_span, y0): 4,000 rows against 467
//     points (the tutorial's printed `result_solve_ivp.t.shape`, and SciPy 1.10's). Its
//     text says "1989 elements" instead; no SciPy 1.10 method at the usual tolerances
//     gives 1989 (LSODA at the defaults gives 1,957: likely an LSODA run of another SciPy
//     version), so 467 is the number held against.
//  2. solve_ivp with method RK45 and with LSODA, at the defaults.
//  3. solve_ivp LSODA with t_eval = t beside odeint: the same 4,000 times, yet the two
//     drift apart (chaos amplifies their different step errors); printed is when x first
//     differs by more than 1.
// LSODA is ODEPACK's (Adams-Moulton while non-stiff, BDF where stiff, src/ode/lsoda/), so
// its point counts are held against SciPy's; odeint's first step aims at its first output
// time (as SciPy's first call does), so odeint and solve_ivp LSODA step differently from
// the start.
//
// --plot DIR: lorenz.png (odeint and solve_ivp side by side in 3-D, the tutorial's first
// figure; lorenz.html as well where Plotly.js is installed), lorenz_methods.png (RK45 and
// LSODA), lorenz_t_eval.png (odeint and solve_ivp LSODA at t_eval in 3-D, and x(t) of both
// overlaid, the tutorial's last figure).
//
//   soma example lorenz [--json] [--plot DIR]
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lorenz.hpp"
#include "soma/core/error.hpp"
#include "soma/core/numpy_arange.hpp"
#include "soma/core/system.hpp"
#include "soma/ode/ode.hpp"
#include "soma/plot/figure.hpp"

namespace soma::examples::lorenz {
namespace {

namespace ode = soma::ode;
namespace plot = soma::plot;

void lorenz(double, std::span<const double> y, std::span<double> dy) {
  constexpr double sigma = 10, rho = 28, beta = 8.0 / 3;
  dy[0] = sigma * (y[1] - y[0]);
  dy[1] = y[0] * (rho - y[2]) - y[1];
  dy[2] = y[0] * y[1] - beta * y[2];
}

struct Run {
  std::string name{};
  std::vector<double> t{};
  ode::Trajectory states{};  // states[i] is the state at t[i]
  std::int64_t nfev = 0;
  double seconds = 0;
};

void attractor(plot::Axes& a, const std::string& title, const ode::Trajectory& y) {
  a.title = title;
  a.xlabel = "x";
  a.ylabel = "y";
  a.zlabel = "z";
  a.line3d(y.component(0), y.component(1), y.component(2), {.width = 0.8});
}

std::vector<std::string> plot_figures(const Run& odeint, const Run& ivp, const Run& rk45,
                                      const Run& lsoda, const Run& t_eval,
                                      const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> written;
  auto save = [&](const plot::Figure& fig, const std::string& name) {
    written.push_back((dir / name).string());
    fig.save(written.back());
  };
  plot::Figure first({.rows = 1,
                      .cols = 2,
                      .width = 1200,
                      .height = 520,
                      .title = "Lorenz attractor at SciPy's default tolerances"});
  attractor(first.axes(0, 0), "odeint (" + std::to_string(odeint.t.size()) + " times)",
            odeint.states);
  attractor(first.axes(0, 1), "solve_ivp (" + std::to_string(ivp.t.size()) + " points)",
            ivp.states);
  save(first, "lorenz.png");
  try {
    (void)plot::plotly_js_path();
    save(first, "lorenz.html");
  } catch (const soma::Error& e) {
    std::fprintf(stderr, "lorenz: lorenz.html not written: %s\n", e.what());
  }

  plot::Figure methods({.rows = 1,
                        .cols = 2,
                        .width = 1200,
                        .height = 520,
                        .title = "solve_ivp: RK45 and LSODA at the default tolerances"});
  attractor(methods.axes(0, 0), "RK45 (" + std::to_string(rk45.t.size()) + " points)", rk45.states);
  attractor(methods.axes(0, 1), "LSODA (" + std::to_string(lsoda.t.size()) + " points)",
            lsoda.states);
  save(methods, "lorenz_methods.png");

  plot::Figure same({.rows = 1,
                     .cols = 3,
                     .width = 1500,
                     .height = 480,
                     .title = "odeint and solve_ivp LSODA at the same 4,000 times"});
  attractor(same.axes(0, 0), "odeint", odeint.states);
  attractor(same.axes(0, 1), "solve_ivp LSODA, t_eval = t", t_eval.states);
  auto& x = same.axes(0, 2);
  x.title = "x(t)";
  x.xlabel = "t";
  x.ylabel = "x";
  x.line(odeint.t, odeint.states.component(0), {.label = "odeint", .width = 0.8});
  x.line(t_eval.t, t_eval.states.component(0), {.label = "solve_ivp LSODA", .width = 0.8});
  save(same, "lorenz_t_eval.png");
  return written;
}

Run solve(const std::string& name, ode::Options options) {
  Run r{.name = name};
  soma::Stopwatch w;
  ode::Result res = ode::solve_ivp(lorenz, {0.0, 40.0}, {1.0, 1.0, 1.0}, options);
  r.seconds = w.seconds();
  if (!res.success()) throw soma::Error("lorenz: solve_ivp " + name + " failed: " + res.message);
  r.t = res.t;
  r.states = std::move(res.states);
  r.nfev = res.nfev;
  return r;
}

}  // namespace

void run(const soma::cli::ExampleOptions& opt) {
  const std::vector<double> t = soma::numpy_arange(0.0, 40.0, 0.01);
  const std::vector<double> y0 = {1.0, 1.0, 1.0};

  // odeint counts its evaluations through the right-hand side itself.
  Run odeint{.name = "odeint", .t = t};
  ode::Rhs counted = [&](double tt, std::span<const double> y, std::span<double> dy) {
    ++odeint.nfev;
    lorenz(tt, y, dy);
  };
  soma::Stopwatch w;
  odeint.states = ode::odeint(counted, y0, t);  // SciPy's defaults: LSODA, rtol = atol = 1.49012e-8
  odeint.seconds = w.seconds();

  const Run ivp = solve("solve_ivp", {});  // SciPy's defaults: RK45, rtol 1e-3, atol 1e-6
  const Run rk45 = solve("RK45", {.method = ode::Method::RK45});
  const Run lsoda = solve("LSODA", {.method = ode::Method::LSODA});
  const Run t_eval = solve("LSODA_t_eval", {.method = ode::Method::LSODA, .t_eval = t});

  // When odeint and solve_ivp LSODA at the same times first differ by more than 1 in x.
  double diverge_t = NAN, max_diff = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const double d = std::fabs(odeint.states(i, 0) - t_eval.states(i, 0));
    if (std::isnan(diverge_t) && d > 1.0) diverge_t = t[i];
    max_diff = std::max(max_diff, d);
  }

  std::vector<std::string> figures;
  if (!opt.plot_dir.empty()) figures = plot_figures(odeint, ivp, rk45, lsoda, t_eval, opt.plot_dir);
  for (const auto& f : figures) soma::cli::wrote(f);

  const Run* runs[] = {&odeint, &ivp, &rk45, &lsoda, &t_eval};
  nlohmann::json points, nfev, seconds, final_state;
  for (const Run* r : runs) {
    points[r->name] = r->t.size();
    nfev[r->name] = r->nfev;
    seconds[r->name] = r->seconds;
    final_state[r->name] = std::vector<double>(r->states.back().begin(), r->states.back().end());
  }
  if (opt.json) {
    soma::cli::print_json(
        {{"t_shape", t.size()},
         {"points", points},
         {"nfev", nfev},
         {"seconds", seconds},
         {"final", final_state},
         {"t_eval_diverges_at",
          std::isnan(diverge_t) ? nlohmann::json(nullptr) : nlohmann::json(diverge_t)},
         {"t_eval_max_x_difference", max_diff},
         {"figures", figures}});
    return;
  }
  std::printf(
      "Lorenz (sigma 10, beta 8/3, rho 28) from (1, 1, 1); t = arange(0, 40, 0.01): "
      "%zu times\n",
      t.size());
  std::printf("%-14s %6s %6s  %-36s %8s\n", "run", "points", "nfev", "state at the last point",
              "ms");
  const char* what[] = {"odeint (LSODA, rtol = atol = 1.49e-8)", "solve_ivp (RK45, 1e-3/1e-6)",
                        "solve_ivp RK45", "solve_ivp LSODA", "solve_ivp LSODA, t_eval = t"};
  for (size_t k = 0; k < std::size(runs); ++k) {
    const Run& r = *runs[k];
    std::printf("%-14s %6zu %6lld  (%9.4f, %9.4f, %9.4f)  %8.3f  %s\n", r.name.c_str(), r.t.size(),
                static_cast<long long>(r.nfev), r.states.back()[0], r.states.back()[1],
                r.states.back()[2], 1e3 * r.seconds, what[k]);
  }
  if (std::isnan(diverge_t))
    std::printf("odeint and solve_ivp LSODA at t_eval agree in x within 1 throughout\n");
  else
    std::printf(
        "odeint and solve_ivp LSODA at t_eval: x first differs by > 1 at t = %.2f "
        "(the system is chaotic)\n",
        diverge_t);
}

}  // namespace soma::examples::lorenz

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example lorenz` has them as flags).
int main(int argc, char** argv) {
  soma::cli::ExampleOptions opt;
  return soma::cli::example_main(argc, argv, opt, [&] { soma::examples::lorenz::run(opt); });
}
#endif
