#include "soma/core/random.hpp"

#include <cmath>

namespace soma {

Rng& global_rng() {
  static Rng rng(42);
  return rng;
}

double Rng::polar_scale(double s) { return std::sqrt(-2.0 * std::log(s) / s); }

void manual_seed(uint64_t seed) { global_rng().reseed(seed); }

}  // namespace soma
