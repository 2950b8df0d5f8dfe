// Curve fitting as in the tutorial: an exponential decay y = init*exp(-x/tau)
// (tau 30, init 250) and a growth (tau -30, init 20), each with normal noise of
// scale 50 on 1000 points x in [0, 100]. The decay fits from p0 = (1, 1); the
// growth does not: from (1, 1) LM walks tau off to +infinity, where the model is
// a constant and the data cannot determine tau, and the status says so (SciPy
// reports success there); from (-5, 1) it finds tau ~ -30.
//
//   soma example curve-fit [--json] [--seed N]
#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <vector>

#include "registry.hpp"
#include "soma/core/random.hpp"
#include "soma/fit/curve_fit.hpp"

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

void run(const soma::cli::ExampleOptions& opt) {
  soma::Rng rng(opt.seed);
  std::vector<double> x(1000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 100.0 * double(i) / double(x.size() - 1);
  const std::vector<double> decay_y = noisy(x, 30.0, 250.0, rng);
  const std::vector<double> growth_y = noisy(x, -30.0, 20.0, rng);

  const auto decay = fit::curve_fit(Decay{}, x, decay_y, {1.0, 1.0});
  const auto growth1 = fit::curve_fit(Decay{}, x, growth_y, {1.0, 1.0});
  const auto growth5 = fit::curve_fit(Decay{}, x, growth_y, {-5.0, 1.0});

  if (!opt.json) {
    std::printf("y = init*exp(-x/tau) + noise (scale 50), 1000 points, x in [0, 100]\n\n");
    print("decay (tau 30, init 250) from p0 = (1, 1):", decay);
    print("growth (tau -30, init 20) from p0 = (1, 1):", growth1);
    print("growth (tau -30, init 20) from p0 = (-5, 1):", growth5);
    return;
  }
  soma::cli::print_json({{"decay", to_json(decay)},
                         {"growth_p0_1", to_json(growth1)},
                         {"growth_p0_minus5", to_json(growth5)}});
}

soma::cli::ExampleRegistrar reg("curve-fit", "Fit exponential decay and growth (curve_fit, LM)",
                                [](CLI::App& app) {
                                  auto opts = std::make_shared<soma::cli::ExampleOptions>();
                                  soma::cli::add_example_options(app, *opts);
                                  app.callback([opts] { run(*opts); });
                                });

}  // namespace
