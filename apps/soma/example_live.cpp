#include "example_live.hpp"

#include "flags.hpp"
#include "live_dashboard.hpp"

namespace soma::cli {

void add_live_option(CLI::App& app, LiveOption& option) {
  app.add_flag("--live", option.live,
               "Show the loss of every step on a live dashboard page (its URL on stderr)");
  app.add_option("--live-port", option.port, "Port of the live dashboard (0: any free)")
      ->check(integer_in(0, 65535))
      ->capture_default_str();
}

std::shared_ptr<serve::Dashboard> start_live(
    const LiveOption& option, std::vector<std::shared_ptr<train::Callback>>& callbacks) {
  if (!option.live) return nullptr;
  return attach_live_dashboard(callbacks, option.port);
}

LiveLoop::LiveLoop(nn::Module& model, optim::Optimizer& optimizer, data::DataLoader& loader,
                   int64_t epochs, std::vector<std::shared_ptr<train::Callback>> callbacks)
    : callbacks_(std::move(callbacks)), state_{model, optimizer, loader, history_,
                                               0,     epochs,    false} {}

void LiveLoop::begin() {
  for (auto& c : callbacks_) c->on_train_begin(state_);
}

void LiveLoop::batch(int64_t epoch, int64_t batch, double loss) {
  state_.epoch = epoch;
  for (auto& c : callbacks_) c->on_batch_end(state_, batch, loss);
}

void LiveLoop::epoch(int64_t epoch, double train_loss, double valid_loss) {
  state_.epoch = epoch;
  history_.epochs.push_back({.epoch = epoch, .train_loss = train_loss, .valid_loss = valid_loss});
  for (auto& c : callbacks_) c->on_epoch_end(state_, history_.epochs.back());
}

void LiveLoop::end() {
  for (auto& c : callbacks_) c->on_train_end(state_);
}

}  // namespace soma::cli
