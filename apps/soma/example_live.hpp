#pragma once
// `--live` for every example that trains (tutorial 003's live loss-per-step plot): the
// options, and the soma::cli::LiveBoard (soma/cli/live.hpp) that feeds the dashboard's
// training view with the events `soma train --live` sends (live_dashboard.hpp). Examples
// that train through train::fit attach its callback; those with a loop of their own (or a
// classic::Neuron/Perceptron hook) drive a LiveLoop.
//
//   app.callback([opts] {
//     soma::cli::LiveDashboard live(opts->live);  // with --live: the page, its URL on stderr
//     run(*opts, live);                           // the example's, over soma/cli/live.hpp
//     live.hold();                                // after the results: --live-hold
//   });
//
// A fast example ends before anyone could open its page, so after the results are out
// the page stays open: until Ctrl-C when run from a terminal, for --live-hold seconds
// otherwise (0 by default in a pipe or a script, which must not wait). Ctrl-C or SIGTERM
// closes it early, and the exit status stays 0: the run itself is complete.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "soma/cli/live.hpp"
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
class LiveDashboard final : public LiveBoard {
 public:
  explicit LiveDashboard(const LiveOption& option);
  bool on() const override { return board_ != nullptr; }
  void attach(std::vector<std::shared_ptr<train::Callback>>& callbacks) const override;
  void begin(int64_t epochs) const override;
  void batch(int64_t epoch, int64_t epochs, int64_t batch, int64_t batches,
             double loss) const override;
  void epoch(const train::EpochRecord& record, int64_t batches) const override;
  void end(int64_t epochs_done, double train_loss) const override;
  // Keeps the page open as --live-hold says, then stops the server. Flushes stdout first,
  // so that a reader of the results (a --json line in a pipe) has them meanwhile.
  void hold() const;

 private:
  LiveOption option_;
  std::shared_ptr<serve::Dashboard> board_;
};

}  // namespace soma::cli
