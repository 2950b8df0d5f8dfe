#pragma once
// The figures `soma train` leaves in a run directory, as PNG:
//   loss.png              train and validation loss per epoch, the best epoch marked
//   accuracy.png          validation accuracy per epoch (metrics.png for other metrics);
//                         only when the run held out a validation set
//   confusion_matrix.png  the test set's confusion matrix (classification only)
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "soma/tensor/tensor.hpp"
#include "soma/train/fit.hpp"

namespace soma::cli {

// Writes the figures into `dir` and returns their paths. `confusion` is an int64
// [classes, classes] matrix (rows: actual) or undefined; `class_names` may be empty.
// Throws soma::Error when a figure cannot be written (no gnuplot).
std::vector<std::filesystem::path> write_train_figures(const std::filesystem::path& dir,
                                                       const train::History& history,
                                                       int64_t best_epoch, const Tensor& confusion,
                                                       const std::vector<std::string>& class_names);

}  // namespace soma::cli
