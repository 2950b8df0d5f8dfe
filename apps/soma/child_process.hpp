#pragma once
// A command run on soma's behalf (soma power -- CMD), as `time`, `timeout` and tini run
// one: the signals that would stop soma are passed on to it, soma waits for it to end,
// and what it used comes back (the measures that need no power sensor).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace soma::cli {

struct ChildUsage {
  int exit_status = 0;  // its exit status, or 128 + the signal that killed it
  int signal = 0;       // that signal, 0 when it exited
  double wall_s = 0;    // from start to end
  double user_s = 0;    // CPU time in user mode (its waited-for children included)
  double system_s = 0;  // and in the kernel
  int64_t peak_rss_bytes = 0;
};

class ChildProcess {
 public:
  // Starts `command` (searched in PATH) and forwards SIGINT, SIGTERM and SIGHUP sent to
  // soma to it until it has been waited for. Throws soma::Error when it cannot start.
  explicit ChildProcess(const std::vector<std::string>& command);
  ~ChildProcess();  // restores soma's own signal handling
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits for the command to end, calling `tick` every `poll` meanwhile.
  ChildUsage wait(std::chrono::milliseconds poll, const std::function<void()>& tick);

 private:
  void restore();

  pid_t pid_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace soma::cli
