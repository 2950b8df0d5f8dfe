// `soma example neuron-callback`: the flags of examples/neuron_callback.cpp, whose run() does the
// work.
#include <memory>

#include "example_live.hpp"
#include "neuron_callback.hpp"
#include "registry.hpp"

namespace {

using soma::examples::neuron_callback::Options;
using soma::examples::neuron_callback::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "neuron-callback",
    "Tutorial 001: a callback records the weights every batch; the fit animated per epoch",
    [](CLI::App& app) {
      auto opts = std::make_shared<Flags>();
      soma::cli::add_example_options(app, opts->common);
      soma::cli::add_epochs_option(app, opts->common, opts->common.epochs);
      soma::cli::add_live_option(app, opts->live);
      app.add_option("--batches", opts->batches, "Mini-batches per epoch")->capture_default_str();
      app.add_option("--lr", opts->lr, "Learning rate")->capture_default_str();
      app.callback([opts] {
        soma::cli::LiveDashboard live(opts->live);
        run(*opts, live);
        live.hold();
      });
    });

}  // namespace
