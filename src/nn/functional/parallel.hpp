#pragma once
// How the image ops split work over soma's threads (parallel_run: idle threads sleep
// instead of spinning, see soma/core/threads.hpp).
#include <algorithm>
#include <cstdint>

#include "soma/core/threads.hpp"

namespace soma::nn::functional::detail {

// Threads for `items` independent items costing `work` basic operations in all: small
// problems (tests, single examples) are not worth waking a second thread for.
inline int threads_for(int64_t items, double work) {
  if (work < 1e6 || items < 2) return 1;
  return static_cast<int>(std::min<int64_t>(num_threads(), items));
}

// Calls f(t, begin, end) on `nt` threads, thread t taking items [begin, end) of [0, items):
// contiguous, equal ranges, so results do not depend on timing.
template <class F>
void parallel_ranges(int nt, int64_t items, F&& f) {
  parallel_run(nt, [&](int t, int k) { f(t, items * t / k, items * (t + 1) / k); });
}

// f(begin, end) over [0, items) on as many threads as `work` deserves.
template <class F>
void parallel_for(int64_t items, double work, F&& f) {
  parallel_ranges(threads_for(items, work), items,
                  [&](int, int64_t begin, int64_t end) { f(begin, end); });
}

}  // namespace soma::nn::functional::detail
