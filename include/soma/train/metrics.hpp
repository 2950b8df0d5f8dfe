#pragma once
// Classification and regression metrics on predictions already made.
//
//   auto cm = train::confusion_matrix(predicted, actual, 2);   // int64 [2, 2], rows = actual
//   double acc = train::accuracy(predicted, actual);
//
// Labels are int64 tensors of class indices (or anything that converts to them);
// binary rates treat class 1 as the positive class.
#include <cstdint>
#include <string>

#include "soma/tensor/tensor.hpp"

namespace soma::train {

// Class labels from model outputs: argmax over the last dimension for [N, C>1],
// threshold 0.5 for probabilities of shape [N] or [N, 1].
Tensor predicted_labels(const Tensor& output);

double accuracy(const Tensor& predicted, const Tensor& actual);
// counts[actual][predicted]
Tensor confusion_matrix(const Tensor& predicted, const Tensor& actual, int64_t num_classes);
// Recall of the positive class: TP / (TP + FN), 0 when there are no positives.
double detection_rate(const Tensor& predicted, const Tensor& actual);
// FP / (FP + TN), 0 when there are no negatives.
double false_positive_rate(const Tensor& predicted, const Tensor& actual);
double mse(const Tensor& predicted, const Tensor& actual);

// A confusion matrix as aligned text, rows labelled "actual", columns "predicted".
std::string format_confusion_matrix(const Tensor& matrix,
                                    const std::vector<std::string>& names = {});

}  // namespace soma::train
