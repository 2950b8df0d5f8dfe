// `soma example multiclass-perceptron`: the flags of examples/multiclass_perceptron.cpp, whose
// run() does the work.
#include <memory>

#include "example_live.hpp"
#include "flags.hpp"
#include "multiclass_perceptron.hpp"
#include "registry.hpp"

namespace {

using soma::examples::multiclass_perceptron::Options;
using soma::examples::multiclass_perceptron::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "multiclass-perceptron",
    "Tutorial 002: multi-class perceptron (one-hot, argmax) on dragon colours", [](CLI::App& app) {
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
