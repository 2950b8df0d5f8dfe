// Curve fitting as in the tutorial: an exponential decay y = init*exp(-x/tau)
// (tau 30, init 250) and a growth (tau -30, init 20), each with normal noise of
// scale 50 on 1000 points x in [0, 100]. The decay fits from p0 = (1, 1); the
// growth does not: from (1, 1) LM walks tau off to +infinity, where the model is
// a constant and the data cannot determine tau, and the status says so (SciPy
// reports success there); from (-5, 1) it finds tau ~ -30. --plot DIR draws the decay
// fit over its data and the SSR landscape around it, log10 SSR over a (tau, init) grid
// with the fitted minimum marked (curve_fit.png).
//
//   soma example curve-fit [--json] [--seed N] [--plot DIR]
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "registry.hpp"
#include "soma/core/random.hpp"
#include "soma/fit/curve_fit.hpp"
#include "soma/plot/figure.hpp"

namespace {

namespace fit = soma::fit;

// The model, written once for any scalar: dual numbers give its exact Jacobian.
struct Decay {
  template <class T>
  T operator()(double x, std::span<const T> p) const {  // p = (tau, init)
    using std::exp;
    return p[1] * exp(-x / p[0]);
  }
};

std::vector<double> noisy(const std::vector<double>& x, double tau, double init, soma::Rng& rng) {
  std::vector<double> y;
  for (double xi : x) y.push_back(init * std::exp(-xi / tau) + rng.normal(0.0, 50.0));
  return y;
}

// Non-finite numbers (an undetermined covariance is +inf) become null.
nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json to_json(const fit::CurveFitResult& r) {
  const size_t n = r.popt.size();
  nlohmann::json pcov = nlohmann::json::array(), perr = nlohmann::json::array();
  for (size_t a = 0; a < n; ++a) {
    nlohmann::json row = nlohmann::json::array();
    for (size_t b = 0; b < n; ++b) row.push_back(number(r.pcov[a * n + b]));
    pcov.push_back(row);
    perr.push_back(number(r.perr()[a]));
  }
  return {{"popt", r.popt},
          {"pcov", pcov},
          {"perr", perr},
          {"ssr", r.ssr},
          {"nfev", r.nfev},
          {"status", fit::to_string(r.status)},
          {"converged", r.converged},
          {"message", r.message}};
}

void print(const char* title, const fit::CurveFitResult& r) {
  const auto e = r.perr();
  std::printf("%s\n  tau  = %12.5g +- %.3g\n  init = %12.5g +- %.3g\n  SSR %.6g, nfev %d\n  %s\n",
              title, r.popt[0], e[0], r.popt[1], e[1], r.ssr, r.nfev, r.message.c_str());
}

std::string plot_decay(const std::vector<double>& x, const std::vector<double>& y,
                       const fit::CurveFitResult& r, const std::filesystem::path& dir) {
  namespace plot = soma::plot;
  std::filesystem::create_directories(dir);
  const Decay model;
  auto curve = [&](double tau, double init) {
    const double p[] = {tau, init};
    std::vector<double> v;
    for (double xi : x) v.push_back(model(xi, std::span<const double>(p)));
    return v;
  };
  plot::Figure fig({.rows = 1,
                    .cols = 2,
                    .width = 1200,
                    .height = 500,
                    .title = "y = init*exp(-x/tau) + noise: decay fit from p0 = (1, 1)"});
  auto& a = fig.axes(0, 0);
  a.title = "fit";
  a.xlabel = "x";
  a.ylabel = "y";
  a.scatter(x, y, {.label = "data", .color = "#9ecae1", .size = 2});
  a.line(x, curve(30.0, 250.0), {.label = "true (tau 30, init 250)", .dash = true});
  char fitted[96];
  std::snprintf(fitted, sizeof fitted, "fit (tau %.3g, init %.4g)", r.popt[0], r.popt[1]);
  a.line(x, curve(r.popt[0], r.popt[1]), {.label = fitted, .width = 2});

  // The landscape the solver descended: SSR on a grid spanning the true values, in
  // decades since it climbs steeply away from the valley.
  const plot::Range taus{10.0, 60.0}, inits{150.0, 350.0};
  const size_t cols = 100, rows = 80;
  std::vector<double> log_ssr;
  for (size_t i = 0; i < rows; ++i) {
    const double init = inits.lo + (double(i) + 0.5) * (inits.hi - inits.lo) / double(rows);
    for (size_t j = 0; j < cols; ++j) {
      const double tau = taus.lo + (double(j) + 0.5) * (taus.hi - taus.lo) / double(cols);
      double ssr = 0;
      const auto c = curve(tau, init);
      for (size_t k = 0; k < x.size(); ++k) ssr += (y[k] - c[k]) * (y[k] - c[k]);
      log_ssr.push_back(std::log10(ssr));
    }
  }
  auto& b = fig.axes(0, 1);
  b.title = "SSR landscape";
  b.xlabel = "tau";
  b.ylabel = "init";
  b.grid = false;
  b.heatmap(log_ssr, rows, cols, {.label = "log10 SSR", .x_extent = taus, .y_extent = inits});
  b.scatter({r.popt[0]}, {r.popt[1]}, {.label = "fit", .color = "#d62728", .size = 9});
  const auto path = dir / "curve_fit.png";
  fig.save(path);
  return path.string();
}

void run(const soma::cli::ExampleOptions& opt) {
  soma::Rng rng(opt.seed);
  std::vector<double> x(1000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 100.0 * double(i) / double(x.size() - 1);
  const std::vector<double> decay_y = noisy(x, 30.0, 250.0, rng);
  const std::vector<double> growth_y = noisy(x, -30.0, 20.0, rng);

  const auto decay = fit::curve_fit(Decay{}, x, decay_y, {1.0, 1.0});
  const auto growth1 = fit::curve_fit(Decay{}, x, growth_y, {1.0, 1.0});
  const auto growth5 = fit::curve_fit(Decay{}, x, growth_y, {-5.0, 1.0});
  std::vector<std::string> figures;
  if (!opt.plot_dir.empty()) figures.push_back(plot_decay(x, decay_y, decay, opt.plot_dir));

  if (!opt.json) {
    std::printf("y = init*exp(-x/tau) + noise (scale 50), 1000 points, x in [0, 100]\n\n");
    print("decay (tau 30, init 250) from p0 = (1, 1):", decay);
    print("growth (tau -30, init 20) from p0 = (1, 1):", growth1);
    print("growth (tau -30, init 20) from p0 = (-5, 1):", growth5);
    for (const auto& f : figures) std::printf("wrote %s\n", f.c_str());
    return;
  }
  soma::cli::print_json({{"decay", to_json(decay)},
                         {"growth_p0_1", to_json(growth1)},
                         {"growth_p0_minus5", to_json(growth5)},
                         {"figures", figures}});
}

soma::cli::ExampleRegistrar reg("curve-fit", "Fit exponential decay and growth (curve_fit, LM)",
                                [](CLI::App& app) {
                                  auto opts = std::make_shared<soma::cli::ExampleOptions>();
                                  soma::cli::add_example_options(app, *opts);
                                  app.callback([opts] { run(*opts); });
                                });

}  // namespace
