// The Lorenz system three ways: odeint at t = 0:40:0.01 (automatic stiff/non-stiff method,
// values exactly at those times), solve_ivp with Dormand-Prince (RK45), and solve_ivp with
// LSODA (Adams/BDF, as SciPy's). Prints the state at t = 40, the work (right-hand side
// evaluations) and the time each took. --plot DIR draws the odeint trajectory in 3-D
// beside x(t) (lorenz.png, and lorenz.html to turn the attractor around where Plotly.js is
// installed).
//
//   soma example lorenz [--json] [--plot DIR]
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "registry.hpp"
#include "soma/core/error.hpp"
#include "soma/core/system.hpp"
#include "soma/ode/ode.hpp"
#include "soma/plot/figure.hpp"

namespace {

namespace ode = soma::ode;

void lorenz(double, std::span<const double> y, std::span<double> dy) {
  constexpr double sigma = 10, rho = 28, beta = 8.0 / 3;
  dy[0] = sigma * (y[1] - y[0]);
  dy[1] = y[0] * (rho - y[2]) - y[1];
  dy[2] = y[0] * y[1] - beta * y[2];
}

// The attractor in 3-D and x(t); the PNG always, the rotatable page where Plotly.js is.
std::vector<std::string> plot_figures(const ode::Trajectory& traj, const std::vector<double>& t,
                                      const std::filesystem::path& dir) {
  namespace plot = soma::plot;
  std::filesystem::create_directories(dir);
  plot::Figure fig({.rows = 1,
                    .cols = 2,
                    .width = 1200,
                    .height = 520,
                    .title = "Lorenz attractor (odeint, t = 0..40)"});
  auto& a = fig.axes(0, 0);
  a.title = "trajectory";
  a.xlabel = "x";
  a.ylabel = "y";
  a.zlabel = "z";
  a.line3d(traj.component(0), traj.component(1), traj.component(2), {.width = 0.8});
  auto& b = fig.axes(0, 1);
  b.title = "x(t)";
  b.xlabel = "t";
  b.ylabel = "x";
  b.line(t, traj.component(0), {.width = 0.8});
  std::vector<std::string> written{(dir / "lorenz.png").string()};
  fig.save(written.back());
  try {
    (void)plot::plotly_js_path();
  } catch (const soma::Error& e) {
    std::fprintf(stderr, "lorenz: lorenz.html not written: %s\n", e.what());
    return written;
  }
  written.push_back((dir / "lorenz.html").string());
  fig.save(written.back());
  return written;
}

void run(const soma::cli::ExampleOptions& opt) {
  std::vector<double> t;
  for (int i = 0; i <= 4000; ++i) t.push_back(0.01 * i);
  const std::vector<double> y0 = {1, 1, 1};
  nlohmann::json nfev, seconds, final_state;

  // odeint counts its evaluations through the right-hand side itself.
  std::int64_t calls = 0;
  ode::Rhs counted = [&](double tt, std::span<const double> y, std::span<double> dy) {
    ++calls;
    lorenz(tt, y, dy);
  };
  soma::Stopwatch w;
  ode::Trajectory traj = ode::odeint(counted, y0, t, {.rtol = 1e-6, .atol = 1e-9});
  seconds["odeint"] = w.seconds();
  nfev["odeint"] = calls;
  final_state["odeint"] = std::vector<double>(traj.back().begin(), traj.back().end());

  for (ode::Method m : {ode::Method::RK45, ode::Method::LSODA}) {
    w.restart();
    ode::Result r = ode::solve_ivp(lorenz, {0, 40}, y0, {.method = m, .rtol = 1e-6, .atol = 1e-9});
    const std::string name = std::string("solve_ivp_") + ode::method_name(m);
    seconds[name] = w.seconds();
    nfev[name] = r.nfev;
    final_state[name] = std::vector<double>(r.y.back().begin(), r.y.back().end());
  }

  std::vector<std::string> figures;
  if (!opt.plot_dir.empty()) figures = plot_figures(traj, t, opt.plot_dir);

  if (!opt.json) {
    std::printf("Lorenz (sigma 10, rho 28, beta 8/3) from (1, 1, 1), rtol 1e-6, atol 1e-9\n");
    std::printf("odeint at %zu times 0:40:0.01; x(20) = %.6f\n", t.size(), traj(2000, 0));
    for (auto& [name, v] : final_state.items())
      std::printf("%-18s y(40) = (%10.5f, %10.5f, %10.5f)  nfev %6lld  %8.3f ms\n", name.c_str(),
                  v[0].get<double>(), v[1].get<double>(), v[2].get<double>(),
                  nfev[name].get<long long>(), 1e3 * seconds[name].get<double>());
    // odeint and solve_ivp both run LSODA (Adams while Lorenz looks non-stiff), but odeint's
    // first step aims at its first output time, so their steps differ from the start; by
    // t = 40 different steps have drifted apart (the system is chaotic).
    std::printf("(LSODA: Adams-Moulton while non-stiff, BDF where stiff, as SciPy's)\n");
    for (const auto& f : figures) std::printf("wrote %s\n", f.c_str());
  } else {
    soma::cli::print_json(
        {{"nfev", nfev}, {"seconds", seconds}, {"final", final_state}, {"figures", figures}});
  }
}

soma::cli::ExampleRegistrar reg("lorenz", "Lorenz attractor: odeint, RK45 and LSODA",
                                [](CLI::App& app) {
                                  auto opt = std::make_shared<soma::cli::ExampleOptions>();
                                  soma::cli::add_example_options(app, *opt);
                                  app.callback([opt] { run(*opt); });
                                });

}  // namespace
