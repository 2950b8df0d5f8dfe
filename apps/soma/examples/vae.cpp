// `soma example vae`: the flags of examples/vae.cpp, whose run() does the work.
#include <memory>

#include "example_live.hpp"
#include "flags.hpp"
#include "registry.hpp"
#include "vae.hpp"

namespace {

using soma::examples::vae::Options;
using soma::examples::vae::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "vae", "Convolutional VAE (2-D latent) and autoencoder on Fashion-MNIST; test ELBO",
    [](CLI::App& app) {
      auto opts = std::make_shared<Flags>();
      soma::cli::add_example_options(app, opts->common);
      soma::cli::add_epochs_option(app, opts->common, opts->common.epochs);
      soma::cli::add_live_option(app, opts->live);
      app.add_option("--data", opts->data_dir,
                     "Folder with the Fashion-MNIST IDX files (default: Debian's)");
      app.add_option("--train", opts->train, "Training images used (the first N)")
          ->capture_default_str();
      app.add_option("--test", opts->test, "Test images used (the first N)")->capture_default_str();
      app.add_option("--batch", opts->batch, "Images per batch")->capture_default_str();
      app.add_option("--lr", opts->lr, "Adam's learning rate")->capture_default_str();
      soma::cli::add_shards_option(app, opts->shards);
      app.callback([opts] {
        soma::cli::LiveDashboard live(opts->live);
        run(*opts, live);
        live.hold();
      });
    });

}  // namespace
