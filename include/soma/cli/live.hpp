#pragma once
// Where an example that trains reports its progress as it goes. LiveBoard itself reports
// nowhere (a program of its own passes LiveBoard{}); `soma example NAME --live` passes one
// that shows each step's loss on the dashboard's training view (apps/soma/example_live.hpp).
//
//   void run(const Options& opt, const soma::cli::LiveBoard& live) {
//     live.attach(callbacks);                   // training through train::fit, or
//     soma::cli::LiveLoop feed(live, epochs, batches_per_epoch);   // a loop of one's own:
//     feed.begin();
//     ... feed.batch(epoch, batch, loss); ... feed.epoch(epoch, train_loss, valid_loss);
//     feed.end();
//   }
//
// epoch and batch count from 1 (train::fit's convention).
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "soma/train/fit.hpp"

namespace soma::cli {

class LiveBoard {
 public:
  LiveBoard() = default;
  LiveBoard(const LiveBoard&) = delete;
  LiveBoard& operator=(const LiveBoard&) = delete;
  virtual ~LiveBoard() = default;
  // Whether anything is shown: an example may skip computing what only the page needs.
  virtual bool on() const { return false; }
  explicit operator bool() const { return on(); }
  // Adds the train::fit callback that reports to `callbacks` (none when off).
  virtual void attach(std::vector<std::shared_ptr<train::Callback>>& /*callbacks*/) const {}
  // The events of a loop of one's own (LiveLoop sends them).
  virtual void begin(int64_t /*epochs*/) const {}
  virtual void batch(int64_t /*epoch*/, int64_t /*epochs*/, int64_t /*batch*/, int64_t /*batches*/,
                     double /*loss*/) const {}
  virtual void epoch(const train::EpochRecord& /*record*/, int64_t /*batches*/) const {}
  virtual void end(int64_t /*epochs_done*/, double /*train_loss*/) const {}
};

// train::fit's events from a loop of one's own: begin(), batch() after each step, epoch()
// after each epoch (its seconds measured here), end(). `batches` is the steps of one epoch.
class LiveLoop {
 public:
  LiveLoop(const LiveBoard& board, int64_t epochs, int64_t batches)
      : board_(board), epochs_(epochs), batches_(batches) {}
  bool on() const { return board_.on(); }
  void begin() {
    epoch_start_ = std::chrono::steady_clock::now();
    board_.begin(epochs_);
  }
  void batch(int64_t epoch, int64_t batch, double loss) const {
    board_.batch(epoch, epochs_, batch, batches_, loss);
  }
  void epoch(int64_t epoch, double train_loss, double valid_loss, StringMap<double> metrics = {}) {
    done_ = epoch;
    last_train_loss_ = train_loss;
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - epoch_start_).count();
    epoch_start_ = now;
    board_.epoch({.epoch = epoch,
                  .train_loss = train_loss,
                  .valid_loss = valid_loss,
                  .metrics = std::move(metrics),
                  .seconds = seconds},
                 batches_);
  }
  void end() const { board_.end(done_, last_train_loss_); }

 private:
  const LiveBoard& board_;
  int64_t epochs_, batches_;
  int64_t done_ = 0;  // epochs reported
  double last_train_loss_ = NAN;
  std::chrono::steady_clock::time_point epoch_start_{};
};

}  // namespace soma::cli
