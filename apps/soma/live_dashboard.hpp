#pragma once
// The bridge between a fit loop and the dashboard: a train::Callback that publishes
// each batch's loss and each epoch's record as server-sent events. It lives in the CLI
// because neither train nor serve may depend on the other.
//
//   auto board = std::make_shared<soma::serve::Dashboard>(opts);  board->start();
//   callbacks.push_back(soma::cli::live_dashboard_callback(board));
//   train::fit(model, optimizer, loader, &valid, fit_options, callbacks);
//
// Events: "train_begin" {epochs}, "batch" {epoch, epochs, batch, batches, step, loss},
// "epoch" {epoch, step, train_loss, valid_loss, metrics, seconds}, "train_end" {epochs,
// train_loss}. epoch and batch count from 1; step is the step's index over the whole run,
// from 0 ((epoch - 1) * batches + batch - 1, tutorial 003's "steps" axis), and an epoch's
// step is that of its last batch (epoch * batches - 1), where its validation loss belongs.
// The power bridge (PowerPublisher, below) lives here for the same reason.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "soma/power/monitor.hpp"
#include "soma/serve/dashboard.hpp"
#include "soma/train/fit.hpp"

namespace soma::cli {

// The events above, published on `board`: by the fit callback below and by training
// loops of their own (example_live.hpp's LiveLoop), so that both send the same.
class TrainingFeed {
 public:
  explicit TrainingFeed(std::shared_ptr<serve::Dashboard> board) : board_(std::move(board)) {}
  void begin(int64_t epochs) const;
  void batch(int64_t epoch, int64_t epochs, int64_t batch, int64_t batches, double loss) const;
  void epoch(const train::EpochRecord& record, int64_t batches) const;
  void end(int64_t epochs_done, double train_loss) const;

 private:
  std::shared_ptr<serve::Dashboard> board_;
};

std::shared_ptr<train::Callback> live_dashboard_callback(std::shared_ptr<serve::Dashboard> board);

// Streams a PowerMonitor to the dashboard's power view (`soma dashboard --power`,
// `soma power --live`). announce() publishes "power_sensors" {interval_ms, sensors: [{name,
// kind, has_energy_counter}], attempts: [...]}: with no sensor the page shows what was tried.
// update() publishes one "power" event {t, watts, energy_j, counter_j} per sample taken
// since the last call; energy_j is each sensor's trapezoidal integral so far, counter_j its
// cumulative counter (null where there is none). Call update() from one thread.
class PowerPublisher {
 public:
  PowerPublisher(std::shared_ptr<serve::Dashboard> board, const power::PowerMonitor& monitor,
                 int interval_ms);
  void announce();
  void update();

 private:
  std::shared_ptr<serve::Dashboard> board_;
  const power::PowerMonitor& monitor_;
  int interval_ms_;
  std::size_t sent_ = 0;
  std::vector<double> energy_j_;
  std::optional<power::Sample> last_;
};

}  // namespace soma::cli
