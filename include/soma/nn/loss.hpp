#pragma once
// Losses. The functions live in namespace soma (tensor module) and are re-exported
// here so that nn::bce_loss(...) reads as in PyTorch; the classes hold a reduction and
// are called with (input, target), like torch.nn.MSELoss()(input, target).
#include "soma/tensor/tensor.hpp"

namespace soma::nn {

using soma::bce_loss;
using soma::bce_with_logits;
using soma::cross_entropy;
using soma::log_softmax;
using soma::mse_loss;
using soma::nll_loss;
using soma::Reduction;
using soma::softmax;

#define SOMA_NN_LOSS(Class, function)                                    \
  struct Class {                                                         \
    Reduction reduction = Reduction::Mean;                               \
    Tensor operator()(const Tensor& input, const Tensor& target) const { \
      return function(input, target, reduction);                         \
    }                                                                    \
  };
SOMA_NN_LOSS(MSELoss, mse_loss)
SOMA_NN_LOSS(BCELoss, bce_loss)
SOMA_NN_LOSS(BCEWithLogitsLoss, bce_with_logits)
SOMA_NN_LOSS(CrossEntropyLoss, cross_entropy)
SOMA_NN_LOSS(NLLLoss, nll_loss)
#undef SOMA_NN_LOSS

}  // namespace soma::nn
