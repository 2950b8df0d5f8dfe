#pragma once
// NumPy's legacy random stream (numpy.random.RandomState, and the np.random.* functions
// after np.random.seed), reproduced bit for bit so that an example porting a tutorial that
// seeds NumPy draws the tutorial's very numbers: MT19937 seeded as NumPy seeds it, the
// 53-bit doubles of random_sample, the polar Box-Muller `gauss` with its cached second
// value, and the Fisher-Yates shuffle behind permutation and choice(replace=False).
//
//   soma::NumpyRandomState rs(100);             // np.random.seed(100)
//   double e = rs.normal(0.0, 50.0);            // np.random.normal(scale=50)
//   auto idx = rs.choice(70000, 1000);          // np.random.choice(70000, 1000, replace=False)
//
// Values checked against /usr/bin/python3's numpy in tests/core/numpy_random_test.cpp.
// soma's own generator (soma/core/random.hpp) stays the default everywhere else: this one
// exists for fidelity, not speed.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace soma {

class NumpyRandomState {
 public:
  // RandomState(seed) for an integer seed: MT19937's init_genrand, as std::mt19937(seed).
  explicit NumpyRandomState(uint32_t seed = 5489) { seed_int(seed); }
  // RandomState(array of uint32): MT19937's init_by_array, as NumPy seeds from a sequence.
  explicit NumpyRandomState(std::span<const uint32_t> key) { seed_array(key); }

  void seed_int(uint32_t seed);
  void seed_array(std::span<const uint32_t> key);

  uint32_t next_u32();
  // random_sample(): two 32-bit draws, 27 + 26 bits, in [0, 1).
  double random_sample();
  // standard_normal() / randn(): the legacy polar method; of each accepted pair (x1, x2)
  // it returns f*x2 and keeps f*x1 for the next call.
  double standard_normal();
  // normal(loc, scale) = loc + scale * standard_normal().
  double normal(double loc, double scale) { return loc + scale * standard_normal(); }
  // An integer in [0, max], by masking 32-bit (64-bit above 2^32 - 1) draws and rejecting
  // those above max: NumPy's random_interval, which shuffle uses.
  uint64_t interval(uint64_t max);
  // permutation(n): arange(n) shuffled in place from the last element down.
  std::vector<int64_t> permutation(int64_t n);
  // choice(n, size, replace=False) = permutation(n)[:size]. Throws soma::Error when
  // size is negative or exceeds n.
  std::vector<int64_t> choice(int64_t n, int64_t size);

 private:
  static constexpr int kN = 624;
  std::array<uint32_t, kN> mt_{};
  int pos_ = kN;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
  void reload();
};

}  // namespace soma
