#pragma once
// examples/char_lstm.cpp's options and entry point: its own main() and `soma example
// char-lstm` (apps/soma/examples/char_lstm.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"
#include "soma/cli/live.hpp"

namespace soma::examples::char_lstm {

struct Options {
  soma::cli::ExampleOptions common{.epochs = 5};
  std::string words = "/usr/share/dict/words";
  int64_t hidden = 256, embed = 32, batch = 32, seq = 50;
  double lr = 2e-3;
  int64_t samples = 20;
  int64_t max_chars = 0;  // 0: the whole training stream per epoch
  int64_t shards = 0;     // parts of every batch whose gradients are summed in order; 0: ranks
};

void run(const Options& opt, const soma::cli::LiveBoard& live);

}  // namespace soma::examples::char_lstm
