#pragma once
// The classic models' weights as state dicts (float64 tensors), so that the examples that
// train them print the same fingerprint soma train prints: nn::state_dict_sha256, the
// SHA-256 of the bytes nn::save would write.
//
//   {"weights_sha256", nn::state_dict_sha256(examples::state_dict(perceptron))}
#include <initializer_list>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "soma/classic/logistic.hpp"
#include "soma/classic/neuron.hpp"
#include "soma/classic/perceptron.hpp"
#include "soma/nn/state_dict.hpp"

namespace soma::examples {

inline Tensor values_of(const std::vector<double>& v) {
  return tensor(std::span<const double>(v), {static_cast<int64_t>(v.size())});
}

// "weight" [units, features] and "bias" [units], as nn::Linear names them.
inline nn::StateDict state_dict(const classic::Perceptron& p) {
  std::vector<double> w;
  for (const auto& row : p.weights()) w.insert(w.end(), row.begin(), row.end());
  const auto units = static_cast<int64_t>(p.weights().size());
  nn::StateDict sd;
  sd.insert("weight", values_of(w).reshape(
                          {units, units ? static_cast<int64_t>(w.size()) / units : int64_t{0}}));
  sd.insert("bias", values_of(p.bias()));
  return sd;
}

inline nn::StateDict state_dict(const classic::LogisticRegression& m) {
  nn::StateDict sd;
  sd.insert("weight", values_of(m.coef()));
  sd.insert("bias", values_of({m.intercept()}));
  return sd;
}

inline nn::StateDict state_dict(const classic::Neuron& n) {
  nn::StateDict sd;
  sd.insert("weight", values_of(n.weights()));
  sd.insert("bias", values_of({n.bias()}));
  return sd;
}

// Several models' state dicts as one, each entry under "NAME." (as soma train's
// checkpoint combines a model and its optimizer).
inline nn::StateDict combined(std::initializer_list<std::pair<std::string, nn::StateDict>> parts) {
  nn::StateDict sd;
  for (const auto& [name, part] : parts) sd.merge(part, name);
  return sd;
}

}  // namespace soma::examples
