#pragma once
// The data section of a training configuration as tensors ready for the model: IDX or
// Fashion-MNIST images, or a CSV file through a data::Pipeline fitted on its training rows.
#include <string>
#include <vector>

#include "soma/data/pipeline.hpp"
#include "soma/tensor/tensor.hpp"
#include "soma/train/config.hpp"

namespace soma::train {

// Targets are int64 class indices for cross-entropy, float [N, 1] for the binary and
// regression losses.
struct PreparedData {
  Tensor train_x, train_y, test_x, test_y;
  std::vector<std::string> feature_names;  // csv: the columns after preprocessing
  int64_t num_classes = 0;                 // classification: outputs of the last layer
  data::Pipeline pipeline;                 // csv: fitted on the training rows; save it with
                                           // the model to predict without the training file
};
PreparedData prepare_data(const Config& config);

// The target tensor a loss expects for class labels / values `y` (float [N] or [N, 1]).
Tensor targets_for_loss(const std::string& loss, const Tensor& y);

}  // namespace soma::train
