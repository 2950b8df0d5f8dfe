#pragma once
// The network a training configuration describes: one nn module per [[model.layers]]
// entry, in order, initialised from `rng` (and, for dropout, drawing from it).

#include "soma/core/random.hpp"
#include "soma/core/std_memory.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/train/config.hpp"

namespace soma::train {

std::shared_ptr<nn::Sequential> build_model(const Config& config, Rng& rng);

}  // namespace soma::train
