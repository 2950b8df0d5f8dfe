#pragma once
// examples/multiclass_perceptron.cpp's options and entry point: its own main() and `soma example
// multiclass-perceptron` (apps/soma/examples/multiclass_perceptron.cpp) both call run().
#include <cstdint>
#include <string>

#include "dragons.hpp"
#include "soma/cli/example.hpp"
#include "soma/cli/live.hpp"

namespace soma::examples::multiclass_perceptron {

struct Options {
  soma::cli::ExampleOptions common{.epochs = 1500};
  int64_t n = soma::examples::kDragons;
};

void run(const Options& opt, const soma::cli::LiveBoard& live);

}  // namespace soma::examples::multiclass_perceptron
