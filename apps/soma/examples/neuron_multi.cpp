// `soma example neuron-multi`: the flags of examples/neuron_multi.cpp, whose run() does the work.
#include <memory>

#include "example_live.hpp"
#include "neuron_multi.hpp"
#include "registry.hpp"

namespace {

using soma::examples::neuron_multi::Options;
using soma::examples::neuron_multi::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "neuron-multi",
    "Tutorial 001: 13 Boston-shaped features, OLS vs the Neuron class vs Keras-style SGD",
    [](CLI::App& app) {
      auto opts = std::make_shared<Flags>();
      soma::cli::add_example_options(app, opts->common);
      soma::cli::add_epochs_option(app, opts->common, opts->common.epochs);
      soma::cli::add_live_option(app, opts->live);
      app.callback([opts] {
        soma::cli::LiveDashboard live(opts->live);
        run(*opts, live);
        live.hold();
      });
    });

}  // namespace
