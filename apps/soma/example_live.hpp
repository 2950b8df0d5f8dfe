#pragma once
// `--live` for the examples that train (tutorial 003's live loss-per-step plot): the
// option, and the dashboard's training view fed by the same callback `soma train --live`
// uses (live_dashboard.hpp). Examples that train through train::fit add the callback;
// those with a loop of their own drive it through LiveLoop, which sends the same events.
//
//   soma::cli::LiveOption live;  soma::cli::add_live_option(app, live);
//   auto board = soma::cli::start_live(live, callbacks);   // nullptr without --live
//   train::fit(model, optimizer, loader, nullptr, options, callbacks);
#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <vector>

#include "soma/serve/dashboard.hpp"
#include "soma/train/fit.hpp"

namespace soma::cli {

struct LiveOption {
  bool live = false;
  int port = 0;  // 0: any free port
};
void add_live_option(CLI::App& app, LiveOption& option);

// With --live: starts the dashboard (its URL on stderr), adds its callback to `callbacks`
// and returns it; keep it alive while training runs. Without: nullptr, nothing added.
std::shared_ptr<serve::Dashboard> start_live(
    const LiveOption& option, std::vector<std::shared_ptr<train::Callback>>& callbacks);

// The callbacks' events from a hand-written training loop: begin(), batch() after each
// optimizer step, epoch() after each epoch, end(). Does nothing without callbacks.
class LiveLoop {
 public:
  LiveLoop(nn::Module& model, optim::Optimizer& optimizer, data::DataLoader& loader, int64_t epochs,
           std::vector<std::shared_ptr<train::Callback>> callbacks);
  void begin();
  void batch(int64_t epoch, int64_t batch, double loss);  // both counted from 1
  void epoch(int64_t epoch, double train_loss, double valid_loss);
  void end();

 private:
  std::vector<std::shared_ptr<train::Callback>> callbacks_;
  train::History history_;
  train::FitState state_;
};

}  // namespace soma::cli
