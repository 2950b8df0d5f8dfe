#pragma once
// examples/mlp_dragons.cpp's options and entry point: its own main() and `soma example
// mlp-dragons` (apps/soma/examples/mlp_dragons.cpp) both call run().
#include <cstdint>
#include <string>

#include "dragons.hpp"
#include "soma/cli/example.hpp"
#include "soma/cli/live.hpp"

namespace soma::examples::mlp_dragons {

struct Options {
  soma::cli::ExampleOptions common{.epochs = 25};
  int64_t n = soma::examples::kDragons;
  uint64_t init_seed = 2021;  // the tutorial's torch.manual_seed(2021), in soma's generator
  std::string trace_dir;      // empty: no trace
};

void run(const Options& opt, const soma::cli::LiveBoard& live);

}  // namespace soma::examples::mlp_dragons
