#pragma once
// Neural-network layers, initialisers, losses and state files.
#include "soma/nn/activation.hpp"
#include "soma/nn/batchnorm.hpp"
#include "soma/nn/conv.hpp"
#include "soma/nn/dropout.hpp"
#include "soma/nn/functional.hpp"
#include "soma/nn/init.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/loss.hpp"
#include "soma/nn/module.hpp"
#include "soma/nn/pooling.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/nn/state_dict.hpp"
