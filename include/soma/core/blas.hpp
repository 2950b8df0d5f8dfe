#pragma once
// soma's one owner of the BLAS it calls (OpenBLAS through CBLAS): which library and
// kernel table it runs, how many threads it uses, and the tuning the CLI applies.
//
// Loading libsoma changes nothing in the BLAS: a host program keeps its own settings
// (OPENBLAS_CORETYPE, OPENBLAS_NUM_THREADS, its own openblas_set_num_threads) until it
// calls soma::set_num_threads() or soma::blas::tune() itself.
#include <string>

namespace soma::blas {

// "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY ...", or "unknown BLAS" for another library.
std::string library();
// The kernel table a dynamic-arch OpenBLAS runs ("SkylakeX", "Haswell", ...), or "" for
// another BLAS.
std::string core();
// Threads the BLAS uses per call.
int threads();
// soma::set_num_threads() calls this; a thread count for BLAS alone.
void set_threads(int n);

// What tune() found and did.
struct Tuning {
  std::string core_before{}, core_after{};  // kernel tables ("" without a dynamic-arch OpenBLAS)
  bool core_changed = false;                // the table was replaced
  bool thread_timeout_shortened = false;
};

// Tunes a dynamic-arch OpenBLAS for soma's work, as the CLI does at start-up:
// 1. Debian's OpenBLAS 0.3.21 runs its AVX2 tables on AVX-512 CPUs it does not know
//    (and wherever OPENBLAS_CORETYPE=Haswell is set): half the SGEMM throughput. tune()
//    re-selects the table (the library's own choice, then SkylakeX where the CPU and OS
//    run AVX-512). Where SOMA_CPU forces a lower level than the table needs, the table
//    follows it (Haswell for avx2, Prescott for baseline). SOMA_BLAS_KEEP_CORE=1 keeps
//    whatever was loaded.
// 2. OpenBLAS's idle threads poll for ~0.1 s after each threaded call, taking a core
//    from soma's own threads; tune() shortens the poll to ~2^17 cycles unless
//    OPENBLAS_THREAD_TIMEOUT is set.
// Call it before other threads use BLAS (it swaps the library's tables); the
// environment is left as it was, so child processes see what the parent saw.
Tuning tune();

// BLAS single-threaded while it lives, the previous count restored after: for BLAS
// calls inside soma's own parallel loops, where a threaded BLAS would start a second
// pool of threads on the same cores. With `active` false it does nothing.
class SerialScope {
 public:
  explicit SerialScope(bool active = true);
  ~SerialScope();
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  int saved_;
};

}  // namespace soma::blas
