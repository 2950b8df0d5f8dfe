#include "soma/core/cpu.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "soma/core/error.hpp"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace soma::cpu {

namespace {

constexpr std::string_view kNames[kIsaCount] = {"baseline", "avx2", "avx512"};

bool cpu_runs(Isa isa) {
#if defined(__x86_64__)
  // libgcc's ISA-level tests check every feature of the level and, through XGETBV, that
  // the OS saves the ymm/zmm/opmask state (GCC 12 and later).
  __builtin_cpu_init();
  switch (isa) {
    case Isa::baseline:
      return true;
#if defined(__clang__)
    // clang (the fuzz build) takes only single features, and clang 14 knows neither
    // f16c, movbe nor lzcnt: every CPU with AVX2, BMI2 and FMA (Haswell, Zen) has them.
    // Its AVX and AVX-512 tests include the XGETBV check of the OS-saved state.
    case Isa::avx2:
      return __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt") &&
             __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") &&
             __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
             __builtin_cpu_supports("fma");
    case Isa::avx512:
      return cpu_runs(Isa::avx2) && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512cd") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
    case Isa::avx2:
      return __builtin_cpu_supports("x86-64-v3");
    case Isa::avx512:
      return __builtin_cpu_supports("x86-64-v4");
#endif
  }
  return false;
#else
  return isa == Isa::baseline;
#endif
}

bool environment_names_a_level() {
  const char* env = std::getenv("SOMA_CPU");
  return env != nullptr && *env != '\0';
}

Isa from_environment() {
  if (!environment_names_a_level()) return best();
  const char* env = std::getenv("SOMA_CPU");
  const std::string_view wanted(env);
  for (int i = 0; i < kIsaCount; ++i) {
    const auto isa = static_cast<Isa>(i);
    if (wanted != kNames[i]) continue;
    if (!compiled(isa))
      throw Error("SOMA_CPU=" + std::string(wanted) + ": this build has no " + std::string(wanted) +
                  " kernels (built for " + std::string(name(Isa::baseline)) +
                  " only on this architecture)");
    if (!supported(isa))
      throw Error("SOMA_CPU=" + std::string(wanted) + ": this CPU (" + model() +
                  ") cannot run it; the best it runs is " + std::string(name(best())));
    return isa;
  }
  throw Error("SOMA_CPU=" + std::string(wanted) +
              ": expected one of baseline, avx2, avx512 (or unset for the best the CPU runs)");
}

}  // namespace

std::string_view name(Isa isa) { return kNames[static_cast<int>(isa)]; }

std::string describe(Isa isa) {
#if defined(__aarch64__)
  if (isa == Isa::baseline) return "baseline (aarch64: NEON)";
#endif
  switch (isa) {
    case Isa::baseline:
      return "baseline (x86-64: SSE2)";
    case Isa::avx2:
      return "avx2 (x86-64-v3: AVX2 + FMA)";
    case Isa::avx512:
      return "avx512 (x86-64-v4: AVX-512 F/BW/CD/DQ/VL)";
  }
  return "?";
}

bool compiled(Isa isa) {
#if defined(__x86_64__)
  (void)isa;
  return true;
#else
  return isa == Isa::baseline;
#endif
}

bool supported(Isa isa) {
  static const bool runs[kIsaCount] = {cpu_runs(Isa::baseline), cpu_runs(Isa::avx2),
                                       cpu_runs(Isa::avx512)};
  return runs[static_cast<int>(isa)];
}

bool runs(Isa isa) { return compiled(isa) && supported(isa); }

Isa best() { return runnable().back(); }

Isa active() {
  static const Isa chosen = from_environment();
  return chosen;
}

bool chosen_by_environment() {
  static const bool forced = environment_names_a_level();
  return forced;
}

std::vector<Isa> runnable() {
  std::vector<Isa> out;
  for (int i = 0; i < kIsaCount; ++i)
    if (runs(static_cast<Isa>(i))) out.push_back(static_cast<Isa>(i));
  return out;
}

std::string model() {
#if defined(__x86_64__)
  unsigned regs[12] = {};
  // GCC's cpuid.h returns unsigned, clang's int: the leaf is compared as unsigned.
  if (static_cast<unsigned>(__get_cpuid_max(0x80000000u, nullptr)) >= 0x80000004u) {
    for (unsigned leaf = 0; leaf < 3; ++leaf)
      __get_cpuid(0x80000002u + leaf, &regs[4 * leaf], &regs[4 * leaf + 1], &regs[4 * leaf + 2],
                  &regs[4 * leaf + 3]);
    char brand[49] = {};
    std::memcpy(brand, regs, 48);
    std::string s(brand);
    const auto first = s.find_first_not_of(' ');
    const auto last = s.find_last_not_of(' ');
    if (first != std::string::npos) return s.substr(first, last - first + 1);
  }
  return "unknown";
#else
  // Linux on ARM names the implementer and part, not the product; that is what there is.
  std::ifstream info("/proc/cpuinfo");
  std::string line;
  while (std::getline(info, line))
    if (line.rfind("CPU part", 0) == 0 || line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "unknown";
#endif
}

}  // namespace soma::cpu
