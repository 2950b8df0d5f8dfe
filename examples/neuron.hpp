#pragma once
// examples/neuron.cpp's options and entry point: its own main() and `soma example
// neuron` (apps/soma/examples/neuron.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"
#include "soma/cli/live.hpp"

namespace soma::examples::neuron {

struct Options {
  soma::cli::ExampleOptions common{.epochs = 99};
  double lr = 0.01;  // Neuron(learning_rate=0.01)
};

void run(const Options& opt, const soma::cli::LiveBoard& live);

}  // namespace soma::examples::neuron
