// `soma example gan`: the flags of examples/gan.cpp, whose run() does the work.
#include <memory>

#include "example_live.hpp"
#include "flags.hpp"
#include "gan.hpp"
#include "registry.hpp"

namespace {

using soma::examples::gan::Options;
using soma::examples::gan::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "gan", "Conditional DCGAN on Fashion-MNIST; a CNN's accuracy on the generated images",
    [](CLI::App& app) {
      auto opts = std::make_shared<Flags>();
      soma::cli::add_example_options(app, opts->common);
      soma::cli::add_epochs_option(app, opts->common, opts->common.epochs);
      soma::cli::add_live_option(app, opts->live);
      app.add_option("--data", opts->data_dir,
                     "Folder with the Fashion-MNIST IDX files (default: Debian's)");
      app.add_option("--train", opts->train, "Training images used (the first N)")
          ->capture_default_str();
      app.add_option("--test", opts->test, "Test images for the classifier's accuracy")
          ->capture_default_str();
      app.add_option("--batch", opts->batch, "Images per batch")->capture_default_str();
      app.add_option("--lr", opts->lr, "Adam's learning rate (both networks)")
          ->capture_default_str();
      app.add_option("--width", opts->width, "Feature maps of the first layer (w)")
          ->capture_default_str();
      soma::cli::add_shards_option(app, opts->shards);
      app.callback([opts] {
        soma::cli::LiveDashboard live(opts->live);
        run(*opts, live);
        live.hold();
      });
    });

}  // namespace
