#pragma once
// examples/numpy_basics.cpp's options and entry point: its own main() and `soma example
// numpy-basics` (apps/soma/examples/numpy_basics.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"

namespace soma::examples::numpy_basics {

void run(const soma::cli::ExampleOptions& opt);

}  // namespace soma::examples::numpy_basics
