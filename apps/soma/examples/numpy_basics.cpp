// `soma example numpy-basics`: the flags of examples/numpy_basics.cpp, whose run() does the work.
#include <memory>

#include "numpy_basics.hpp"
#include "registry.hpp"

namespace {

using soma::examples::numpy_basics::run;

soma::cli::ExampleRegistrar reg(
    "numpy-basics",
    "Tutorial 001: arrays, reshape, dot and NumPy broadcasting (and its errors) on soma tensors",
    [](CLI::App& app) {
      auto opts = std::make_shared<soma::cli::ExampleOptions>();
      app.add_flag("--json", opts->json, "End with one JSON object of the results");
      app.callback([opts] { run(*opts); });
    });

}  // namespace
