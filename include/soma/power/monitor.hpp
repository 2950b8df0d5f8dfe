#pragma once
// Power and energy of this machine while something runs, in the spirit of `perf stat -e
// power/energy-pkg/`, pynvml and codecarbon:
//
//   soma::power::PowerMonitor monitor({.interval = std::chrono::milliseconds(100)});
//   if (!monitor.has_sensors()) for (auto& line : monitor.attempts()) puts(line.c_str());
//   monitor.start();          // samples on a background thread
//   train();                  // ... the work being measured
//   monitor.stop();
//   auto r = monitor.report(/*grid g CO2 per kWh=*/350);
//   printf("%.1f J, %.2f g CO2\n", r.energy_j, *r.co2_g);
//
// Sensors: every NVIDIA GPU through NVML (libnvidia-ml is opened with dlopen at run time,
// so nothing NVIDIA is needed to build or start; $SOMA_NVML_LIBRARY or the option picks
// another library), and every CPU package through RAPL under /sys/class/powercap
// ($SOMA_POWERCAP_ROOT or the option picks another tree). Energy is the trapezoidal
// integral of the sampled power and, where the hardware keeps one (RAPL always, GPUs from
// Volta on), the difference of its cumulative energy counter; both are reported.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "soma/core/std_chrono.hpp"
#include "soma/core/std_function.hpp"
#include "soma/core/std_memory.hpp"

namespace soma::power {

struct MonitorOptions {
  std::chrono::milliseconds interval{100};
  bool gpu = true, cpu = true;      // which sensor families to try
  std::string nvml_library{};       // empty: $SOMA_NVML_LIBRARY, else libnvidia-ml.so.1
  std::string powercap_root{};      // empty: $SOMA_POWERCAP_ROOT, else /sys/class/powercap
  std::function<double()> clock{};  // seconds; empty: a steady clock (tests inject one)
};

struct SensorInfo {
  std::string name{};  // "gpu0 NVIDIA H100 80GB HBM3", "cpu package-0"
  std::string kind{};  // "gpu" or "cpu"
  bool has_energy_counter = false;
};

// One reading of every sensor, in the order of PowerMonitor::sensors().
struct Sample {
  double t = 0;                     // seconds since the first sample
  std::vector<double> watts{};      // NaN where a sensor gave no reading
  std::vector<double> counter_j{};  // cumulative counter energy since the first sample; NaN: none
};

struct SensorReport {
  std::string name{}, kind{};
  double energy_j = 0;                       // trapezoidal integral of the samples
  std::optional<double> counter_energy_j{};  // from the hardware's cumulative counter
  double mean_w = 0, max_w = 0;
};

struct Report {
  double duration_s = 0;
  std::size_t samples = 0;
  std::vector<SensorReport> sensors{};
  // Sum over sensors of the counter energy where there is one, else the integral:
  // a counter misses nothing between samples.
  double energy_j = 0;
  std::optional<double> co2_g{};  // when a grid intensity was given
};

class PowerMonitor {
 public:
  // Finds the sensors (none found is not an error: see has_sensors and attempts).
  explicit PowerMonitor(MonitorOptions options = {});
  ~PowerMonitor();
  PowerMonitor(const PowerMonitor&) = delete;
  PowerMonitor& operator=(const PowerMonitor&) = delete;

  const std::vector<SensorInfo>& sensors() const;
  bool has_sensors() const { return !sensors().empty(); }
  // One line per source tried and what came of it, e.g.
  // "NVML (libnvidia-ml.so.1): not loaded: libnvidia-ml.so.1: cannot open shared object file".
  const std::vector<std::string>& attempts() const;

  // Samples every `interval` on a background thread (the first sample at once), on a fixed
  // schedule so the cadence does not drift; stop() takes a last sample and joins.
  void start();
  void stop();
  bool running() const;
  // Takes one sample now (start() does this on its schedule).
  void sample();

  std::size_t sample_count() const;
  std::vector<Sample> samples(std::size_t first = 0) const;  // copies, thread-safe
  Report report(std::optional<double> grid_g_per_kwh = std::nullopt) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Trapezoidal integral of power over time in joules; intervals touching a NaN are skipped.
double trapezoid_energy(std::span<const double> t, std::span<const double> watts);

// codecarbon's estimate: grams of CO2 = kWh used x grid carbon intensity (g CO2 per kWh).
double co2_grams(double joules, double grid_g_per_kwh);

// The last values as a one-line bar chart of Unicode blocks (▁▂▃▄▅▆▇█) scaled to [lo, hi];
// a NaN prints as a space.
std::string sparkline(std::span<const double> values, double lo, double hi);

}  // namespace soma::power
