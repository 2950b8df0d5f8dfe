#include "stop_signals.hpp"

#include <unistd.h>

#include <csignal>

namespace soma::cli {

namespace {

volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_old_int, g_old_term;

void on_signal(int sig) {
  g_signal = sig;
  // write(2) is async-signal-safe; stdio is not.
  static const char msg[] =
      "\nsoma: stopping after this batch to save a checkpoint (signal again to stop at once)\n";
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
}

}  // namespace

StopSignals::StopSignals() {
  g_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  // SA_RESTART: reads and writes under way are not cut short; SA_RESETHAND: the next
  // signal gets the default action.
  sa.sa_flags = SA_RESTART | SA_RESETHAND;
  sigaction(SIGTERM, &sa, &g_old_term);
  // A SIGINT ignored by whoever started us (a background job, nohup) stays ignored.
  sigaction(SIGINT, nullptr, &g_old_int);
  if (g_old_int.sa_handler != SIG_IGN) sigaction(SIGINT, &sa, nullptr);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

int StopSignals::received() { return static_cast<int>(g_signal); }

}  // namespace soma::cli
