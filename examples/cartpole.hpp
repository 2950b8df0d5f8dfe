#pragma once
// examples/cartpole.cpp's options and entry point: its own main() and `soma example
// cartpole` (apps/soma/examples/cartpole.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"
#include "soma/cli/live.hpp"

namespace soma::examples::cartpole {

struct Options {
  soma::cli::ExampleOptions common;
  std::string agent = "reinforce";
  int episodes = -1;  // -1: the agent's own default
  int64_t hidden = -1;
  double lr = -1, gamma = 0.99;
};

void run(const Options& opt, const soma::cli::LiveBoard& live);

}  // namespace soma::examples::cartpole
