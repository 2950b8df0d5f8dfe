#pragma once
// Synthetic "dragons" for the perceptron, multi-class perceptron and MLP examples:
// two features (number of toes, an integer in [5, 22], and body length, roughly
// 50..300) and two labels. Shorter, fewer-toed dragons breathe fire: the classes are
// split by a line in (toes, length) with a few points near it flipped, so the data are
// nearly, not exactly, linearly separable. The colour (green, red, blue) is the nearest
// of three centres in the normalised feature square, measured from a jittered point,
// so its regions are those of an argmax of three linear scores, with some overlap.
//
//   auto d = soma::examples::make_dragons(500, seed);
//   Tensor x = d.features();   // float64 [N, 2]: toes, length
//   Tensor y = d.fire_labels();  // int64 [N]: 1 breathes fire
#include <cstdint>
#include <string>
#include <vector>

#include "soma/tensor/tensor.hpp"

namespace soma::examples {

struct Dragons {
  std::vector<double> toes;     // integers 5..22
  std::vector<double> length;   // body length, about 50..300
  std::vector<int64_t> fire;    // 1: breathes fire
  std::vector<int64_t> colour;  // 0 green, 1 red, 2 blue

  int64_t size() const { return static_cast<int64_t>(toes.size()); }
  Tensor features() const;       // float64 [N, 2], columns (toes, length)
  Tensor fire_labels() const;    // int64 [N]
  Tensor colour_labels() const;  // int64 [N]
};

// n dragons from the seed (n >= 1, else soma::Error); the same seed gives the same dragons.
Dragons make_dragons(int64_t n, uint64_t seed);

inline const std::vector<std::string>& dragon_colour_names() {
  static const std::vector<std::string> names{"green", "red", "blue"};
  return names;
}
inline const std::vector<std::string>& dragon_feature_names() {
  static const std::vector<std::string> names{"toes", "length"};
  return names;
}

}  // namespace soma::examples
