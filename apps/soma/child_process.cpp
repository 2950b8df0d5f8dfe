#include "child_process.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "soma/core/error.hpp"

extern char** environ;

namespace soma::cli {

namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP};

// The child the handler forwards to, and a signal that came before it existed: lock-free
// atomics are safe to use in a handler, which may run on any of soma's threads.
std::atomic<pid_t> g_child{0};
std::atomic<int> g_pending{0};
static_assert(std::atomic<pid_t>::is_always_lock_free && std::atomic<int>::is_always_lock_free);
struct sigaction g_saved[3], g_saved_quit;

extern "C" void forward_signal(int sig, siginfo_t* info, void*) {
  // The terminal's Ctrl-C and hangup (sent by the kernel) already reached the whole
  // foreground process group, the command included: forwarding would deliver them twice.
  // A signal sent to soma alone (kill, timeout, a job scheduler) is passed on.
  if (info != nullptr && info->si_code == SI_KERNEL) return;
  const pid_t pid = g_child.load();
  if (pid > 0)
    ::kill(pid, sig);
  else
    g_pending.store(sig);
}

// Passes on a signal that arrived while the child was being started.
void forward_pending() {
  const int sig = g_pending.exchange(0);
  const pid_t pid = g_child.load();
  if (sig != 0 && pid > 0) ::kill(pid, sig);
}

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec * 1e-6; }

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& command) {
  // The handlers are in place before the child starts: a signal in between is kept and
  // passed on once its pid is known, not lost (nor left to kill soma alone).
  g_pending.store(0);
  for (int i = 0; i < 3; ++i) {
    struct sigaction sa {};
    sa.sa_sigaction = forward_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    ::sigaction(kForwarded[i], &sa, &g_saved[i]);
  }
  // SIGQUIT stays with the terminal's process group, as system() leaves it.
  ::sigaction(SIGQUIT, nullptr, &g_saved_quit);
  ::signal(SIGQUIT, SIG_IGN);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : kForwarded) sigaddset(&defaults, sig);
  sigaddset(&defaults, SIGQUIT);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> args = command;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = ::posix_spawnp(&pid_, argv[0], nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    restore();
    throw Error("power: cannot run '" + command[0] + "': " + std::strerror(rc));
  }
  start_ = std::chrono::steady_clock::now();
  g_child.store(pid_);
  forward_pending();
}

void ChildProcess::restore() {
  g_child.store(0);
  for (int i = 0; i < 3; ++i) ::sigaction(kForwarded[i], &g_saved[i], nullptr);
  ::sigaction(SIGQUIT, &g_saved_quit, nullptr);
}

ChildProcess::~ChildProcess() { restore(); }

ChildUsage ChildProcess::wait(std::chrono::milliseconds poll, const std::function<void()>& tick) {
  int status = 0;
  rusage ru{};
  while (true) {
    const pid_t done = ::wait4(pid_, &status, WNOHANG, &ru);
    if (done == pid_) break;
    if (done < 0 && errno != EINTR)
      throw Error("power: waiting for the command: " + std::string(std::strerror(errno)));
    forward_pending();  // one that raced with the start
    if (tick) tick();
    std::this_thread::sleep_for(poll);
  }
  // Reaped: its pid may be reused from here on, so nothing is forwarded to it any more.
  g_child.store(0);
  ChildUsage u;
  u.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  u.user_s = seconds(ru.ru_utime);
  u.system_s = seconds(ru.ru_stime);
  u.peak_rss_bytes = static_cast<int64_t>(ru.ru_maxrss) * 1024;  // Linux counts in KiB
  if (WIFSIGNALED(status)) {
    u.signal = WTERMSIG(status);
    u.exit_status = 128 + u.signal;
  } else {
    u.exit_status = WEXITSTATUS(status);
  }
  return u;
}

}  // namespace soma::cli
