// The dragons of dragons.hpp. Not an example itself (it registers nothing); it lives
// beside the examples that share it.
#include "dragons.hpp"

#include <numeric>
#include <span>
#include <string>

#include "soma/core/error.hpp"
#include "soma/core/random.hpp"

namespace soma::examples {

namespace {

Tensor pairs(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> x;
  x.reserve(2 * a.size());
  for (size_t i = 0; i < a.size(); ++i) x.push_back(a[i]), x.push_back(b[i]);
  return tensor(std::span<const double>(x), {int64_t(a.size()), 2});
}

// np.random.choice(ntoes, p=p): the first toe count whose cumulative probability
// exceeds a uniform draw.
double draw_toes(Rng& rng, bool fire) {
  static const double ntoes[7] = {5, 6, 7, 8, 9, 10, 22};
  static const double p_fire[7] = {0.3, 0.25, 0.2, 0.15, 0.07, 0.02, 0.01};
  const double u = rng.uniform();
  double cumulative = 0;
  for (int k = 0; k < 7; ++k) {
    cumulative += fire ? p_fire[k] : p_fire[6 - k];  // p_nofire = np.flip(p_fire)
    if (u < cumulative) return ntoes[k];
  }
  return ntoes[6];
}

}  // namespace

Tensor Dragons::fire_features() const { return pairs(toes, length); }

Tensor Dragons::colour_features() const {
  std::vector<double> t = toes, l = length;
  for (size_t i = 0; i < t.size(); ++i) {
    // The tutorial's lines, in its order:
    //   x[y_color_cat == 1,0] += 7; x[y_color_cat == 1,1] -= 50
    //   x[y_color_cat == 2,1] += 30; x[y_color_cat == 0,0] -= 3
    if (colour[i] == 1) t[i] += 7, l[i] -= 50;
    if (colour[i] == 2) l[i] += 30;
    if (colour[i] == 0) t[i] -= 3;
  }
  return pairs(t, l);
}

Tensor Dragons::fire_labels() const { return tensor(std::span<const int64_t>(fire), {size()}); }

Tensor Dragons::colour_labels() const { return tensor(std::span<const int64_t>(colour), {size()}); }

Dragons make_dragons(uint64_t seed, int64_t n) {
  if (n < 1) throw Error("make_dragons: n = " + std::to_string(n) + ", expected at least 1");
  Rng rng(seed);
  Dragons d;
  for (int64_t i = 0; i < n; ++i) {
    const double length = rng.normal(kLengthMean, kLengthSd);
    const int64_t fire = rng.uniform() < kFireProbability ? 1 : 0;
    d.colour.push_back(int64_t(rng.below(3)));
    d.toes.push_back(draw_toes(rng, fire == 1));
    d.length.push_back(fire ? length - 30.0 : length + 30.0);
    d.fire.push_back(fire);
  }
  return d;
}

DragonSplit split_dragons(int64_t n, uint64_t seed) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  rng.shuffle(order.begin(), order.end());
  // n_train = int(n_tot * split) with split = 0.6: truncation, as Python's int().
  const auto n_train = static_cast<size_t>(double(n) * 0.6);
  return {{order.begin(), order.begin() + long(n_train)},
          {order.begin() + long(n_train), order.end()}};
}

}  // namespace soma::examples
