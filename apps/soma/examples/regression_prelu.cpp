// `soma example regression-prelu`: the flags of examples/regression_prelu.cpp, whose run() does the
// work.
#include <memory>

#include "example_live.hpp"
#include "flags.hpp"
#include "registry.hpp"
#include "regression_prelu.hpp"

namespace {

using soma::examples::regression_prelu::Options;
using soma::examples::regression_prelu::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "regression-prelu", "Tutorial 003: a 1-3-2-1 PReLU network fitting a known trend",
    [](CLI::App& app) {
      auto opt = std::make_shared<Flags>();
      soma::cli::add_example_options(app, opt->common);
      soma::cli::add_epochs_option(app, opt->common, opt->common.epochs);
      soma::cli::add_live_option(app, opt->live);
      app.add_option("--n", opt->n, "number of points")->capture_default_str();
      soma::cli::add_shards_option(app, opt->shards);
      app.callback([opt] {
        soma::cli::LiveDashboard live(opt->live);
        run(*opt, live);
        live.hold();
      });
    });

}  // namespace
