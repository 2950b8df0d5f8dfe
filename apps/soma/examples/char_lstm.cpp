// `soma example char-lstm`: the flags of examples/char_lstm.cpp, whose run() does the work.
#include <memory>

#include "char_lstm.hpp"
#include "example_live.hpp"
#include "flags.hpp"
#include "registry.hpp"

namespace {

using soma::examples::char_lstm::Options;
using soma::examples::char_lstm::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "char-lstm", "Character-level LSTM language model on the word list; samples new words",
    [](CLI::App& app) {
      auto opts = std::make_shared<Flags>();
      soma::cli::add_example_options(app, opts->common);
      soma::cli::add_epochs_option(app, opts->common, opts->common.epochs);
      soma::cli::add_live_option(app, opts->live);
      app.add_option("--words", opts->words, "Word list, one word per line")->capture_default_str();
      app.add_option("--hidden", opts->hidden, "LSTM hidden size")->capture_default_str();
      app.add_option("--embed", opts->embed, "Embedding size")->capture_default_str();
      app.add_option("--batch", opts->batch, "Sequences per batch")->capture_default_str();
      app.add_option("--seq", opts->seq, "Characters per sequence")->capture_default_str();
      app.add_option("--lr", opts->lr, "Adam's learning rate")->capture_default_str();
      soma::cli::add_shards_option(app, opts->shards);
      app.add_option("--samples", opts->samples, "Words to generate")->capture_default_str();
      app.add_option("--max-chars", opts->max_chars,
                     "Training characters per epoch (0: the whole stream)")
          ->capture_default_str();
      app.callback([opts] {
        soma::cli::LiveDashboard live(opts->live);
        run(*opts, live);
        live.hold();
      });
    });

}  // namespace
