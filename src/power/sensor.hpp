#pragma once
// A power sensor as the monitor sees it: read it at a time, get watts and (where the
// hardware keeps one) a cumulative energy counter.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "soma/power/monitor.hpp"

namespace soma::power::detail {

struct Reading {
  double watts;                     // NaN where this reading gives none
  std::optional<double> counter_j;  // cumulative, from an arbitrary origin
};

class Sensor {
 public:
  virtual ~Sensor() = default;
  virtual SensorInfo info() const = 0;
  // `t` is the monitor's clock in seconds, for sensors that derive power from energy.
  virtual Reading read(double t) = 0;
};

// Each finder appends the sensors it found and one line per attempt to `attempts`.
void find_nvml_sensors(const std::string& library, std::vector<std::unique_ptr<Sensor>>& sensors,
                       std::vector<std::string>& attempts);
void find_rapl_sensors(const std::string& root, std::vector<std::unique_ptr<Sensor>>& sensors,
                       std::vector<std::string>& attempts);

}  // namespace soma::power::detail
