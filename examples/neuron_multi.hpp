#pragma once
// examples/neuron_multi.cpp's options and entry point: its own main() and `soma example
// neuron-multi` (apps/soma/examples/neuron_multi.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"
#include "soma/cli/live.hpp"

namespace soma::examples::neuron_multi {

struct Options {
  soma::cli::ExampleOptions common{.epochs = 99};
};

void run(const Options& opt, const soma::cli::LiveBoard& live);

}  // namespace soma::examples::neuron_multi
