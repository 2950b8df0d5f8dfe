// `soma example mlp-dragons`: the flags of examples/mlp_dragons.cpp, whose run() does the work.
#include <memory>

#include "example_live.hpp"
#include "mlp_dragons.hpp"
#include "registry.hpp"

namespace {

using soma::examples::mlp_dragons::Options;
using soma::examples::mlp_dragons::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "mlp-dragons", "Tutorial 002: MLP classifying the colour of dragons", [](CLI::App& app) {
      auto opt = std::make_shared<Flags>();
      soma::cli::add_example_options(app, opt->common);
      soma::cli::add_epochs_option(app, opt->common, opt->common.epochs);
      soma::cli::add_live_option(app, opt->live);
      app.add_option("--n", opt->n, "number of dragons (60/40 split)")->capture_default_str();
      app.add_option("--init-seed", opt->init_seed,
                     "seed of the initial weights (the tutorial's "
                     "torch.manual_seed)")
          ->capture_default_str();
      app.add_option("--trace", opt->trace_dir,
                     "write the data, initial weights, first "
                     "epoch's order and losses to this folder "
                     "(tests/reference/dragons_mlp_replay.py)")
          ->default_str("none");
      app.callback([opt] {
        soma::cli::LiveDashboard live(opt->live);
        run(*opt, live);
        live.hold();
      });
    });

}  // namespace
