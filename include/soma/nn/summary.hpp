#pragma once
// A model's summary as text, as Keras' model.summary() and Lightning's ModelSummary print
// it before training: one row per layer (nn::summarize, diagram.hpp) with its output shape
// and parameter count, then the total.
//
//   const auto layers = nn::summarize(model, {1, 28, 28});
//   std::cout << nn::format_summary(layers, {1, 28, 28});
//
//   layer  output shape     parameters  type
//   input  [N, 1, 28, 28]
//   0      [N, 32, 28, 28]         320  Conv2d(1, 32, kernel_size=(3, 3), ...)
//   ...
//   total: 421,642 parameters
#include <cstdint>
#include <string>
#include <vector>

#include "soma/nn/diagram.hpp"

namespace soma::nn {

// The sum of the layers' parameter counts.
int64_t total_parameters(const std::vector<LayerSummary>& layers);

// "421,642": counts grouped by thousands, as Keras prints them.
std::string grouped_count(int64_t n);

// The table above, each line ending in '\n'; `input` is the shape without the batch.
std::string format_summary(const std::vector<LayerSummary>& layers,
                           const std::vector<int64_t>& input);

}  // namespace soma::nn
