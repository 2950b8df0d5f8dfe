// The synthetic dragons of dragons.hpp. Not an example itself (it registers nothing);
// it lives beside the examples that share it.
#include "dragons.hpp"

#include <cmath>
#include <span>
#include <string>

#include "soma/core/error.hpp"
#include "soma/core/random.hpp"

namespace soma::examples {

Tensor Dragons::features() const {
  std::vector<double> x;
  x.reserve(2 * toes.size());
  for (size_t i = 0; i < toes.size(); ++i) {
    x.push_back(toes[i]);
    x.push_back(length[i]);
  }
  return tensor(std::span<const double>(x), {size(), 2});
}

Tensor Dragons::fire_labels() const { return tensor(std::span<const int64_t>(fire), {size()}); }

Tensor Dragons::colour_labels() const { return tensor(std::span<const int64_t>(colour), {size()}); }

Dragons make_dragons(int64_t n, uint64_t seed) {
  if (n < 1) throw Error("make_dragons: n = " + std::to_string(n) + ", expected at least 1");
  Rng rng(seed);
  Dragons d;
  // Colour centres in the normalised square (toes, length) -> [0, 1]^2.
  const double centre[3][2] = {{0.25, 0.25}, {0.8, 0.35}, {0.45, 0.85}};
  for (int64_t i = 0; i < n; ++i) {
    const double toes = 5.0 + double(rng.below(18));
    const double length = 50.0 + 250.0 * rng.uniform() + rng.normal(0.0, 5.0);
    const double t = (toes - 5.0) / 17.0, l = (length - 50.0) / 250.0;
    // Fire below the line t + l = 1, decided on a slightly noisy score so a few
    // dragons near the line land on the other side.
    const int64_t fire = (t + l + rng.normal(0.0, 0.04) < 1.0) ? 1 : 0;
    const double jt = t + rng.normal(0.0, 0.05), jl = l + rng.normal(0.0, 0.05);
    int64_t colour = 0;
    double best = 1e300;
    for (int64_t k = 0; k < 3; ++k) {
      const double d2 = std::pow(jt - centre[k][0], 2) + std::pow(jl - centre[k][1], 2);
      if (d2 < best) best = d2, colour = k;
    }
    d.toes.push_back(toes);
    d.length.push_back(length);
    d.fire.push_back(fire);
    d.colour.push_back(colour);
  }
  return d;
}

}  // namespace soma::examples
