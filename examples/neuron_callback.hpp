#pragma once
// examples/neuron_callback.cpp's options and entry point: its own main() and `soma example
// neuron-callback` (apps/soma/examples/neuron_callback.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"
#include "soma/cli/live.hpp"

namespace soma::examples::neuron_callback {

struct Options {
  soma::cli::ExampleOptions common{.epochs = 99};
  int64_t batches = 5;  // Neuron(nb_batches=5)
  double lr = 0.01;     // Neuron(learning_rate=0.01)
};

void run(const Options& opt, const soma::cli::LiveBoard& live);

}  // namespace soma::examples::neuron_callback
