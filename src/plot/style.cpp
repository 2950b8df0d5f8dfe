#include "plot/style.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "soma/core/error.hpp"

namespace soma::plot::detail {

std::string cycle_color(std::size_t index) {
  static const std::array<const char*, 10> tab10 = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                    "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                    "#bcbd22", "#17becf"};
  return tab10[index % tab10.size()];
}

std::vector<std::pair<double, std::string>> colormap_stops(const std::string& name) {
  // viridis sampled at 9 points from matplotlib's table (_cm_listed.py).
  if (name == "viridis")
    return {{0.000, "#440154"}, {0.125, "#472d7b"}, {0.250, "#3b528b"},
            {0.375, "#2c728e"}, {0.500, "#21918c"}, {0.625, "#28ae80"},
            {0.750, "#5ec962"}, {0.875, "#addc30"}, {1.000, "#fde725"}};
  if (name == "gray") return {{0.0, "#000000"}, {1.0, "#ffffff"}};
  // matplotlib's coolwarm (Moreland's diverging map) at its ends and middle.
  if (name == "coolwarm") return {{0.0, "#3b4cc0"}, {0.5, "#dddddd"}, {1.0, "#b40426"}};
  throw Error("plot: unknown colormap '" + name + "' (expected viridis, gray or coolwarm)");
}

std::string number(double x) {
  if (!std::isfinite(x)) return "NaN";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  (void)ec;  // 32 characters always hold the shortest form of a double
  return std::string(buf, end);
}

std::vector<long> class_ids(const ScatterSeries& s) {
  std::set<long> ids;
  for (double c : s.opt.classes.v) ids.insert(std::lround(c));
  return {ids.begin(), ids.end()};
}

std::string class_name(const ScatterSeries& s, long id) {
  if (id >= 0 && static_cast<std::size_t>(id) < s.opt.class_names.size())
    return s.opt.class_names[static_cast<std::size_t>(id)];
  return std::to_string(id);
}

bool has_legend_entries(const Axes& ax) {
  if (!ax.legend) return false;
  for (const auto& s : ax.series()) {
    bool labelled = std::visit(
        [](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, ScatterSeries>)
            return !x.opt.label.empty() || !x.opt.classes.empty();
          else if constexpr (std::is_same_v<T, HeatmapSeries>)
            return false;
          else
            return !x.opt.label.empty();
        },
        s);
    if (labelled) return true;
  }
  return false;
}

std::vector<std::string> legend_labels(const Axes& ax) {
  std::vector<std::string> out;
  for (const auto& series : ax.series()) {
    if (const auto* p = std::get_if<ScatterSeries>(&series); p && !p->opt.classes.empty()) {
      for (long id : class_ids(*p)) out.push_back(class_name(*p, id));
      continue;
    }
    std::visit(
        [&](const auto& x) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(x)>, HeatmapSeries>)
            if (!x.opt.label.empty()) out.push_back(x.opt.label);
        },
        series);
  }
  return out;
}

namespace {

// The points an axes draws in 2-D, with line segments sampled so that a line crossing a
// corner between two of its points still counts there.
void drawn_points(const Axes& ax, std::vector<double>& xs, std::vector<double>& ys) {
  auto add = [&](double x, double y) { xs.push_back(x), ys.push_back(y); };
  for (const auto& series : ax.series()) {
    if (const auto* l = std::get_if<LineSeries>(&series)) {
      for (std::size_t i = 0; i < l->x.size(); ++i) {
        add(l->x[i], l->y[i]);
        if (i + 1 < l->x.size())
          for (int k = 1; k < 8; ++k) {
            const double f = k / 8.0;
            add(l->x[i] + f * (l->x[i + 1] - l->x[i]), l->y[i] + f * (l->y[i + 1] - l->y[i]));
          }
      }
    } else if (const auto* p = std::get_if<ScatterSeries>(&series)) {
      for (std::size_t i = 0; i < p->x.size(); ++i) add(p->x[i], p->y[i]);
    } else if (const auto* h = std::get_if<HistSeries>(&series)) {
      // A bar covers its whole column from zero up.
      for (std::size_t i = 0; i < h->heights.size(); ++i)
        for (int k = 0; k <= 8; ++k)
          add((h->edges[i] + h->edges[i + 1]) / 2, h->heights[i] * k / 8.0);
    } else if (const auto* b = std::get_if<BarSeries>(&series)) {
      for (std::size_t i = 0; i < b->values.size(); ++i)
        for (int k = 0; k <= 8; ++k) add(static_cast<double>(i), b->values[i] * k / 8.0);
    }
  }
}

// Maps v into [0, 1] across lo..hi (on a log scale when `log`); NaN when it cannot.
double unit(double v, double lo, double hi, bool log) {
  if (log) {
    if (!(v > 0) || !(lo > 0) || !(hi > 0)) return NAN;
    v = std::log10(v), lo = std::log10(lo), hi = std::log10(hi);
  }
  return hi > lo ? (v - lo) / (hi - lo) : 0.5;
}

}  // namespace

LegendPosition legend_position(const Axes& ax, double width, double height) {
  if (ax.legend_position != LegendPosition::best) return ax.legend_position;
  if (ax.is_3d()) return LegendPosition::top_right;
  std::vector<double> xs, ys;
  drawn_points(ax, xs, ys);
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (std::isfinite(xs[i]) && (!ax.xlog || xs[i] > 0))
      xlo = std::min(xlo, xs[i]), xhi = std::max(xhi, xs[i]);
    if (std::isfinite(ys[i]) && (!ax.ylog || ys[i] > 0))
      ylo = std::min(ylo, ys[i]), yhi = std::max(yhi, ys[i]);
  }
  if (ax.xlim) xlo = ax.xlim->lo, xhi = ax.xlim->hi;
  if (ax.ylim) ylo = ax.ylim->lo, yhi = ax.ylim->hi;
  // The box a legend needs: about 7 px a character and 16 px a line at gnuplot's
  // 10-point font, plus the sample line and padding.
  const auto labels = legend_labels(ax);
  std::size_t longest = 0;
  for (const auto& l : labels) longest = std::max(longest, l.size());
  const double box_w = std::min(0.9, (7.0 * static_cast<double>(longest) + 70) / width);
  const double box_h = std::min(0.9, (16.0 * static_cast<double>(labels.size()) + 12) / height);
  const LegendPosition order[] = {LegendPosition::top_right, LegendPosition::top_left,
                                  LegendPosition::bottom_right, LegendPosition::bottom_left};
  for (LegendPosition p : order) {
    const bool left = p == LegendPosition::top_left || p == LegendPosition::bottom_left;
    const bool bottom = p == LegendPosition::bottom_left || p == LegendPosition::bottom_right;
    bool crossed = false;
    for (std::size_t i = 0; i < xs.size() && !crossed; ++i) {
      const double u = unit(xs[i], xlo, xhi, ax.xlog), v = unit(ys[i], ylo, yhi, ax.ylog);
      if (!std::isfinite(u) || !std::isfinite(v)) continue;
      crossed = (left ? u <= box_w : u >= 1 - box_w) && (bottom ? v <= box_h : v >= 1 - box_h);
    }
    if (!crossed) return p;
  }
  return LegendPosition::outside_right;
}

double bar_width(std::size_t n) { return 0.8 / static_cast<double>(std::max<std::size_t>(n, 1)); }

double bar_offset(std::size_t k, std::size_t n) {
  return (static_cast<double>(k) - (static_cast<double>(n) - 1) / 2) * bar_width(n);
}

}  // namespace soma::plot::detail
