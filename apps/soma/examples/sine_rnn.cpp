// `soma example sine-rnn`: the flags of examples/sine_rnn.cpp, whose run() does the work.
#include <memory>

#include "example_live.hpp"
#include "flags.hpp"
#include "registry.hpp"
#include "sine_rnn.hpp"

namespace {

using soma::examples::sine_rnn::Options;
using soma::examples::sine_rnn::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "sine-rnn", "RNN vs GRU vs LSTM predicting a noisy sum of sines ahead; loss curves",
    [](CLI::App& app) {
      auto opts = std::make_shared<Flags>();
      soma::cli::add_example_options(app, opts->common);
      soma::cli::add_epochs_option(app, opts->common, opts->common.epochs);
      soma::cli::add_live_option(app, opts->live);
      app.add_option("--hidden", opts->hidden, "Hidden size of every model")->capture_default_str();
      app.add_option("--window", opts->window, "Steps each model reads")->capture_default_str();
      app.add_option("--ahead", opts->ahead, "Steps past the window to predict")
          ->capture_default_str();
      app.add_option("--noise", opts->noise, "Standard deviation of the noise")
          ->capture_default_str();
      app.add_option("--train", opts->train, "Training sequences")->capture_default_str();
      app.add_option("--test", opts->test, "Test sequences")->capture_default_str();
      app.add_option("--batch", opts->batch, "Sequences per batch")->capture_default_str();
      app.add_option("--lr", opts->lr, "Adam's learning rate")->capture_default_str();
      soma::cli::add_shards_option(app, opts->shards);
      app.callback([opts] {
        soma::cli::LiveDashboard live(opts->live);
        run(*opts, live);
        live.hold();
      });
    });

}  // namespace
