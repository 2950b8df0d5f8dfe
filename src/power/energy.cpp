// Energy arithmetic and the terminal sparkline.
#include <algorithm>
#include <cmath>

#include "soma/core/error.hpp"
#include "soma/power/monitor.hpp"

namespace soma::power {

double trapezoid_energy(std::span<const double> t, std::span<const double> watts) {
  if (t.size() != watts.size())
    throw Error("power: " + std::to_string(t.size()) + " times but " +
                std::to_string(watts.size()) + " power values (expected equal lengths)");
  double joules = 0;
  for (std::size_t i = 1; i < t.size(); ++i)
    if (std::isfinite(watts[i - 1]) && std::isfinite(watts[i]))
      joules += (t[i] - t[i - 1]) * (watts[i - 1] + watts[i]) / 2;
  return joules;
}

double co2_grams(double joules, double grid_g_per_kwh) {
  if (!(grid_g_per_kwh >= 0))
    throw Error("power: grid intensity " + std::to_string(grid_g_per_kwh) +
                " g CO2/kWh (expected a number >= 0)");
  return joules / 3.6e6 * grid_g_per_kwh;  // 1 kWh = 3.6 MJ
}

std::string sparkline(std::span<const double> values, double lo, double hi) {
  static const char* const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  std::string out;
  for (double v : values) {
    if (!std::isfinite(v)) {
      out += ' ';
      continue;
    }
    double f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    int k = static_cast<int>(std::lround(std::clamp(f, 0.0, 1.0) * 7));
    out += blocks[k];
  }
  return out;
}

}  // namespace soma::power
