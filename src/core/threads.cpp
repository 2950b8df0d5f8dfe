#include "soma/core/threads.hpp"

#include <omp.h>

#include <mutex>
#include <thread>
#include <vector>

#include "soma/core/error.hpp"

namespace soma {
namespace {
struct ThreadState {
  std::mutex mutex;
  int count = 0;  // 0: not yet chosen, use all cores
  std::vector<std::function<void(int)>> listeners;
};
ThreadState& state() {
  static ThreadState s;
  return s;
}
}  // namespace

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void set_num_threads(int n) {
  if (n < 1) throw Error("--threads: expected a positive thread count, got " + std::to_string(n));
  std::vector<std::function<void(int)>> listeners;
  {
    std::lock_guard lock(state().mutex);
    state().count = n;
    listeners = state().listeners;
  }
  omp_set_num_threads(n);
  for (auto& listener : listeners) listener(n);
}

int num_threads() {
  std::lock_guard lock(state().mutex);
  return state().count == 0 ? hardware_threads() : state().count;
}

void on_num_threads_changed(std::function<void(int)> listener) {
  int current;
  {
    std::lock_guard lock(state().mutex);
    state().listeners.push_back(listener);
    current = state().count == 0 ? hardware_threads() : state().count;
  }
  listener(current);
}

}  // namespace soma
