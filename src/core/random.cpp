#include "soma/core/random.hpp"

namespace soma {

Rng& global_rng() {
  static Rng rng(42);
  return rng;
}

void manual_seed(uint64_t seed) { global_rng().reseed(seed); }

}  // namespace soma
