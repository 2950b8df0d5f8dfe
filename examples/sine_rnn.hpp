#pragma once
// examples/sine_rnn.cpp's options and entry point: its own main() and `soma example
// sine-rnn` (apps/soma/examples/sine_rnn.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"
#include "soma/cli/live.hpp"

namespace soma::examples::sine_rnn {

struct Options {
  soma::cli::ExampleOptions common{.epochs = 15};
  int64_t hidden = 32, window = 40, ahead = 5, train = 2000, test = 500, batch = 32;
  double noise = 0.1, lr = 1e-2;
  int64_t shards = 0;  // parts of every batch whose gradients are summed in order; 0: ranks
};

void run(const Options& opt, const soma::cli::LiveBoard& live);

}  // namespace soma::examples::sine_rnn
