// The sampling loop: sensors found once, then read on a fixed schedule by one thread.
#include "soma/power/monitor.hpp"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "power/sensor.hpp"
#include "soma/core/error.hpp"

namespace soma::power {

struct PowerMonitor::Impl {
  MonitorOptions options;
  std::vector<std::unique_ptr<detail::Sensor>> sensors;
  std::vector<SensorInfo> infos;
  std::vector<std::string> attempts;

  mutable std::mutex mutex;  // guards everything below
  std::vector<Sample> samples;
  std::vector<double> counter_origin;  // each sensor's first counter reading
  double t0 = NAN;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;

  double now() const {
    if (options.clock) return options.clock();
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

namespace {
std::string setting(const std::string& given, const char* env, const char* fallback) {
  if (!given.empty()) return given;
  if (const char* v = std::getenv(env); v && *v) return v;
  return fallback;
}
}  // namespace

PowerMonitor::PowerMonitor(MonitorOptions options) : impl_(std::make_unique<Impl>()) {
  if (options.interval.count() < 1)
    throw Error("power: sampling interval " + std::to_string(options.interval.count()) +
                " ms (expected at least 1 ms)");
  impl_->options = std::move(options);
  auto& o = impl_->options;
  if (o.gpu)
    detail::find_nvml_sensors(setting(o.nvml_library, "SOMA_NVML_LIBRARY", "libnvidia-ml.so.1"),
                              impl_->sensors, impl_->attempts);
  if (o.cpu)
    detail::find_rapl_sensors(setting(o.powercap_root, "SOMA_POWERCAP_ROOT", "/sys/class/powercap"),
                              impl_->sensors, impl_->attempts);
  for (const auto& s : impl_->sensors) impl_->infos.push_back(s->info());
  impl_->counter_origin.assign(impl_->sensors.size(), NAN);
}

PowerMonitor::~PowerMonitor() { stop(); }

const std::vector<SensorInfo>& PowerMonitor::sensors() const { return impl_->infos; }
const std::vector<std::string>& PowerMonitor::attempts() const { return impl_->attempts; }

void PowerMonitor::sample() {
  auto& m = *impl_;
  std::lock_guard lock(m.mutex);
  const double now = m.now();
  if (std::isnan(m.t0)) m.t0 = now;
  Sample s;
  s.t = now - m.t0;
  for (std::size_t i = 0; i < m.sensors.size(); ++i) {
    detail::Reading r = m.sensors[i]->read(now);
    s.watts.push_back(r.watts);
    double counter = NAN;
    if (r.counter_j) {
      if (std::isnan(m.counter_origin[i])) m.counter_origin[i] = *r.counter_j;
      counter = *r.counter_j - m.counter_origin[i];
    }
    s.counter_j.push_back(counter);
  }
  // Sensors that derive power from an energy counter (RAPL) have none at the first
  // sample; the first interval's mean power is the best estimate of it.
  if (m.samples.size() == 1)
    for (std::size_t i = 0; i < s.watts.size(); ++i)
      if (std::isnan(m.samples[0].watts[i])) m.samples[0].watts[i] = s.watts[i];
  m.samples.push_back(std::move(s));
}

void PowerMonitor::start() {
  auto& m = *impl_;
  if (m.thread.joinable()) return;
  {
    std::lock_guard lock(m.mutex);
    m.stopping = false;
  }
  sample();
  m.thread = std::thread([this] {
    auto& im = *impl_;
    const auto interval = im.options.interval;
    auto next = std::chrono::steady_clock::now() + interval;
    std::unique_lock lock(im.mutex);
    while (true) {
      if (im.wake.wait_until(lock, next, [&] { return im.stopping; })) return;
      lock.unlock();
      sample();
      lock.lock();
      // A fixed schedule: late wake-ups do not push later samples back, and a long
      // stall skips the samples it missed instead of firing them in a burst.
      const auto now = std::chrono::steady_clock::now();
      next += interval;
      while (next <= now) next += interval;
    }
  });
}

void PowerMonitor::stop() {
  auto& m = *impl_;
  if (!m.thread.joinable()) return;
  {
    std::lock_guard lock(m.mutex);
    m.stopping = true;
  }
  m.wake.notify_all();
  m.thread.join();
  sample();  // the end of the measured span
}

bool PowerMonitor::running() const { return impl_->thread.joinable(); }

std::size_t PowerMonitor::sample_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->samples.size();
}

std::vector<Sample> PowerMonitor::samples(std::size_t first) const {
  std::lock_guard lock(impl_->mutex);
  const auto& all = impl_->samples;
  if (first >= all.size()) return {};
  return {all.begin() + static_cast<std::ptrdiff_t>(first), all.end()};
}

Report PowerMonitor::report(std::optional<double> grid_g_per_kwh) const {
  const std::vector<Sample> all = samples();
  Report r;
  r.samples = all.size();
  if (!all.empty()) r.duration_s = all.back().t - all.front().t;
  std::vector<double> t;
  for (const auto& s : all) t.push_back(s.t);
  for (std::size_t i = 0; i < impl_->infos.size(); ++i) {
    SensorReport sr;
    sr.name = impl_->infos[i].name;
    sr.kind = impl_->infos[i].kind;
    std::vector<double> w;
    double sum = 0;
    std::size_t finite = 0;
    for (const auto& s : all) {
      w.push_back(s.watts[i]);
      if (std::isfinite(s.watts[i]))
        sum += s.watts[i], ++finite, sr.max_w = std::max(sr.max_w, s.watts[i]);
    }
    sr.energy_j = trapezoid_energy(t, w);
    // Mean power over the span where there is one; a single sample is its own mean.
    sr.mean_w = r.duration_s > 0 ? sr.energy_j / r.duration_s : (finite ? sum / finite : 0.0);
    for (auto it = all.rbegin(); it != all.rend(); ++it)
      if (std::isfinite(it->counter_j[i])) {
        sr.counter_energy_j = it->counter_j[i];
        break;
      }
    r.energy_j += sr.counter_energy_j ? *sr.counter_energy_j : sr.energy_j;
    r.sensors.push_back(std::move(sr));
  }
  if (grid_g_per_kwh) r.co2_g = co2_grams(r.energy_j, *grid_g_per_kwh);
  return r;
}

}  // namespace soma::power
