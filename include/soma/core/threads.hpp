#pragma once
// One thread count for everything soma runs in parallel: its own loops (OpenMP and
// parallel_run) and, once set_num_threads() has been called, the BLAS it calls (until
// then the BLAS keeps the host program's setting). The CLI's global --threads sets it;
// the default is OMP_NUM_THREADS where it holds a positive count (as in PyTorch and
// OpenMP; the first of a list), else all cores.
#include "soma/core/std_function.hpp"

namespace soma {

// At most this many threads per core (oversubscription beyond it only costs).
inline constexpr int kThreadsPerCoreLimit = 16;

// n in [1, kThreadsPerCoreLimit * hardware_threads()]; soma::Error otherwise.
void set_num_threads(int n);
int num_threads();
int hardware_threads();
// The thread count an OMP_NUM_THREADS value asks for ("4", "4,2"), capped at the limit
// above; 0 where it asks for none (unset, empty, not a positive count).
int threads_from_environment(const char* value);

// Runs fn(t, nt) for t = 0 .. nt-1 at the same time, the calling thread taking t = 0 and
// soma's worker threads the others, and returns when all have returned (an exception
// thrown by any of them is rethrown here). Idle workers spin for a few tens of
// microseconds and then sleep, so a busy machine loses no time to them (OpenMP's default
// keeps idle threads spinning for milliseconds, which on a loaded 2-core machine made two
// threads slower than one). A call made while another parallel_run is in progress — from
// inside fn, or from another thread — runs its nt parts one after the other on the
// calling thread. nt < 2 runs fn(0, 1) directly.
void parallel_run(int nt, const std::function<void(int t, int nt)>& fn);

}  // namespace soma
