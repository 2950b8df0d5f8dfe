#pragma once
// exp() and log() written so that a plain loop over them vectorises (AVX2/AVX-512)
// without -ffast-math: glibc's vector exp is only declared under __FAST_MATH__, and a
// scalar libm call per element costs more than the rest of, say, a COBA neuron's step.
// Shared by snn (state updates, connection draws), embed (KL) and the JIT's exp.
// Accuracy: within 2 ulp of std::exp over [-708, 709]; NaN propagates.
#include <bit>
#include <cmath>
#include <cstdint>

namespace soma::vecmath {

inline double exp(double x) {
  // Clamp to where 2^k stays a normal number; NaN compares false and passes through.
  x = x < -708.0 ? -708.0 : x;
  x = x > 709.0 ? 709.0 : x;
  constexpr double log2e = 1.4426950408889634;
  constexpr double ln2_hi = 6.93147180369123816490e-01;
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  constexpr double shifter = 0x1.8p52;  // adding it rounds to an integer in the low bits
  const double kd = x * log2e + shifter;
  const double n = kd - shifter;  // round(x*log2e), exactly
  // k read from kd's low bits rather than by converting n: converting a NaN to an
  // integer is undefined behaviour, reading bits is not (and vectorises as well).
  const int64_t k = std::bit_cast<int64_t>(kd) - std::bit_cast<int64_t>(shifter);
  const double r = (x - n * ln2_hi) - n * ln2_lo;  // |r| <= ln2/2
  // Taylor series of e^r to r^13/13!: truncation error below 2e-17 relative.
  // Horner steps as explicit fused multiply-adds: one rounding per step, the same
  // bits in this loop and in the machine-code exp (src/expr/jit/emit_kernel.cpp),
  // whatever the compiler would contract on its own.
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
  // 2^k split in two factors so that k = 1024 (x near 709.78) does not overflow the field.
  const int64_t k1 = k >> 1, k2 = k - k1;
  const double s1 = std::bit_cast<double>(static_cast<uint64_t>(k1 + 1023) << 52);
  const double s2 = std::bit_cast<double>(static_cast<uint64_t>(k2 + 1023) << 52);
  return p * s1 * s2;
}

// log(x) for positive normal x (what the geometric gaps of connect-by-probability
// need, drawn in batches): x = m*2^e with m in [sqrt(1/2), sqrt(2)), and
// log(m) = 2*atanh(s) with s = (m-1)/(m+1), |s| < 0.172, by its series to s^23.
// Within 4 ulp of std::log.
inline double log(double x) {
  const auto bits = std::bit_cast<uint64_t>(x);
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  const bool high = m > 1.4142135623730951;
  m = high ? m * 0.5 : m;  // exact
  // The exponent as a double (mixing integer and double selects stops GCC vectorising).
  const double ed =
      static_cast<double>(static_cast<int64_t>(bits >> 52) - 1023) + (high ? 1.0 : 0.0);
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
  return ed * ln2_hi + (2.0 * s + (2.0 * s * s2 * q + ed * ln2_lo));
}

// exp for float, written the same way (Cody-Waite reduction, Taylor series to r^7, 2^k in
// two factors): within 2 ulp of std::exp(double) rounded to float, and a plain loop over it
// vectorises 8 or 16 wide where a call to expf per element would not. Overflows to inf
// above ~88.72, underflows gradually to 0 below ~-87.3; NaN propagates. The LSTM gates
// (sigmoid, tanh) spend most of their time here.
inline float exp(float x) {
  // Beyond these 2^k in two factors is inf or 0 anyway; NaN compares false and passes.
  x = x < -104.0f ? -104.0f : x;
  x = x > 89.0f ? 89.0f : x;
  constexpr float log2e = 1.44269504f;
  constexpr float ln2_hi = 0.693359375f;  // 9 significant bits: k * ln2_hi is exact
  constexpr float ln2_lo = -2.12194440e-4f;
  constexpr float shifter = 0x1.8p23f;
  const float kd = x * log2e + shifter;
  const float n = kd - shifter;
  const int32_t k = std::bit_cast<int32_t>(kd) - std::bit_cast<int32_t>(shifter);
  const float r = (x - n * ln2_hi) - n * ln2_lo;  // |r| <= 0.35
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
