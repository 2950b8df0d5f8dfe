#pragma once
// Curves of a training history (history.csv of a `soma train` run: epoch, train_loss,
// valid_loss, valid_<metric>..., seconds) for `soma train`'s figures and `soma plot`.
// Losses and other metrics go on separate axes, and the seconds an epoch took on none:
// drawn with the losses, 107 seconds flattened every loss curve to the bottom.
#include <string>
#include <utility>
#include <vector>

#include "soma/plot/figure.hpp"
#include "soma/train/fit.hpp"

namespace soma::cli {

struct HistoryCurves {
  std::vector<double> epoch;
  using Curve = std::pair<std::string, std::vector<double>>;  // column name, values
  std::vector<Curve> losses, metrics;                         // columns holding some number
};

// True for the header of a training history: an "epoch" column and a "train_loss" one.
bool is_history_header(const std::vector<std::string>& names);

// Sorts columns by their names: "epoch" is x, "seconds" is left out, a name ending in
// "loss" is a loss, any other a metric; columns with no finite value are left out.
HistoryCurves history_curves(const std::vector<std::string>& names,
                             const std::vector<std::vector<double>>& columns);
HistoryCurves history_curves(const train::History& history);

// "valid_loss" -> "validation loss", as a legend says it.
std::string curve_label(const std::string& column);

// The losses against the epoch on `ax`; a dashed vertical line marks `best_epoch` (> 0).
void draw_losses(plot::Axes& ax, const HistoryCurves& c, int64_t best_epoch = 0);
// The metrics against the epoch on `ax` (nothing when there are none).
void draw_metrics(plot::Axes& ax, const HistoryCurves& c, int64_t best_epoch = 0);

}  // namespace soma::cli
