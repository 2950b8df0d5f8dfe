#pragma once
// exp() and log() written so that a plain loop over them vectorises (AVX2/AVX-512)
// without -ffast-math: glibc's vector exp is only declared under __FAST_MATH__, and a
// scalar libm call per element costs more than the rest of, say, a COBA neuron's step.
// Shared by snn (state updates, connection draws), embed (KL), fit (model values and
// dual numbers) and the JIT's exp. These are the equation language's exp and log
// (docs/EQUATIONS.md): IEEE at the edges, as libm is. exp: within 2 ulp of std::exp where
// the result is normal, gradual underflow to subnormals and 0 (below -745.13), +inf above
// 709.78, exp(+-inf) = +inf / 0, NaN in -> NaN out. log: within 4 ulp of std::log for
// every positive x (subnormals too), log(+-0) = -inf, log(x < 0) = NaN, log(+inf) = +inf.
//
// Always inlined: files compiled per instruction-set level (src/core/dispatch.hpp) call
// them, and an out-of-line copy compiled for AVX-512 could otherwise be the one the
// linker keeps for every caller.
#include <bit>
#include <cmath>
#include <cstdint>

namespace soma::vecmath {

[[gnu::always_inline]] inline double exp(double x) {
  // Clamp to where the result is already 0 or +inf (exp(-746) < 2^-1075 rounds to 0,
  // exp(710) > DBL_MAX) but k stays small enough for the two-factor 2^k below; +-inf land
  // there too. NaN compares false and passes through.
  x = x < -746.0 ? -746.0 : x;
  x = x > 710.0 ? 710.0 : x;
  constexpr double log2e = 1.4426950408889634;
  constexpr double ln2_hi = 6.93147180369123816490e-01;
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  constexpr double shifter = 0x1.8p52;  // adding it rounds to an integer in the low bits
  // Every multiply-add below is an explicit fused multiply-add (one rounding), and no
  // other product feeds a sum: the compiler has nothing left to contract, so the bits
  // are the same whatever -ffp-contract a file is compiled with, and the same as the
  // machine-code exp (src/expr/jit/emit_kernel.cpp), which emits these steps one
  // instruction each.
  const double kd = std::fma(x, log2e, shifter);
  const double n = kd - shifter;  // round(x*log2e), exactly
  // k read from kd's low bits rather than by converting n: converting a NaN to an
  // integer is undefined behaviour, reading bits is not (and vectorises as well).
  const int64_t k = std::bit_cast<int64_t>(kd) - std::bit_cast<int64_t>(shifter);
  // r = x - n*ln2, |r| <= ln2/2; n*ln2_hi is exact (n has at most 11 bits, ln2_hi 32).
  const double r = std::fma(n, -ln2_lo, std::fma(n, -ln2_hi, x));
  // Taylor series of e^r to r^13/13!: truncation error below 2e-17 relative.
  double p = std::fma(1.0 / 6227020800.0, r, 1.0 / 479001600.0);
  p = std::fma(p, r, 1.0 / 39916800.0);
  p = std::fma(p, r, 1.0 / 3628800.0);
  p = std::fma(p, r, 1.0 / 362880.0);
  p = std::fma(p, r, 1.0 / 40320.0);
  p = std::fma(p, r, 1.0 / 5040.0);
  p = std::fma(p, r, 1.0 / 720.0);
  p = std::fma(p, r, 1.0 / 120.0);
  p = std::fma(p, r, 1.0 / 24.0);
  p = std::fma(p, r, 1.0 / 6.0);
  p = std::fma(p, r, 0.5);
  p = std::fma(p, r, 1.0);
  p = std::fma(p, r, 1.0);
  // 2^k split in two factors, each a normal number for k in [-1076, 1024]: p * 2^k1 is
  // exact, and the one rounding of (p * 2^k1) * 2^k2 gives the subnormal results (x below
  // -708.4) and the overflow to +inf (x above 709.78) as IEEE arithmetic does.
  const int64_t k1 = k >> 1, k2 = k - k1;
  const double s1 = std::bit_cast<double>(static_cast<uint64_t>(k1 + 1023) << 52);
  const double s2 = std::bit_cast<double>(static_cast<uint64_t>(k2 + 1023) << 52);
  return p * s1 * s2;
}

// `when ? b : a` on the bits: a conditional on doubles is a branch to GCC's vectoriser
// below AVX-512 (with trapping math, the default); the mask form vectorises everywhere.
[[gnu::always_inline]] inline double select(bool when, double a, double b) {
  const uint64_t mask = 0 - static_cast<uint64_t>(when);
  return std::bit_cast<double>((std::bit_cast<uint64_t>(a) & ~mask) |
                               (std::bit_cast<uint64_t>(b) & mask));
}

// log(x): x = m*2^e with m in [sqrt(1/2), sqrt(2)), and log(m) = 2*atanh(s) with
// s = (m-1)/(m+1), |s| < 0.172, by its series to s^23 (what the geometric gaps of
// connect-by-probability need, drawn in batches, and embed's KL). Subnormal x is scaled
// by 2^54 first (exactly); zero, negative, infinite and NaN x are set at the end.
[[gnu::always_inline]] inline double log(double x) {
  const bool tiny = x < 0x1p-1022;
  const double xs = select(tiny, x, x * 0x1p54);
  const auto bits = std::bit_cast<uint64_t>(xs);
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  const bool high = m > 1.4142135623730951;
  m = select(high, m, m * 0.5);  // exact
  // The exponent as a double (mixing integer and double selects stops GCC vectorising).
  const double ed = static_cast<double>(static_cast<int64_t>(bits >> 52) - 1023) +
                    select(high, 0.0, 1.0) - select(tiny, 0.0, 54.0);
  const double s = (m - 1.0) / (m + 1.0);  // m - 1 is exact here
  const double s2 = s * s;
  double q = 1.0 / 23.0;
  q = q * s2 + 1.0 / 21.0;
  q = q * s2 + 1.0 / 19.0;
  q = q * s2 + 1.0 / 17.0;
  q = q * s2 + 1.0 / 15.0;
  q = q * s2 + 1.0 / 13.0;
  q = q * s2 + 1.0 / 11.0;
  q = q * s2 + 1.0 / 9.0;
  q = q * s2 + 1.0 / 7.0;
  q = q * s2 + 1.0 / 5.0;
  q = q * s2 + 1.0 / 3.0;
  constexpr double ln2_hi = 6.93147180369123816490e-01;  // few bits: ed*ln2_hi is exact
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  double r = ed * ln2_hi + (2.0 * s + (2.0 * s * s2 * q + ed * ln2_lo));
  constexpr double inf = __builtin_inf();
  r = select(x == inf, r, inf);
  r = select(x == 0.0, r, -inf);
  r = select(x < 0.0, r, __builtin_nan(""));
  return select(x != x, r, x);  // NaN in, the same NaN out
}

// exp for float, written the same way (Cody-Waite reduction, Taylor series to r^7, 2^k in
// two factors): within 2 ulp of std::exp(double) rounded to float, and a plain loop over it
// vectorises 8 or 16 wide where a call to expf per element would not. Overflows to inf
// above ~88.72, underflows gradually to 0 below ~-87.3; NaN propagates. The LSTM gates
// (sigmoid, tanh) spend most of their time here.
[[gnu::always_inline]] inline float exp(float x) {
  // Beyond these 2^k in two factors is inf or 0 anyway; NaN compares false and passes.
  x = x < -104.0f ? -104.0f : x;
  x = x > 89.0f ? 89.0f : x;
  constexpr float log2e = 1.44269504f;
  constexpr float ln2_hi = 0.693359375f;  // 9 significant bits: k * ln2_hi is exact
  constexpr float ln2_lo = -2.12194440e-4f;
  constexpr float shifter = 0x1.8p23f;
  // Explicit fused multiply-adds, as in the double exp: the same bits whatever a file's
  // -ffp-contract.
  const float kd = std::fma(x, log2e, shifter);
  const float n = kd - shifter;
  const int32_t k = std::bit_cast<int32_t>(kd) - std::bit_cast<int32_t>(shifter);
  const float r = std::fma(n, -ln2_lo, std::fma(n, -ln2_hi, x));  // |r| <= 0.35
  float p = std::fma(1.0f / 5040.0f, r, 1.0f / 720.0f);
  p = std::fma(p, r, 1.0f / 120.0f);
  p = std::fma(p, r, 1.0f / 24.0f);
  p = std::fma(p, r, 1.0f / 6.0f);
  p = std::fma(p, r, 0.5f);
  p = std::fma(p, r, 1.0f);
  p = std::fma(p, r, 1.0f);
  const int32_t k1 = k >> 1, k2 = k - k1;
  const float s1 = std::bit_cast<float>(static_cast<uint32_t>(k1 + 127) << 23);
  const float s2 = std::bit_cast<float>(static_cast<uint32_t>(k2 + 127) << 23);
  return p * s1 * s2;
}

}  // namespace soma::vecmath
