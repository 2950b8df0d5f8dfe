#pragma once
// Scoped flush-to-zero for the optimizer loops. Moment estimates of parameters whose
// gradient is zero (dead ReLU units) decay geometrically into the subnormal range,
// where each float operation costs ~100 cycles on x86: without this, Adam on the
// tutorial networks runs an order of magnitude slower after a few thousand steps.
// Flushing changes only values below 1e-38, whose effect on a parameter update is
// far below one ulp of the parameter. The previous mode is restored on exit.
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace soma::optim::detail {

class FlushDenormals {
 public:
#if defined(__SSE__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }  // FTZ | DAZ
  ~FlushDenormals() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
#elif defined(__aarch64__)
  // FPCR.FZ (bit 24) flushes subnormal inputs and results alike: x86's FTZ | DAZ.
  FlushDenormals() : saved_(__builtin_aarch64_get_fpcr()) {
    __builtin_aarch64_set_fpcr(saved_ | (1u << 24));
  }
  ~FlushDenormals() { __builtin_aarch64_set_fpcr(saved_); }

 private:
  unsigned saved_;
#else
  FlushDenormals() {}  // elsewhere subnormals stay (correct, only slower)
#endif
 public:
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;
};

}  // namespace soma::optim::detail
