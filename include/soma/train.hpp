#pragma once
#include "soma/train/callbacks.hpp"
#include "soma/train/fit.hpp"
#include "soma/train/metrics.hpp"
