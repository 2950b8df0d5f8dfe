#pragma once
// examples/regression_prelu.cpp's options and entry point: its own main() and `soma example
// regression-prelu` (apps/soma/examples/regression_prelu.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"
#include "soma/cli/live.hpp"

namespace soma::examples::regression_prelu {

struct Options {
  soma::cli::ExampleOptions common{.epochs = 500};
  int64_t n = 2000;
  int64_t shards = 0;  // parts of every batch whose gradients are summed in order; 0: ranks
};

void run(const Options& opt, const soma::cli::LiveBoard& live);

}  // namespace soma::examples::regression_prelu
