// `soma example neuron`: the flags of examples/neuron.cpp, whose run() does the work.
#include <memory>

#include "example_live.hpp"
#include "neuron.hpp"
#include "registry.hpp"

namespace {

using soma::examples::neuron::Options;
using soma::examples::neuron::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "neuron",
    "Tutorial 001: OLS, grid search and one linear neuron by "
    "mini-batch gradient descent",
    [](CLI::App& app) {
      auto opts = std::make_shared<Flags>();
      soma::cli::add_example_options(app, opts->common);
      soma::cli::add_epochs_option(app, opts->common, opts->common.epochs);
      soma::cli::add_live_option(app, opts->live);
      app.add_option("--lr", opts->lr, "Learning rate")->capture_default_str();
      app.callback([opts] {
        soma::cli::LiveDashboard live(opts->live);
        run(*opts, live);
        live.hold();
      });
    });

}  // namespace
