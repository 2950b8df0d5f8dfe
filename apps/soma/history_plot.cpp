#include "history_plot.hpp"

#include <algorithm>
#include <cmath>

namespace soma::cli {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool any_finite(const std::vector<double>& v) {
  return std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

// A single epoch is one point: a line alone would not show it.
plot::LineOptions line_options(const HistoryCurves& c, const std::string& column) {
  return {.label = curve_label(column), .markers = c.epoch.size() <= 30};
}

void draw(plot::Axes& ax, const HistoryCurves& c, const std::vector<HistoryCurves::Curve>& curves,
          int64_t best_epoch) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& [name, values] : curves) {
    ax.line(c.epoch, values, line_options(c, name));
    for (double v : values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (best_epoch > 0 && std::isfinite(lo) && !ax.ylog)
    ax.line({double(best_epoch), double(best_epoch)}, {lo, hi},
            {.label = "best epoch (" + std::to_string(best_epoch) + ")",
             .color = "#7f7f7f",
             .width = 1,
             .dash = true});
  ax.xlabel = "epoch";
  // Half an epoch of margin: the first and last epochs' points (and the best epoch's line
  // on them) would otherwise lie on the frame, and a single epoch would have no width.
  const auto [first, last] = std::minmax_element(c.epoch.begin(), c.epoch.end());
  if (first != c.epoch.end() && std::isfinite(*first) && std::isfinite(*last) && !ax.xlog)
    ax.xlim = plot::Range{*first - 0.5, *last + 0.5};
}

}  // namespace

bool is_history_header(const std::vector<std::string>& names) {
  return std::find(names.begin(), names.end(), "epoch") != names.end() &&
         std::find(names.begin(), names.end(), "train_loss") != names.end();
}

HistoryCurves history_curves(const std::vector<std::string>& names,
                             const std::vector<std::vector<double>>& columns) {
  HistoryCurves c;
  for (size_t i = 0; i < names.size() && i < columns.size(); ++i) {
    const std::string& n = names[i];
    if (n == "epoch")
      c.epoch = columns[i];
    else if (n == "seconds" || !any_finite(columns[i]))
      continue;
    else if (ends_with(n, "loss"))
      c.losses.emplace_back(n, columns[i]);
    else
      c.metrics.emplace_back(n, columns[i]);
  }
  return c;
}

HistoryCurves history_curves(const train::History& history) {
  std::vector<std::string> names = {"epoch", "train_loss", "valid_loss"};
  if (!history.epochs.empty())
    for (const auto& [name, value] : history.epochs.front().metrics) names.push_back(name);
  std::vector<std::vector<double>> columns(names.size());
  for (const auto& e : history.epochs) {
    columns[0].push_back(static_cast<double>(e.epoch));
    columns[1].push_back(e.train_loss);
    columns[2].push_back(e.valid_loss);
    for (size_t i = 3; i < names.size(); ++i) {
      const auto it = e.metrics.find(names[i]);
      columns[i].push_back(it == e.metrics.end() ? NAN : it->second);
    }
  }
  return history_curves(names, columns);
}

std::string curve_label(const std::string& column) {
  std::string s = column;
  if (s.rfind("valid_", 0) == 0) s = "validation_" + s.substr(6);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

void draw_losses(plot::Axes& ax, const HistoryCurves& c, int64_t best_epoch) {
  draw(ax, c, c.losses, best_epoch);
  ax.ylabel = "loss";
}

void draw_metrics(plot::Axes& ax, const HistoryCurves& c, int64_t best_epoch) {
  if (c.metrics.empty()) return;
  draw(ax, c, c.metrics, best_epoch);
  const bool accuracies = std::all_of(c.metrics.begin(), c.metrics.end(),
                                      [](const auto& m) { return ends_with(m.first, "accuracy"); });
  ax.ylabel = c.metrics.size() == 1 ? curve_label(c.metrics[0].first)
              : accuracies          ? "accuracy"
                                    : "value";
  // Accuracies rise over the epochs, into the top right corner: the legend goes below.
  if (accuracies) ax.legend_position = plot::LegendPosition::bottom_right;
}

}  // namespace soma::cli
