#include "soma/core/threads.hpp"

#include <omp.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "soma/core/blas.hpp"
#include "soma/core/error.hpp"

namespace soma {
namespace {
struct ThreadState {
  std::mutex mutex;
  std::atomic<int> count{0};  // 0: not yet chosen, use all cores; atomic: read on hot paths
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
  // More threads than a few per core only add switching (and each OpenMP thread its own
  // stack): --threads 100000 once started 4,159 threads before the system refused more.
  const int most = kThreadsPerCoreLimit * hardware_threads();
  if (n > most)
    throw Error("--threads: " + std::to_string(n) + " is more than " +
                std::to_string(kThreadsPerCoreLimit) + " per core on this machine's " +
                std::to_string(hardware_threads()) + " cores (expected at most " +
                std::to_string(most) + ")");
  {
    std::lock_guard lock(state().mutex);
    state().count = n;
  }
  omp_set_num_threads(n);
  blas::set_threads(n);  // soma's count is the BLAS's, from the first explicit call on
}

int threads_from_environment(const char* value) {
  // OpenMP's form: a positive integer, or a list of them (one per nesting level) whose
  // first is the outer level's. Anything else is ignored, as libgomp ignores it.
  if (value == nullptr) return 0;
  long n = 0;
  const char* p = value;
  while (*p == ' ') ++p;
  const char* digits = p;
  for (; *p >= '0' && *p <= '9'; ++p) n = std::min(n * 10 + (*p - '0'), 1L << 30);  // saturates
  while (*p == ' ') ++p;
  if (p == digits || (*p != '\0' && *p != ',') || n < 1) return 0;
  return static_cast<int>(std::min<long>(n, kThreadsPerCoreLimit * hardware_threads()));
}

int num_threads() {
  const int n = state().count.load(std::memory_order_relaxed);
  if (n != 0) return n;
  // Read once: PyTorch and OpenMP take OMP_NUM_THREADS as the default, and a user
  // comparing soma with them sets it once for both.
  static const int from_environment = threads_from_environment(std::getenv("OMP_NUM_THREADS"));
  return from_environment != 0 ? from_environment : hardware_threads();
}

// ---- parallel_run

namespace {

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins until `done()` or until about 50 µs have passed; true if done. Short gaps between
// parallel sections (the serial ops of one training step) then cost no sleep and wake-up,
// long ones no more than 50 µs of a core.
template <class Done>
bool spin_until(Done done) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
  for (int i = 1;; ++i) {
    if (done()) return true;
    cpu_relax();
    if (i % 64 == 0 && std::chrono::steady_clock::now() > limit) return false;
  }
}

thread_local bool t_in_parallel = false;  // inside a part of a parallel_run

class Pool {
 public:
  // Leaked on purpose: the workers sleep until the process ends and must never see the
  // pool destroyed under them during static destruction. A child process made by fork()
  // has none of the parent's workers: it starts a fresh pool (the old one, whose mutex may
  // have been held at the fork, is left alone).
  static Pool& instance() {
    static const bool created = [] {  // once, thread-safely
      current() = new Pool;
      pthread_atfork(nullptr, nullptr, [] { current() = new Pool; });
      return true;
    }();
    (void)created;
    return *current();
  }

  // Runs the job on the pool; false (nothing run) when another job holds the pool.
  bool try_run(int nt, const std::function<void(int, int)>& fn) {
    std::unique_lock lock(run_mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    while (static_cast<int>(workers_) < nt - 1) {
      std::thread(&Pool::work, this, static_cast<int>(++workers_),
                  generation_.load(std::memory_order_relaxed))
          .detach();
    }
    fn_ = &fn;
    nt_ = nt;
    error_ = nullptr;
    // Every worker acknowledges every job, those with nothing to do too: when the count
    // reaches zero no worker still reads fn_ or nt_, so the next job may overwrite them.
    remaining_.store(static_cast<int>(workers_), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    std::exception_ptr mine;
    t_in_parallel = true;
    try {
      fn(0, nt);
    } catch (...) {
      mine = std::current_exception();
    }
    t_in_parallel = false;
    auto finished = [this] { return remaining_.load(std::memory_order_acquire) == 0; };
    if (!spin_until(finished))
      for (int left; (left = remaining_.load(std::memory_order_acquire)) != 0;)
        remaining_.wait(left, std::memory_order_acquire);
    if (mine) std::rethrow_exception(mine);
    if (error_) std::rethrow_exception(error_);
    return true;
  }

 private:
  static Pool*& current() {
    static Pool* pool = nullptr;
    return pool;
  }

  void work(int id, uint32_t seen) {
    t_in_parallel = true;
    while (true) {
      auto posted = [&] { return generation_.load(std::memory_order_acquire) != seen; };
      if (!spin_until(posted))
        while (!posted()) generation_.wait(seen, std::memory_order_acquire);
      seen = generation_.load(std::memory_order_acquire);
      if (id < nt_) {  // else this job needs fewer threads
        try {
          (*fn_)(id, nt_);
        } catch (...) {
          std::lock_guard lock(error_mutex_);
          if (!error_) error_ = std::current_exception();
        }
      }
      if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) remaining_.notify_one();
    }
  }

  std::mutex run_mutex_;  // one job at a time
  unsigned workers_ = 0;  // started so far; guarded by run_mutex_
  // The job: written before generation_ is bumped, read by workers after they see it.
  const std::function<void(int, int)>* fn_ = nullptr;
  int nt_ = 0;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> remaining_{0};  // workers that have not yet finished the job
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

}  // namespace

void parallel_run(int nt, const std::function<void(int t, int nt)>& fn) {
  if (nt < 2) return fn(0, 1);
  if (!t_in_parallel && Pool::instance().try_run(nt, fn)) return;
  for (int t = 0; t < nt; ++t) fn(t, nt);
}

}  // namespace soma
