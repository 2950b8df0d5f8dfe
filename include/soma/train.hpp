#pragma once
// The training module: fit() and its callbacks, metrics, checkpoints, and soma train's
// configuration and network factory. soma/train/prepare.hpp (a configuration's data as
// tensors, through data::Pipeline with DataFrame) is included on its own, or through
// soma/soma.hpp: it would add a fifth to this header's compile time (bench/headers).
#include "soma/train/callbacks.hpp"
#include "soma/train/config.hpp"
#include "soma/train/fit.hpp"
#include "soma/train/metrics.hpp"
#include "soma/train/model_factory.hpp"
