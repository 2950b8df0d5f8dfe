#pragma once
// The figures of `soma snn run MODEL.toml --plot DIR`: a spike raster for each spike
// monitor, the population rate for each rate monitor and the recorded variables for
// each state monitor, each a PNG named after the monitor's CSV (spikes.csv ->
// DIR/spikes.png).
#include <filesystem>
#include <string>
#include <vector>

#include "snn_model.hpp"

namespace soma::cli {

// Draws every monitor of `model` after its runs (`t_end` seconds simulated) and returns
// the files written, in the monitors' order.
std::vector<std::string> plot_snn_monitors(const SnnModel& model, double t_end,
                                           const std::filesystem::path& dir);

}  // namespace soma::cli
