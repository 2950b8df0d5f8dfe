// `soma example perceptron`: the flags of examples/perceptron.cpp, whose run() does the work.
#include <memory>

#include "example_live.hpp"
#include "flags.hpp"
#include "perceptron.hpp"
#include "registry.hpp"

namespace {

using soma::examples::perceptron::Options;
using soma::examples::perceptron::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "perceptron", "Tutorial 002: perceptron vs logistic regression on fire-breathing dragons",
    [](CLI::App& app) {
      auto opts = std::make_shared<Flags>();
      soma::cli::add_example_options(app, opts->common);
      soma::cli::add_epochs_option(app, opts->common, opts->common.epochs);
      soma::cli::add_live_option(app, opts->live);
      app.add_option("--n", opts->n, "Dragons in all")->capture_default_str();
      // The tutorial's max_iter (it stops after the pass with iter == max_iter) is the
      // epochs of every example; its name stays as a hidden alias.
      soma::cli::deprecated_alias(app, "--max-iter", "--epochs", opts->common.epochs,
                                  soma::cli::integer_in(0, 10'000'000));
      app.callback([opts] {
        soma::cli::LiveDashboard live(opts->live);
        run(*opts, live);
        live.hold();
      });
    });

}  // namespace
