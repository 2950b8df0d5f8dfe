#pragma once
// examples/lorenz.cpp's options and entry point: its own main() and `soma example
// lorenz` (apps/soma/examples/lorenz.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"

namespace soma::examples::lorenz {

void run(const soma::cli::ExampleOptions& opt);

}  // namespace soma::examples::lorenz
