#pragma once
// Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel
// random numbers: as easy as 1, 2, 3", SC 2011; the generator of Random123, cuRAND and
// JAX's alternatives to threefry). A draw is a pure function of a 64-bit key and a
// 128-bit counter, so any element's numbers can be drawn without drawing anyone
// else's first: a rank of a distributed network draws the connectivity and initial
// values of its own neurons only, and gets what one rank would (snn/ranks.hpp).
//
// Streams are named, not advanced: key = philox_key(seed, stream) picks a family of
// numbers (one per random operation of a network), the counter's four words an element
// within it (which draw, which neuron, which synapse row...).
#include <array>
#include <cstdint>

namespace soma {

using PhiloxCounter = std::array<uint32_t, 4>;
using PhiloxKey = std::array<uint32_t, 2>;

// Ten rounds of Philox4x32 on `ctr` under `key` (Random123's philox4x32_R(10, ...)).
inline PhiloxCounter philox4x32(PhiloxCounter ctr, PhiloxKey key) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // multipliers
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // Weyl key increments
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += kW0;
      key[1] += kW1;
    }
    const uint64_t p0 = static_cast<uint64_t>(kM0) * ctr[0];
    const uint64_t p1 = static_cast<uint64_t>(kM1) * ctr[2];
    ctr = {static_cast<uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<uint32_t>(p1),
           static_cast<uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<uint32_t>(p0)};
  }
  return ctr;
}

// The key of stream `stream` of `seed`: both through splitmix64's finaliser, so that
// nearby seeds and streams give unrelated keys.
inline PhiloxKey philox_key(uint64_t seed, uint64_t stream) {
  auto mix = [](uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  const uint64_t k = mix(mix(seed + 0x9e3779b97f4a7c15ULL) ^ (stream + 0x632be59bd9b4e019ULL));
  return {static_cast<uint32_t>(k), static_cast<uint32_t>(k >> 32)};
}

// The two 64-bit numbers of one block: words 0 and 1, words 2 and 3.
inline std::array<uint64_t, 2> philox_u64x2(PhiloxCounter ctr, PhiloxKey key) {
  const PhiloxCounter r = philox4x32(ctr, key);
  return {static_cast<uint64_t>(r[0]) | static_cast<uint64_t>(r[1]) << 32,
          static_cast<uint64_t>(r[2]) | static_cast<uint64_t>(r[3]) << 32};
}

// Uniform in [0, 1) from the top 53 bits, as Rng::uniform.
inline double philox_uniform(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

}  // namespace soma
