#pragma once
// Process facts a report wants: peak resident memory, wall-clock timing.
#include <chrono>
#include <cstdint>

namespace soma {

// Peak resident set size of this process in bytes (VmHWM), 0 where unknown.
int64_t peak_rss_bytes();

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  void restart() { start_ = std::chrono::steady_clock::now(); }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace soma
