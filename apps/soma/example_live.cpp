#include "example_live.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "flags.hpp"
#include "live_dashboard.hpp"

namespace soma::cli {

namespace {

volatile std::sig_atomic_t g_close = 0;
extern "C" void on_close_signal(int) { g_close = 1; }

// SIGINT and SIGTERM end the wait for one scope; a SIGINT ignored by whoever started us
// (a background job) stays ignored, as in StopSignals.
class CloseSignals {
 public:
  CloseSignals() {
    g_close = 0;
    struct sigaction sa {};
    sa.sa_handler = on_close_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, &old_term_);
    sigaction(SIGINT, nullptr, &old_int_);
    if (old_int_.sa_handler != SIG_IGN) sigaction(SIGINT, &sa, nullptr);
  }
  ~CloseSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  CloseSignals(const CloseSignals&) = delete;
  CloseSignals& operator=(const CloseSignals&) = delete;

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

}  // namespace

void add_live_option(CLI::App& app, LiveOption& option) {
  app.add_flag("--live", option.live,
               "Show the loss of every step on a live dashboard page (its URL on stderr)");
  app.add_option("--port", option.port, "Port of the --live dashboard (0: any free)")
      ->check(integer_in(0, 65535))
      ->capture_default_str();
  deprecated_alias(app, "--live-port", "--port", option.port, integer_in(0, 65535));
  app.add_option("--live-hold", option.hold_seconds,
                 "Seconds the live page stays open after training (default: until Ctrl-C on a "
                 "terminal, 0 otherwise)")
      ->check(number_in(0));
}

LiveDashboard::LiveDashboard(const LiveOption& option) : option_(option) {
  if (!option.live) return;
  board_ = std::make_shared<serve::Dashboard>(serve::DashboardOptions{.port = option.port});
  board_->start();
  std::fprintf(stderr, "live dashboard: %s\n", board_->url().c_str());
}

void LiveDashboard::attach(std::vector<std::shared_ptr<train::Callback>>& callbacks) const {
  if (board_) callbacks.push_back(live_dashboard_callback(board_));
}

void LiveDashboard::hold() const {
  if (!board_) return;
  std::cout.flush();
  std::fflush(stdout);
  const bool terminal = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
  const double seconds = option_.hold_seconds >= 0 ? option_.hold_seconds
                         : terminal                ? INFINITY
                                                   : 0.0;
  if (seconds > 0) {
    if (std::isinf(seconds))
      std::fprintf(stderr, "live dashboard: training done; the page stays at %s until Ctrl-C\n",
                   board_->url().c_str());
    else
      std::fprintf(stderr,
                   "live dashboard: training done; the page stays at %s for %g s (Ctrl-C "
                   "closes it)\n",
                   board_->url().c_str(), seconds);
    CloseSignals signals;
    const auto start = std::chrono::steady_clock::now();
    while (!g_close &&
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
               seconds)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  board_->stop();
}

void LiveDashboard::begin(int64_t epochs) const {
  if (board_) TrainingFeed(board_).begin(epochs);
}

void LiveDashboard::batch(int64_t epoch, int64_t epochs, int64_t batch, int64_t batches,
                          double loss) const {
  if (board_) TrainingFeed(board_).batch(epoch, epochs, batch, batches, loss);
}

void LiveDashboard::epoch(const train::EpochRecord& record, int64_t batches) const {
  if (board_) TrainingFeed(board_).epoch(record, batches);
}

void LiveDashboard::end(int64_t epochs_done, double train_loss) const {
  if (board_) TrainingFeed(board_).end(epochs_done, train_loss);
}

}  // namespace soma::cli
