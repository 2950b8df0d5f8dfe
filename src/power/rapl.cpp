// CPU package power through Linux powercap's RAPL zones: each package's energy_uj is a
// counter in microjoules that wraps at max_energy_range_uj; power is its difference over
// the time between samples.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include "power/sensor.hpp"

namespace soma::power::detail {

namespace {
namespace fs = std::filesystem;

// Reads one number from a sysfs file; nullopt with `why` set when it cannot.
std::optional<double> read_number(const fs::path& path, std::string& why) {
  std::ifstream in(path);
  double value = 0;
  if (!in) {
    const int err = errno;
    why = "cannot read " + path.string() + ": " + std::strerror(err);
    if (err == EACCES) why += " (energy_uj is readable by root only on most kernels)";
    return std::nullopt;
  }
  if (!(in >> value)) {
    why = path.string() + ": not a number";
    return std::nullopt;
  }
  return value;
}

class RaplSensor final : public Sensor {
 public:
  RaplSensor(fs::path zone, std::string name, double max_range_uj)
      : energy_file_(std::move(zone) / "energy_uj"), max_range_uj_(max_range_uj) {
    info_ = {"cpu " + name, "cpu", true};
  }
  SensorInfo info() const override { return info_; }

  Reading read(double t) override {
    std::string why;
    auto uj = read_number(energy_file_, why);
    if (!uj) return {NAN, std::nullopt};
    double watts = NAN;
    if (have_last_) {
      double delta = *uj - last_uj_;
      if (delta < 0) delta += max_range_uj_;  // the counter wrapped once since the last read
      total_j_ += delta * 1e-6;
      if (t > last_t_) watts = delta * 1e-6 / (t - last_t_);
    }
    have_last_ = true;
    last_uj_ = *uj;
    last_t_ = t;
    return {watts, total_j_};
  }

 private:
  fs::path energy_file_;
  double max_range_uj_;
  SensorInfo info_;
  bool have_last_ = false;
  double last_uj_ = 0, last_t_ = 0, total_j_ = 0;
};

}  // namespace

void find_rapl_sensors(const std::string& root, std::vector<std::unique_ptr<Sensor>>& sensors,
                       std::vector<std::string>& attempts) {
  const std::string where = "RAPL (" + root + ")";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    attempts.push_back(where + ": no such directory");
    return;
  }
  // Top-level zones are intel-rapl:N (AMD's driver uses the same names); sub-zones
  // intel-rapl:N:M (core, uncore, dram) are parts of a package and would count twice.
  static const std::regex top_level(R"(intel-rapl:[0-9]+)");
  std::vector<fs::path> zones;
  for (const auto& entry : fs::directory_iterator(root, ec))
    if (std::regex_match(entry.path().filename().string(), top_level))
      zones.push_back(entry.path());
  std::sort(zones.begin(), zones.end());
  std::size_t found = 0;
  for (const auto& zone : zones) {
    std::string name;
    std::ifstream(zone / "name") >> name;
    if (name.rfind("package", 0) != 0) continue;  // psys would include the packages again
    std::string why;
    auto max_range = read_number(zone / "max_energy_range_uj", why);
    auto energy = max_range ? read_number(zone / "energy_uj", why) : std::nullopt;
    if (!energy) {
      attempts.push_back(where + ": " + name + ": " + why);
      continue;
    }
    sensors.push_back(std::make_unique<RaplSensor>(zone, name, *max_range));
    attempts.push_back(where + ": " + name + " (energy counter)");
    ++found;
  }
  if (zones.empty())
    attempts.push_back(where + ": no intel-rapl zones");
  else if (found == 0 && attempts.back().rfind(where, 0) != 0)
    attempts.push_back(where + ": no package zones among " + std::to_string(zones.size()));
}

}  // namespace soma::power::detail
