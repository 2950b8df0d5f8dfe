// `soma example coba`: the flags of examples/coba.cpp, whose run() does the work.
#include <memory>

#include "coba.hpp"
#include "registry.hpp"

namespace {

using soma::examples::coba::Options;
using soma::examples::coba::run;

soma::cli::ExampleRegistrar reg("coba", "COBA benchmark network (Brette et al. 2007)",
                                [](CLI::App& app) {
                                  auto opts = std::make_shared<Options>();
                                  soma::cli::add_example_options(app, *opts);
                                  app.add_option("--neurons", opts->neurons, "Number of neurons")
                                      ->check(CLI::Range(int64_t{10}, int64_t{100000000}))
                                      ->capture_default_str();
                                  app.add_option("--duration", opts->duration,
                                                 "Simulated time in seconds")
                                      ->check(CLI::Range(0.0, 1e6))
                                      ->capture_default_str();
                                  // Under mpirun spikes are exchanged once per delay.
                                  app.add_option("--delay", opts->delay_ms,
                                                 "Synaptic delay in ms (0: none, as Brian2's "
                                                 "example)")
                                      ->check(CLI::Range(0.0, 1e4))
                                      ->capture_default_str();
                                  app.callback([opts] { run(*opts); });
                                });

}  // namespace
