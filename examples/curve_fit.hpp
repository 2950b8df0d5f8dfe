#pragma once
// The curve-fit example's computation, shared with its figures (curve_fit_plots.cpp), and
// its entry point: its own main() and `soma example curve-fit` (apps/soma/examples/) call run().
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "soma/cli/example.hpp"
#include "soma/fit/curve_fit.hpp"

namespace soma::examples::curve_fit {

// The tutorial's exp_decay(x, tau, init) = init*e**(-x/tau), written once for any scalar:
// dual numbers give its exact Jacobian.
struct Decay {
  template <class T>
  T operator()(double x, std::span<const T> p) const {  // p = (tau, init)
    using std::exp;
    return p[1] * exp(-x / p[0]);
  }
};
inline double decay(double x, double tau, double init) { return init * std::exp(-x / tau); }

// The 1-D SSR landscape of the growth data over tau, init held at its true value 20.
struct Landscape {
  std::vector<double> tau_n, ssr_n;  // tau in arange(-60, -4.9, 0.1)
  std::vector<double> tau_p, ssr_p;  // tau in arange(1, 60, 0.1)
  double ssr_real_tau = 0;           // at tau = -30
};

struct Tutorial {
  std::vector<double> x;                  // arange(0, 100, 0.1)
  std::vector<double> decay_y, growth_y;  // the first two noise blocks
  std::vector<double> landscape_y;        // the third
  fit::CurveFitResult decay, growth_p0_1, growth_p0_minus5, sparse;
  std::vector<int64_t> sparse_idx;  // 20 points of the decay data, sorted
  Landscape landscape;
};

// Everything the tutorial computes, with NumPy's stream seeded `seed` (the tutorial: 100).
Tutorial run_tutorial(uint32_t seed);

// curve_fit.png (decay), curve_fit_growth.png, curve_fit_landscape.png,
// curve_fit_sparse.png; returns their paths.
std::vector<std::string> plot_tutorial(const Tutorial& t, const std::filesystem::path& dir);

struct Options : soma::cli::ExampleOptions {
  Options() { seed = 100; }  // np.random.seed(100), the tutorial's
};

void run(const Options& opt);

}  // namespace soma::examples::curve_fit
