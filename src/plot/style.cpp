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

double bar_width(std::size_t n) { return 0.8 / static_cast<double>(std::max<std::size_t>(n, 1)); }

double bar_offset(std::size_t k, std::size_t n) {
  return (static_cast<double>(k) - (static_cast<double>(n) - 1) / 2) * bar_width(n);
}

}  // namespace soma::plot::detail
