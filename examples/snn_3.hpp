#pragma once
// examples/snn_3.cpp's options and entry point: its own main() and `soma example
// snn-3` (apps/soma/examples/snn_3.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"

namespace soma::examples::snn_3 {

struct Options : soma::cli::ExampleOptions {
  std::string inhibition_term = "described";
};

void run(const Options& opt);

}  // namespace soma::examples::snn_3
