// PowerMonitor against a stand-in NVML library (fake_nvml.c) and a fake powercap tree:
// loading, discovery, integration, cadence and the error paths, with no GPU needed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "soma/core/error.hpp"
#include "soma/power/monitor.hpp"

namespace power = soma::power;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value)
      ::setenv(name_.c_str(), value->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "soma-power-test-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A clock the test advances by hand: integration then has exact expected values.
struct FakeClock {
  std::shared_ptr<double> now = std::make_shared<double>(0.0);
  std::function<double()> fn() const {
    return [now = now] { return *now; };
  }
};

power::MonitorOptions gpu_only(std::function<double()> clock = {}) {
  return {.interval = 100ms,
          .gpu = true,
          .cpu = false,
          .nvml_library = SOMA_FAKE_NVML_PATH,
          .powercap_root = "",
          .clock = std::move(clock)};
}

bool any_contains(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

}  // namespace

TEST(PowerNvml, LoadsTheStandInAndFindsEveryGpu) {
  ScopedEnv script("SOMA_FAKE_NVML", "gpus=2;power_mw=1000");
  power::PowerMonitor monitor(gpu_only());
  ASSERT_EQ(monitor.sensors().size(), 2u);
  EXPECT_EQ(monitor.sensors()[0].name, "gpu0 Fake GPU A");
  EXPECT_EQ(monitor.sensors()[1].name, "gpu1 Fake GPU B");
  EXPECT_EQ(monitor.sensors()[0].kind, "gpu");
  EXPECT_FALSE(monitor.sensors()[0].has_energy_counter);  // no energy_mj scripted
}

TEST(PowerNvml, LibraryPathComesFromTheEnvironment) {
  ScopedEnv script("SOMA_FAKE_NVML", "gpus=1;power_mw=1000");
  ScopedEnv library("SOMA_NVML_LIBRARY", SOMA_FAKE_NVML_PATH);
  power::PowerMonitor monitor({.cpu = false});
  ASSERT_EQ(monitor.sensors().size(), 1u);
  EXPECT_TRUE(any_contains(monitor.attempts(), SOMA_FAKE_NVML_PATH));
}

TEST(PowerNvml, IntegratesPowerAndReadsTheEnergyCounter) {
  // The first value of each list is taken when the monitor probes the GPU.
  ScopedEnv script("SOMA_FAKE_NVML",
                   "gpus=1;power_mw=0,100000,200000,300000,100000;"
                   "energy_mj=0,1000000,1100000,1500000,1650000");
  FakeClock clock;
  power::PowerMonitor monitor(gpu_only(clock.fn()));
  ASSERT_TRUE(monitor.sensors().at(0).has_energy_counter);
  for (double t : {10.0, 11.0, 12.0, 13.0}) {
    *clock.now = t;
    monitor.sample();
  }
  auto samples = monitor.samples();
  ASSERT_EQ(samples.size(), 4u);
  EXPECT_DOUBLE_EQ(samples[3].t, 3.0);
  EXPECT_DOUBLE_EQ(samples[1].watts[0], 200.0);
  EXPECT_DOUBLE_EQ(samples[2].counter_j[0], 500.0);

  auto r = monitor.report(400.0);
  EXPECT_DOUBLE_EQ(r.duration_s, 3.0);
  ASSERT_EQ(r.sensors.size(), 1u);
  // Trapezoids: (100+200)/2 + (200+300)/2 + (300+100)/2 = 600 J over 3 s.
  EXPECT_DOUBLE_EQ(r.sensors[0].energy_j, 600.0);
  EXPECT_DOUBLE_EQ(r.sensors[0].mean_w, 200.0);
  EXPECT_DOUBLE_EQ(r.sensors[0].max_w, 300.0);
  // The counter went from 1000 J to 1650 J.
  ASSERT_TRUE(r.sensors[0].counter_energy_j.has_value());
  EXPECT_DOUBLE_EQ(*r.sensors[0].counter_energy_j, 650.0);
  // The total prefers the counter; CO2 = 650 J / 3.6 MJ per kWh * 400 g/kWh.
  EXPECT_DOUBLE_EQ(r.energy_j, 650.0);
  ASSERT_TRUE(r.co2_g.has_value());
  EXPECT_NEAR(*r.co2_g, 650.0 / 3.6e6 * 400.0, 1e-15);
}

TEST(PowerNvml, WithoutAnEnergyCounterTheIntegralIsTheTotal) {
  ScopedEnv script("SOMA_FAKE_NVML", "gpus=1;power_mw=0,50000,50000;energy=unsupported");
  FakeClock clock;
  power::PowerMonitor monitor(gpu_only(clock.fn()));
  EXPECT_FALSE(monitor.sensors().at(0).has_energy_counter);
  monitor.sample();
  *clock.now = 2.0;
  monitor.sample();
  auto r = monitor.report();
  EXPECT_FALSE(r.sensors[0].counter_energy_j.has_value());
  EXPECT_DOUBLE_EQ(r.energy_j, 100.0);
  EXPECT_FALSE(r.co2_g.has_value());
}

TEST(PowerNvml, FailedInitIsReportedNotThrown) {
  ScopedEnv script("SOMA_FAKE_NVML", "init=fail");
  power::PowerMonitor monitor(gpu_only());
  EXPECT_FALSE(monitor.has_sensors());
  EXPECT_TRUE(any_contains(monitor.attempts(), "nvmlInit failed: Driver Not Loaded"));
}

TEST(PowerNvml, ZeroGpusIsReported) {
  ScopedEnv script("SOMA_FAKE_NVML", "gpus=0");
  power::PowerMonitor monitor(gpu_only());
  EXPECT_FALSE(monitor.has_sensors());
  EXPECT_TRUE(any_contains(monitor.attempts(), "no GPUs"));
}

TEST(PowerNvml, ALibraryWithoutNvmlIsReported) {
  auto options = gpu_only();
  options.nvml_library = "libm.so.6";
  power::PowerMonitor monitor(options);
  EXPECT_FALSE(monitor.has_sensors());
  EXPECT_TRUE(any_contains(monitor.attempts(), "lacks the NVML functions"));
}

TEST(PowerMonitor, NoSensorSaysWhatWasTried) {
  ScratchDir dir;
  power::PowerMonitor monitor({.nvml_library = "/nonexistent/libnvidia-ml.so.1",
                               .powercap_root = (dir.path / "missing").string()});
  EXPECT_FALSE(monitor.has_sensors());
  ASSERT_EQ(monitor.attempts().size(), 2u);
  EXPECT_NE(monitor.attempts()[0].find("NVML (/nonexistent/libnvidia-ml.so.1): not loaded"),
            std::string::npos);
  EXPECT_NE(monitor.attempts()[1].find("no such directory"), std::string::npos);
  auto r = monitor.report();
  EXPECT_TRUE(r.sensors.empty());
}

TEST(PowerMonitor, SamplesOnAFixedCadence) {
  ScopedEnv script("SOMA_FAKE_NVML", "gpus=1;power_mw=42000");
  auto options = gpu_only();
  options.interval = 20ms;
  power::PowerMonitor monitor(options);
  monitor.start();
  EXPECT_TRUE(monitor.running());
  std::this_thread::sleep_for(400ms);
  monitor.stop();
  EXPECT_FALSE(monitor.running());
  auto samples = monitor.samples();
  // 400 ms at 20 ms: 21 samples plus the one stop() takes; a loaded machine may skip some.
  EXPECT_GE(samples.size(), 12u);
  EXPECT_LE(samples.size(), 24u);
  std::vector<double> gaps;
  for (std::size_t i = 1; i + 1 < samples.size(); ++i)
    gaps.push_back(samples[i].t - samples[i - 1].t);
  std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
  EXPECT_NEAR(gaps[gaps.size() / 2], 0.020, 0.006);
  EXPECT_DOUBLE_EQ(samples.back().watts[0], 42.0);
  auto r = monitor.report();
  EXPECT_NEAR(r.sensors[0].energy_j, 42.0 * r.duration_s, 1e-9);
}

TEST(PowerRapl, ReadsPackagesHandlesWraparoundAndSkipsSubzones) {
  ScratchDir dir;
  const fs::path pkg = dir.path / "intel-rapl:0";
  write(pkg / "name", "package-0\n");
  write(pkg / "max_energy_range_uj", "10000000\n");
  write(pkg / "energy_uj", "1000000\n");
  write(dir.path / "intel-rapl:0:0" / "name", "core\n");
  write(dir.path / "intel-rapl:0:0" / "energy_uj", "5\n");
  write(dir.path / "intel-rapl:0:0" / "max_energy_range_uj", "10\n");
  write(dir.path / "intel-rapl:1" / "name", "psys\n");
  FakeClock clock;
  power::PowerMonitor monitor(
      {.gpu = false, .cpu = true, .powercap_root = dir.path.string(), .clock = clock.fn()});
  ASSERT_EQ(monitor.sensors().size(), 1u);
  EXPECT_EQ(monitor.sensors()[0].name, "cpu package-0");
  EXPECT_TRUE(monitor.sensors()[0].has_energy_counter);

  monitor.sample();  // t = 0: 1 J on the counter
  write(pkg / "energy_uj", "3000000\n");
  *clock.now = 1.0;
  monitor.sample();  // +2 J in 1 s
  write(pkg / "energy_uj", "1000000\n");
  *clock.now = 2.0;
  monitor.sample();  // wrapped at 10 J: +9 J - 3 J + 1 J... = 8 J in 1 s
  auto s = monitor.samples();
  EXPECT_DOUBLE_EQ(s[0].watts[0], 2.0);  // the first interval's mean, filled in
  EXPECT_DOUBLE_EQ(s[1].watts[0], 2.0);
  EXPECT_DOUBLE_EQ(s[2].watts[0], 8.0);
  auto r = monitor.report();
  EXPECT_DOUBLE_EQ(*r.sensors[0].counter_energy_j, 10.0);
  EXPECT_DOUBLE_EQ(r.sensors[0].energy_j, 2.0 + 5.0);  // trapezoids of 2,2 and 2,8
  EXPECT_DOUBLE_EQ(r.energy_j, 10.0);
}

TEST(PowerRapl, EmptyTreeIsReported) {
  ScratchDir dir;
  power::PowerMonitor monitor({.gpu = false, .powercap_root = dir.path.string()});
  EXPECT_FALSE(monitor.has_sensors());
  EXPECT_TRUE(any_contains(monitor.attempts(), "no intel-rapl zones"));
}

TEST(PowerRapl, GpusAndPackagesTogether) {
  ScopedEnv script("SOMA_FAKE_NVML", "gpus=1;power_mw=1000");
  ScratchDir dir;
  write(dir.path / "intel-rapl:0" / "name", "package-0\n");
  write(dir.path / "intel-rapl:0" / "max_energy_range_uj", "100\n");
  write(dir.path / "intel-rapl:0" / "energy_uj", "1\n");
  power::PowerMonitor monitor(
      {.nvml_library = SOMA_FAKE_NVML_PATH, .powercap_root = dir.path.string()});
  ASSERT_EQ(monitor.sensors().size(), 2u);
  EXPECT_EQ(monitor.sensors()[0].kind, "gpu");
  EXPECT_EQ(monitor.sensors()[1].kind, "cpu");
}

TEST(PowerEnergy, TrapezoidSkipsGapsAndChecksLengths) {
  std::vector<double> t = {0, 1, 2, 3}, w = {10, 20, NAN, 40};
  EXPECT_DOUBLE_EQ(power::trapezoid_energy(t, w), 15.0);
  std::vector<double> short_w = {1};
  EXPECT_THROW(power::trapezoid_energy(t, short_w), soma::Error);
}

TEST(PowerEnergy, Co2FromGridIntensity) {
  // 3.6 MJ is one kWh.
  EXPECT_DOUBLE_EQ(power::co2_grams(3.6e6, 475), 475.0);
  EXPECT_THROW(power::co2_grams(1, -1), soma::Error);
}

TEST(PowerEnergy, SparklineScalesToBlocks) {
  std::vector<double> v = {0, 0.5, 1, NAN, 2};
  EXPECT_EQ(power::sparkline(v, 0, 1), "▁▅█ █");
}

TEST(PowerMonitor, RejectsAZeroInterval) {
  EXPECT_THROW(power::PowerMonitor({.interval = 0ms, .gpu = false, .cpu = false}), soma::Error);
}
