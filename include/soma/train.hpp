#pragma once
#include "soma/train/callbacks.hpp"
#include "soma/train/config.hpp"
#include "soma/train/fit.hpp"
#include "soma/train/metrics.hpp"
#include "soma/train/model_factory.hpp"
#include "soma/train/prepare.hpp"
