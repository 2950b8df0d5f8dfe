// GPU power through NVML, opened with dlopen so that soma builds and starts on machines
// without the NVIDIA driver. The few entry points used are declared here by their C ABI
// (nvml.h: nvmlReturn_t is an int, nvmlDevice_t an opaque pointer).
#include <dlfcn.h>

#include <cmath>
#include <mutex>

#include "power/sensor.hpp"

namespace soma::power::detail {

namespace {

using nvmlDevice_t = void*;
constexpr int NVML_SUCCESS = 0;

struct Nvml {
  void* handle = nullptr;
  int (*init)() = nullptr;
  int (*shutdown)() = nullptr;
  const char* (*error_string)(int) = nullptr;
  int (*device_count)(unsigned*) = nullptr;
  int (*device_by_index)(unsigned, nvmlDevice_t*) = nullptr;
  int (*device_name)(nvmlDevice_t, char*, unsigned) = nullptr;
  int (*power_usage)(nvmlDevice_t, unsigned*) = nullptr;             // milliwatts
  int (*total_energy)(nvmlDevice_t, unsigned long long*) = nullptr;  // millijoules

  std::string error(int code) const {
    const char* s = error_string ? error_string(code) : nullptr;
    return s ? std::string(s) + " (code " + std::to_string(code) + ")"
             : "error code " + std::to_string(code);
  }
};

// The library stays initialised while any sensor uses it; NVML counts init/shutdown pairs.
struct NvmlLibrary {
  Nvml api;
  ~NvmlLibrary() {
    if (api.shutdown) api.shutdown();
    if (api.handle) ::dlclose(api.handle);
  }
};

template <class F>
bool bind(void* handle, F& fn, std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (void* p = ::dlsym(handle, name)) {
      fn = reinterpret_cast<F>(p);
      return true;
    }
  return false;
}

class GpuSensor final : public Sensor {
 public:
  GpuSensor(std::shared_ptr<NvmlLibrary> lib, nvmlDevice_t device, unsigned index, std::string name,
            bool has_counter)
      : lib_(std::move(lib)), device_(device), has_counter_(has_counter) {
    info_ = {"gpu" + std::to_string(index) + " " + name, "gpu", has_counter};
  }
  SensorInfo info() const override { return info_; }
  Reading read(double) override {
    Reading r{NAN, std::nullopt};
    unsigned mw = 0;
    if (lib_->api.power_usage(device_, &mw) == NVML_SUCCESS) r.watts = mw * 1e-3;
    unsigned long long mj = 0;
    if (has_counter_ && lib_->api.total_energy(device_, &mj) == NVML_SUCCESS)
      r.counter_j = static_cast<double>(mj) * 1e-3;
    return r;
  }

 private:
  std::shared_ptr<NvmlLibrary> lib_;
  nvmlDevice_t device_;
  bool has_counter_;
  SensorInfo info_;
};

}  // namespace

void find_nvml_sensors(const std::string& library, std::vector<std::unique_ptr<Sensor>>& sensors,
                       std::vector<std::string>& attempts) {
  const std::string where = "NVML (" + library + ")";
  // RTLD_LOCAL keeps its symbols private; a test's stand-in library is loaded the same way.
  void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    attempts.push_back(where + ": not loaded: " + (why ? why : "unknown reason"));
    return;
  }
  auto lib = std::make_shared<NvmlLibrary>();
  Nvml& api = lib->api;
  api.handle = handle;
  bool ok = bind(handle, api.init, {"nvmlInit_v2", "nvmlInit"}) &&
            bind(handle, api.shutdown, {"nvmlShutdown"}) &&
            bind(handle, api.device_count, {"nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"}) &&
            bind(handle, api.device_by_index,
                 {"nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"}) &&
            bind(handle, api.power_usage, {"nvmlDeviceGetPowerUsage"});
  bind(handle, api.error_string, {"nvmlErrorString"});
  bind(handle, api.device_name, {"nvmlDeviceGetName"});
  bind(handle, api.total_energy, {"nvmlDeviceGetTotalEnergyConsumption"});
  if (!ok) {
    api.shutdown = nullptr;  // never initialised
    attempts.push_back(where + ": loaded, but it lacks the NVML functions soma needs");
    return;
  }
  if (int rc = api.init(); rc != NVML_SUCCESS) {
    api.shutdown = nullptr;
    attempts.push_back(where + ": nvmlInit failed: " + api.error(rc));
    return;
  }
  unsigned count = 0;
  if (int rc = api.device_count(&count); rc != NVML_SUCCESS) {
    attempts.push_back(where + ": cannot count GPUs: " + api.error(rc));
    return;
  }
  if (count == 0) {
    attempts.push_back(where + ": no GPUs");
    return;
  }
  for (unsigned i = 0; i < count; ++i) {
    nvmlDevice_t device = nullptr;
    if (int rc = api.device_by_index(i, &device); rc != NVML_SUCCESS) {
      attempts.push_back(where + ": gpu" + std::to_string(i) + ": " + api.error(rc));
      continue;
    }
    char name[96] = "GPU";
    if (api.device_name) api.device_name(device, name, sizeof name);
    name[sizeof name - 1] = '\0';
    unsigned mw = 0;
    if (int rc = api.power_usage(device, &mw); rc != NVML_SUCCESS) {
      attempts.push_back(where + ": gpu" + std::to_string(i) + " " + name +
                         ": no power reading: " + api.error(rc));
      continue;
    }
    unsigned long long mj = 0;
    bool counter = api.total_energy && api.total_energy(device, &mj) == NVML_SUCCESS;
    sensors.push_back(std::make_unique<GpuSensor>(lib, device, i, name, counter));
    attempts.push_back(where + ": gpu" + std::to_string(i) + " " + name +
                       (counter ? " (power and energy counter)" : " (power; no energy counter)"));
  }
}

}  // namespace soma::power::detail
