#pragma once
#include "soma/tensor/autograd.hpp"
#include "soma/tensor/dtype.hpp"
#include "soma/tensor/shape.hpp"
#include "soma/tensor/tensor.hpp"
