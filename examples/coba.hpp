#pragma once
// examples/coba.cpp's options and entry point: its own main() and `soma example
// coba` (apps/soma/examples/coba.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"

namespace soma::examples::coba {

struct Options : soma::cli::ExampleOptions {
  int64_t neurons = 4000;
  double duration = 1.0;
  double delay_ms = 0.0;  // synaptic delay (Brian2's example has none)
};

void run(const Options& opt);

}  // namespace soma::examples::coba
