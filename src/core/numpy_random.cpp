// MT19937 as in Matsumoto & Nishimura's mt19937ar.c (which NumPy's randomkit and its
// mt19937 bit generator copy), and NumPy's legacy distributions on top of it
// (numpy/random/src/legacy/legacy-distributions.c, distributions.c).
#include "soma/core/numpy_random.hpp"

#include <cmath>
#include <string>

#include "soma/core/error.hpp"

namespace soma {

void NumpyRandomState::seed_int(uint32_t seed) {
  mt_[0] = seed;
  for (int i = 1; i < kN; ++i)
    mt_[size_t(i)] = 1812433253u * (mt_[size_t(i - 1)] ^ (mt_[size_t(i - 1)] >> 30)) + uint32_t(i);
  pos_ = kN;
  has_gauss_ = false;
  gauss_ = 0.0;
}

void NumpyRandomState::seed_array(std::span<const uint32_t> key) {
  seed_int(19650218u);
  size_t i = 1, j = 0;
  const size_t len = key.size();
  for (size_t k = (kN > len ? kN : len); k > 0; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525u)) + (len ? key[j] : 0u) +
             uint32_t(j);
    ++i;
    ++j;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
    if (j >= len) j = 0;
  }
  for (size_t k = kN - 1; k > 0; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941u)) - uint32_t(i);
    ++i;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
  }
  mt_[0] = 0x80000000u;  // non-zero initial state, as init_by_array guarantees
}

void NumpyRandomState::reload() {
  constexpr int m = 397;
  constexpr uint32_t upper = 0x80000000u, lower = 0x7fffffffu, matrix = 0x9908b0dfu;
  for (int k = 0; k < kN; ++k) {
    const uint32_t y = (mt_[size_t(k)] & upper) | (mt_[size_t((k + 1) % kN)] & lower);
    mt_[size_t(k)] = mt_[size_t((k + m) % kN)] ^ (y >> 1) ^ ((y & 1u) ? matrix : 0u);
  }
  pos_ = 0;
}

uint32_t NumpyRandomState::next_u32() {
  if (pos_ >= kN) reload();
  uint32_t y = mt_[size_t(pos_++)];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

double NumpyRandomState::random_sample() {
  const uint32_t a = next_u32() >> 5, b = next_u32() >> 6;
  return (double(a) * 67108864.0 + double(b)) / 9007199254740992.0;
}

double NumpyRandomState::standard_normal() {
  if (has_gauss_) {
    has_gauss_ = false;
    return gauss_;
  }
  double x1, x2, r2;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

uint64_t NumpyRandomState::interval(uint64_t max) {
  if (max == 0) return 0;
  uint64_t mask = max;
  for (int shift : {1, 2, 4, 8, 16, 32}) mask |= mask >> shift;
  uint64_t value;
  if (max <= 0xffffffffu) {
    while ((value = (next_u32() & mask)) > max) {
    }
  } else {
    // NumPy's next_uint64 for MT19937: the high word first.
    auto next_u64 = [this] {
      const uint64_t hi = next_u32();
      return (hi << 32) | next_u32();
    };
    while ((value = (next_u64() & mask)) > max) {
    }
  }
  return value;
}

std::vector<int64_t> NumpyRandomState::permutation(int64_t n) {
  if (n < 0) throw Error("permutation(" + std::to_string(n) + "): expected n >= 0");
  std::vector<int64_t> a(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) a[size_t(i)] = i;
  for (int64_t i = n - 1; i > 0; --i) std::swap(a[size_t(i)], a[interval(uint64_t(i))]);
  return a;
}

std::vector<int64_t> NumpyRandomState::choice(int64_t n, int64_t size) {
  if (size < 0 || size > n)
    throw Error("choice(" + std::to_string(n) + ", " + std::to_string(size) +
                ", replace=False): expected 0 <= size <= " + std::to_string(n));
  auto p = permutation(n);
  p.resize(size_t(size));
  return p;
}

}  // namespace soma
