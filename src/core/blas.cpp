#include "soma/core/blas.hpp"

#include <cblas.h>

#include <cstdlib>
#include <string>

#include "soma/core/cpu.hpp"

// OpenBLAS's dynamic-arch entry points, weak: with another BLAS (reference, BLIS, MKL
// through Debian's alternatives) they resolve to null and tune() changes nothing. The
// library re-reads OPENBLAS_CORETYPE each time gotoblas_dynamic_init() runs after
// gotoblas_dynamic_quit().
extern "C" {
char* gotoblas_corename(void) __attribute__((weak));
void gotoblas_dynamic_init(void) __attribute__((weak));
void gotoblas_dynamic_quit(void) __attribute__((weak));
void openblas_read_env(void) __attribute__((weak));
int blas_thread_shutdown_(void) __attribute__((weak));
char* openblas_get_config(void) __attribute__((weak));
}

namespace soma::blas {

namespace {

// The CPU level (soma::cpu::Isa) an OpenBLAS kernel table needs: 2 for the AVX-512 tables,
// 1 for the AVX/AVX2 ones, 0 for the SSE ones.
int table_level(const std::string& table) {
  for (const char* name : {"SkylakeX", "Cooperlake", "SapphireRapids"})
    if (table == name) return 2;
  for (const char* name :
       {"Haswell", "Zen", "Excavator", "Sandybridge", "Steamroller", "Piledriver", "Bulldozer"})
    if (table == name) return 1;
  return 0;
}

// Sets (or, for null, unsets) an environment variable, returning a restorer.
class EnvOverride {
 public:
  EnvOverride(const char* name, const char* value) : name_(name) {
    const char* before = std::getenv(name);
    had_ = before != nullptr;
    if (had_) saved_ = before;
    if (value != nullptr)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~EnvOverride() {
    if (had_)
      setenv(name_, saved_.c_str(), 1);
    else
      unsetenv(name_);
  }
  EnvOverride(const EnvOverride&) = delete;
  EnvOverride& operator=(const EnvOverride&) = delete;

 private:
  const char* name_;
  bool had_ = false;
  std::string saved_;
};

// Re-runs OpenBLAS's table selection with OPENBLAS_CORETYPE = `table` (unset for null).
std::string reselect(const char* table) {
  EnvOverride env("OPENBLAS_CORETYPE", table);
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
  return core();
}

}  // namespace

std::string library() {
  if (openblas_get_config == nullptr) return "unknown BLAS";
  const char* config = openblas_get_config();
  return config != nullptr ? std::string(config) : std::string("OpenBLAS");
}

std::string core() {
  if (gotoblas_corename == nullptr) return {};
  const char* name = gotoblas_corename();
  return name != nullptr ? std::string(name) : std::string();
}

int threads() { return openblas_get_num_threads(); }

void set_threads(int n) { openblas_set_num_threads(n); }

Tuning tune() {
  Tuning t;
  t.core_before = t.core_after = core();
  const bool dynamic = !t.core_before.empty() && gotoblas_dynamic_init != nullptr &&
                       gotoblas_dynamic_quit != nullptr;
  const int level = static_cast<int>(cpu::active());
  if (dynamic && std::getenv("SOMA_BLAS_KEEP_CORE") == nullptr) {
    if (table_level(t.core_before) > level) {
      // SOMA_CPU asked for less than the table uses: the BLAS follows, so that a forced
      // level behaves as a CPU of that level would.
      t.core_after = reselect(level == 1 ? "Haswell" : "Prescott");
    } else if (level == 2 && table_level(t.core_before) < 2) {
      t.core_after = reselect(nullptr);
      if (table_level(t.core_after) < 2) t.core_after = reselect("SkylakeX");
    }
    t.core_changed = t.core_after != t.core_before;
  }
  if (openblas_read_env != nullptr && blas_thread_shutdown_ != nullptr &&
      std::getenv("OPENBLAS_THREAD_TIMEOUT") == nullptr) {
    EnvOverride env("OPENBLAS_THREAD_TIMEOUT", "17");
    openblas_read_env();
    // The thread server restarts with the new timeout at the next threaded call.
    blas_thread_shutdown_();
    t.thread_timeout_shortened = true;
  }
  return t;
}

SerialScope::SerialScope(bool active) : saved_(active ? openblas_get_num_threads() : 1) {
  if (saved_ > 1) openblas_set_num_threads(1);
}

SerialScope::~SerialScope() {
  if (saved_ > 1) openblas_set_num_threads(saved_);
}

}  // namespace soma::blas
