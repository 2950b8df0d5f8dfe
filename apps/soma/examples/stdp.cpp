// `soma example stdp`: the flags of examples/stdp.cpp, whose run() does the work.
#include <memory>

#include "registry.hpp"
#include "stdp.hpp"

namespace {

using soma::examples::stdp::Options;
using soma::examples::stdp::run;

soma::cli::ExampleRegistrar reg("stdp", "STDP: Song, Miller & Abbott (2000), Brian2's example",
                                [](CLI::App& app) {
                                  auto opts = std::make_shared<Options>();
                                  soma::cli::add_example_options(app, *opts);
                                  app.add_option("--duration", opts->duration,
                                                 "Simulated time in seconds")
                                      ->check(CLI::Range(0.0, 1e5))
                                      ->capture_default_str();
                                  app.callback([opts] { run(*opts); });
                                });

}  // namespace
