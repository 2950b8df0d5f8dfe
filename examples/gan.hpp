#pragma once
// examples/gan.cpp's options and entry point: its own main() and `soma example gan`
// (apps/soma/examples/gan.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"
#include "soma/cli/live.hpp"

namespace soma::examples::gan {

struct Options {
  soma::cli::ExampleOptions common{.epochs = 5};
  std::string data_dir;  // empty: Debian's folder
  int64_t train = 20000, test = 10000, batch = 128, width = 32;
  double lr = 2e-4;
  int64_t shards = 0;  // parts of every batch whose gradients are summed in order; 0: ranks
};

void run(const Options& opt, const soma::cli::LiveBoard& live);

}  // namespace soma::examples::gan
