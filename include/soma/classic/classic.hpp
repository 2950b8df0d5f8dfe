#pragma once
// The classic module: the single neuron trained by gradient descent, the perceptron,
// logistic regression and ordinary least squares, for `#include <soma/classic/classic.hpp>`.
#include "soma/classic/logistic.hpp"
#include "soma/classic/neuron.hpp"
#include "soma/classic/ols.hpp"
#include "soma/classic/perceptron.hpp"
