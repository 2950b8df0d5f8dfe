// `soma example titanic`: the flags of examples/titanic.cpp, whose run() does the work.
#include <memory>

#include "example_live.hpp"
#include "flags.hpp"
#include "registry.hpp"
#include "titanic.hpp"

namespace {

using soma::examples::titanic::Options;
using soma::examples::titanic::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "titanic", "Tutorial 000: the Titanic features, MLP and Kaggle submissions", [](CLI::App& app) {
      auto opt = std::make_shared<Flags>();
      soma::cli::add_example_options(app, opt->common);
      soma::cli::add_epochs_option(app, opt->common, opt->common.epochs);
      soma::cli::add_live_option(app, opt->live);
      app.add_option("--data", opt->data_dir, "directory with train.csv and test.csv")
          ->default_str("the shared data set's titanic/, else ./titanic, else .");
      soma::cli::add_output_option(app, opt->out_dir,
                                   "directory for the prediction_submission*.csv files",
                                   "none, not written");
      app.add_option("--cv", opt->cv, "folds of cross-validation (0: none)")->capture_default_str();
      app.add_option("--valid-size", opt->valid_size,
                     "validation fraction: 0.1 as the tutorial's code (615/69), 0.2 as its text "
                     "(547/137)")
          ->capture_default_str();
      app.add_flag("--accumulate-grad", opt->accumulate,
                   "run the printed loop, which never calls optimizer.zero_grad()");
      app.add_option("--lr", opt->lr, "Adam's learning rate (the tutorial gives none)")
          ->capture_default_str();
      app.add_option("--weight-decay", opt->weight_decay,
                     "Adam's L2 weight decay (the tutorial gives none)")
          ->capture_default_str();
      soma::cli::add_shards_option(app, opt->shards);
      app.callback([opt] {
        soma::cli::LiveDashboard live(opt->live);
        run(*opt, live);
        live.hold();
      });
    });

}  // namespace
