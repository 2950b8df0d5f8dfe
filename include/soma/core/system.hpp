#pragma once
// Process facts a report wants (peak resident memory, wall-clock timing), and the
// machine's memory, which bounds what a size read from a file may ask for.
#include <cstdint>
#include <string>

#include "soma/core/std_chrono.hpp"

namespace soma {

// Peak resident set size of this process in bytes (VmHWM), 0 where unknown.
int64_t peak_rss_bytes();

// This machine's physical memory in bytes (UINT64_MAX where unknown).
uint64_t physical_memory_bytes();

// Throws soma::Error "WHAT needs N GB, more than this machine's M GB of memory" when
// `bytes` exceed physical memory: sizes from files and flags are checked with this before
// anything is allocated, so a size typed with too many digits is an error, not a crash.
// `bytes` is a long double so that callers can pass a product that overflows 64 bits.
void check_fits_in_memory(long double bytes, const std::string& what);

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
