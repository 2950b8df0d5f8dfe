#pragma once
// Tutorial 001's data, shared by its examples (neuron, neuron-callback, neuron-grid) so
// that one --seed gives every one of them the same points: first the 100 points of its
// OLS section, x = linspace(0, 100, 100), y = 8x + np.random.normal(x, 100); then the
// 800 of its Neuron section, x = linspace(0, 100, 800), y = 8x + np.random.normal(x, 200),
// split 75/25 (train_test_split's default) and X standardised on the training rows, y
// left as it is. The draws come in that order from one generator, as in the tutorial's
// notebook; the tutorial seeds nothing, soma draws from --seed.
#include <cstdint>
#include <span>
#include <vector>

#include "soma/core/random.hpp"
#include "soma/data/scaler.hpp"
#include "soma/data/split.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::examples {

inline std::vector<double> linspace(double lo, double hi, int64_t n) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[size_t(i)] = lo + (hi - lo) * double(i) / double(n - 1);
  return v;
}

// A float64 column [n, 1], the tutorial's x[:, np.newaxis].
inline Tensor column(const std::vector<double>& v) {
  return soma::tensor(std::span<const double>(v), {int64_t(v.size()), 1});
}

// y = 8x + np.random.normal(x, noise) at each x, drawn in order.
inline std::vector<double> tutorial_001_y(const std::vector<double>& x, double noise, Rng& rng) {
  std::vector<double> y;
  for (double xi : x) y.push_back(8.0 * xi + rng.normal(xi, noise));
  return y;
}

struct Points100 {
  std::vector<double> x, y;
};
inline Points100 tutorial_001_points100(Rng& rng) {
  Points100 p{linspace(0.0, 100.0, 100), {}};
  p.y = tutorial_001_y(p.x, 100.0, rng);
  return p;
}

struct Points800 {
  std::vector<double> x_train, y_train, x_test, y_test;  // x standardised
};
// Call after tutorial_001_points100 on the same generator.
inline Points800 tutorial_001_points800(Rng& rng, uint64_t seed) {
  const int64_t n = 800;
  const std::vector<double> x = linspace(0.0, 100.0, n);
  const std::vector<double> y = tutorial_001_y(x, 200.0, rng);
  const auto split = data::train_test_split(n, {.test_size = 0.25, .seed = seed});
  Points800 p;
  for (int64_t r : split.train)
    p.x_train.push_back(x[size_t(r)]), p.y_train.push_back(y[size_t(r)]);
  for (int64_t r : split.test) p.x_test.push_back(x[size_t(r)]), p.y_test.push_back(y[size_t(r)]);
  data::StandardScaler scaler;
  scaler.fit(std::span<const double>(p.x_train), 1).transform(p.x_train);
  scaler.transform(p.x_test);
  return p;
}

}  // namespace soma::examples
