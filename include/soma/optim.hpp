#pragma once
// Optimizers and learning-rate schedules.
#include "soma/optim/adam.hpp"
#include "soma/optim/lr_scheduler.hpp"
#include "soma/optim/optimizer.hpp"
#include "soma/optim/sgd.hpp"
