#pragma once
// `--live` for every example that trains (tutorial 003's live loss-per-step plot): the
// options, and the dashboard's training view fed with the events `soma train --live`
// sends (live_dashboard.hpp). Examples that train through train::fit add the callback;
// those with a loop of their own (or a classic::Neuron/Perceptron hook) drive a LiveLoop.
//
//   app.callback([opts] {
//     soma::cli::LiveBoard live(opts->live);  // with --live: the dashboard, its URL on stderr
//     run(*opts, live);                       // live.attach(callbacks) or LiveLoop(live, ...)
//     live.hold();                            // after the results: --live-hold
//   });
//
// A fast example ends before anyone could open its page, so after the results are out
// the page stays open: until Ctrl-C when run from a terminal, for --live-hold seconds
// otherwise (0 by default in a pipe or a script, which must not wait). Ctrl-C or SIGTERM
// closes it early, and the exit status stays 0: the run itself is complete.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "soma/serve/dashboard.hpp"
#include "soma/train/fit.hpp"

namespace soma::cli {

struct LiveOption {
  bool live = false;
  int port = 0;              // 0: any free port
  double hold_seconds = -1;  // -1: until Ctrl-C on a terminal, else 0
};
void add_live_option(CLI::App& app, LiveOption& option);

// The dashboard of one run with --live; without it nothing is started and every member
// does nothing.
class LiveBoard {
 public:
  LiveBoard() = default;  // none: as without --live
  explicit LiveBoard(const LiveOption& option);
  explicit operator bool() const { return board_ != nullptr; }
  // Adds the dashboard's train::fit callback to `callbacks`.
  void attach(std::vector<std::shared_ptr<train::Callback>>& callbacks) const;
  // Keeps the page open as --live-hold says, then stops the server. Flushes stdout first,
  // so that a reader of the results (a --json line in a pipe) has them meanwhile.
  void hold() const;
  const std::shared_ptr<serve::Dashboard>& dashboard() const { return board_; }

 private:
  LiveOption option_;
  std::shared_ptr<serve::Dashboard> board_;
};

// The fit callback's events from a loop of one's own: begin(), batch() after each step,
// epoch() after each epoch, end(). `batches` is the steps of one epoch. Does nothing
// without --live; on() says whether to compute what only the page needs.
class LiveLoop {
 public:
  LiveLoop(const LiveBoard& board, int64_t epochs, int64_t batches);
  bool on() const { return board_ != nullptr; }
  void begin();
  void batch(int64_t epoch, int64_t batch, double loss) const;  // both counted from 1
  void epoch(int64_t epoch, double train_loss, double valid_loss,
             std::map<std::string, double> metrics = {});
  void end() const;

 private:
  std::shared_ptr<serve::Dashboard> board_;
  int64_t epochs_, batches_;
  int64_t done_ = 0;  // epochs reported
  double last_train_loss_;
  std::chrono::steady_clock::time_point epoch_start_;  // for the record's seconds
};

}  // namespace soma::cli
