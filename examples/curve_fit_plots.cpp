// The curve-fit example's figures, one per figure of the tutorial's curve_fit section.
#include <cstdio>
#include <string>
#include <vector>

#include "curve_fit.hpp"
#include "soma/plot/figure.hpp"

namespace soma::examples::curve_fit {
namespace {

namespace plot = soma::plot;

std::vector<double> curve(const std::vector<double>& x, double tau, double init) {
  std::vector<double> v;
  for (double xi : x) v.push_back(decay(xi, tau, init));
  return v;
}

// Data, true curve and fit on one axes, coloured as the tutorial's (#1b9e77 data,
// #d95f02 true, #7570b3 fit).
void fit_axes(plot::Axes& a, const std::string& title, const std::vector<double>& x,
              const std::vector<double>& y, double tau, double init, const fit::CurveFitResult& r,
              const std::vector<double>& curve_x) {
  a.title = title;
  a.xlabel = "x";
  a.ylabel = "y";
  a.scatter(x, y, {.label = "data + noise", .color = "#1b9e77", .size = 2});
  char label[96];
  std::snprintf(label, sizeof label, "true (tau %g, init %g)", tau, init);
  a.line(curve_x, curve(curve_x, tau, init), {.label = label, .color = "#d95f02"});
  std::snprintf(label, sizeof label, "fit (tau %.4g, init %.4g)", r.popt[0], r.popt[1]);
  a.line(curve_x, curve(curve_x, r.popt[0], r.popt[1]),
         {.label = label, .color = "#7570b3", .width = 2});
}

}  // namespace

std::vector<std::string> plot_tutorial(const Tutorial& t, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> written;
  auto save = [&](const plot::Figure& fig, const char* name) {
    written.push_back((dir / name).string());
    fig.save(written.back());
  };

  plot::Figure d({.rows = 1,
                  .cols = 1,
                  .width = 1200,
                  .height = 500,
                  .title = "Curve Fit Exponential Decay (p0 = (1, 1))"});
  fit_axes(d.axes(), "1,000 points", t.x, t.decay_y, 30, 250, t.decay, t.x);
  save(d, "curve_fit.png");

  plot::Figure g({.rows = 1,
                  .cols = 2,
                  .width = 1200,
                  .height = 500,
                  .title = "Curve Fit Exponential Growth: bad and good initial parameters"});
  fit_axes(g.axes(0, 0), "p0 = (1, 1)", t.x, t.growth_y, -30, 20, t.growth_p0_1, t.x);
  fit_axes(g.axes(0, 1), "p0 = (-5, 1)", t.x, t.growth_y, -30, 20, t.growth_p0_minus5, t.x);
  save(g, "curve_fit_growth.png");

  const auto& l = t.landscape;
  plot::Figure s({.rows = 1,
                  .cols = 2,
                  .width = 1200,
                  .height = 500,
                  .title = "SSR of the growth data over tau (init = 20)"});
  auto& n = s.axes(0, 0);
  n.xlabel = "Guessed Tau";
  n.ylabel = "SSR (log scale)";
  n.ylog = true;
  n.legend_position = plot::LegendPosition::top_left;  // the -5 guess sits top right
  n.scatter(l.tau_n, l.ssr_n, {.label = "All Points", .size = 2});
  n.scatter({-30.0}, {l.ssr_real_tau}, {.label = "Real Minimum", .color = "#d95f02", .size = 8});
  n.scatter({l.tau_n.back()}, {l.ssr_n.back()},
            {.label = "-5 Initial Guess", .color = "#1b9e77", .size = 8});
  auto& p = s.axes(0, 1);
  p.xlabel = "Guessed Tau";
  p.ylabel = "SSR";
  p.scatter(l.tau_p, l.ssr_p, {.label = "All Points", .size = 2});
  p.scatter({l.tau_p.front()}, {l.ssr_p.front()},
            {.label = "1 Initial Guess", .color = "#d95f02", .size = 8});
  save(s, "curve_fit_landscape.png");

  std::vector<double> xs, ys;
  for (int64_t i : t.sparse_idx) xs.push_back(t.x[size_t(i)]), ys.push_back(t.decay_y[size_t(i)]);
  plot::Figure sp({.rows = 1,
                   .cols = 1,
                   .width = 900,
                   .height = 500,
                   .title = "Curve Fit Exponential Decay on 20 randomly chosen points"});
  fit_axes(sp.axes(), "20 points", xs, ys, 30, 250, t.sparse, t.x);
  save(sp, "curve_fit_sparse.png");
  return written;
}

}  // namespace soma::examples::curve_fit
