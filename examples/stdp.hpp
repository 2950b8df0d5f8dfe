#pragma once
// examples/stdp.cpp's options and entry point: its own main() and `soma example
// stdp` (apps/soma/examples/stdp.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"

namespace soma::examples::stdp {

struct Options : soma::cli::ExampleOptions {
  double duration = 100.0;
};

void run(const Options& opt);

}  // namespace soma::examples::stdp
