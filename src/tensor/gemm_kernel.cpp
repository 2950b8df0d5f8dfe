#include "gemm_kernel.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

// Debian's OpenBLAS 0.3.21 is a DYNAMIC_ARCH build: at load it picks a kernel table from
// cpuid, or the one OPENBLAS_CORETYPE names. Environments that pin an AVX2 table
// (OPENBLAS_CORETYPE=Haswell is set machine-wide here) or CPUs the library does not know run
// the AVX2 kernels on an AVX-512 CPU, at half the single-core SGEMM throughput. The library
// re-reads OPENBLAS_CORETYPE each time gotoblas_dynamic_init() runs after
// gotoblas_dynamic_quit(), so soma re-selects once, at start-up: first the library's own
// cpuid choice, and SkylakeX if that is still an AVX2 table while CPU and OS support AVX-512.
// SOMA_BLAS_KEEP_CORE=1 keeps whatever was loaded. The symbols are weak: with another BLAS
// (reference, BLIS, MKL through alternatives) they resolve to null and nothing is changed.
//
// Second, OpenBLAS's idle worker threads: after each threaded call they keep polling for
// work (sched_yield in a loop) for 2^28 cycles, about 0.1 s, before they sleep. soma's own
// threads (the image ops, parallel_run) run between BLAS calls, so on a 2-core machine those
// pollers took a core from them throughout a training step: two threads ran slower than
// one. soma shortens the poll to 2^17 cycles (tens of microseconds, about what soma's own
// workers spin) unless OPENBLAS_THREAD_TIMEOUT is set: it sets the variable, has the library
// re-read its environment and shuts the thread server down, which restarts with the new
// timeout at the next threaded call.
extern "C" {
char* gotoblas_corename(void) __attribute__((weak));
void gotoblas_dynamic_init(void) __attribute__((weak));
void gotoblas_dynamic_quit(void) __attribute__((weak));
void openblas_read_env(void) __attribute__((weak));
int blas_thread_shutdown_(void) __attribute__((weak));
}

namespace soma {

namespace {

bool cpu_has_avx512_skylakex() {
#if defined(__x86_64__) || defined(__i386__)
  // __builtin_cpu_supports also checks XCR0, i.e. that the OS saves the ZMM state.
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512cd");
#else
  return false;
#endif
}

std::string current_core() {
  if (gotoblas_corename == nullptr) return {};
  const char* name = gotoblas_corename();
  return name != nullptr ? std::string(name) : std::string();
}

// Tables that use at most AVX2: replacing them with SkylakeX is an upgrade. Tables that
// already use AVX-512 (SkylakeX, Cooperlake, SapphireRapids) are left as chosen.
bool is_avx2_or_older(const std::string& core) {
  for (const char* name :
       {"Haswell", "Zen", "Sandybridge", "Nehalem", "Core2", "Penryn", "Dunnington", "Prescott",
        "Excavator", "Steamroller", "Piledriver", "Bulldozer", "Barcelona"})
    if (core == name) return true;
  return false;
}

// Re-runs OpenBLAS's table selection with OPENBLAS_CORETYPE set to `coretype` (unset when
// null) and returns the table chosen.
std::string reselect(const char* coretype) {
  gotoblas_dynamic_quit();
  if (coretype != nullptr)
    setenv("OPENBLAS_CORETYPE", coretype, 1);
  else
    unsetenv("OPENBLAS_CORETYPE");
  gotoblas_dynamic_init();
  return current_core();
}

std::string select_kernels() {
  std::string core = current_core();
  if (core.empty() || gotoblas_dynamic_init == nullptr || gotoblas_dynamic_quit == nullptr)
    return core;
  if (std::getenv("SOMA_BLAS_KEEP_CORE") != nullptr) return core;
  if (!is_avx2_or_older(core) || !cpu_has_avx512_skylakex()) return core;
  // Runs during static initialisation, before any thread of soma's exists and before any
  // BLAS call, so swapping the table and touching the environment race with nothing.
  const char* pinned = std::getenv("OPENBLAS_CORETYPE");
  const std::string saved = pinned != nullptr ? pinned : "";
  core = reselect(nullptr);
  if (is_avx2_or_older(core)) core = reselect("SkylakeX");
  // Child processes see the environment as it was.
  if (pinned != nullptr)
    setenv("OPENBLAS_CORETYPE", saved.c_str(), 1);
  else
    unsetenv("OPENBLAS_CORETYPE");
  return core;
}

void shorten_thread_timeout() {
  if (openblas_read_env == nullptr || blas_thread_shutdown_ == nullptr) return;
  if (std::getenv("OPENBLAS_THREAD_TIMEOUT") != nullptr) return;
  // Static initialisation again: no BLAS call is running or has started threads of its own.
  setenv("OPENBLAS_THREAD_TIMEOUT", "17", 1);
  openblas_read_env();
  blas_thread_shutdown_();
  unsetenv("OPENBLAS_THREAD_TIMEOUT");  // child processes see the environment as it was
}

const std::string& selected() {
  static const std::string name = select_kernels();
  return name;
}

// Select at load time, so code that calls cblas directly (nn's conv) gets the table too.
const bool g_selected_at_load = [] {
  (void)selected();
  shorten_thread_timeout();
  return true;
}();

}  // namespace

const std::string& blas_kernel_name() {
  (void)g_selected_at_load;
  return selected();
}

}  // namespace soma
