#include "open_browser.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <thread>

extern char** environ;

namespace soma::cli {

namespace {

bool set(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}

// xdg-open's path on PATH, or "" (posix_spawnp would only say ENOENT after the fork).
std::string on_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "";
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

}  // namespace

std::string open_browser(const std::string& url) {
  if (!set("DISPLAY") && !set("WAYLAND_DISPLAY"))
    return "no display: DISPLAY and WAYLAND_DISPLAY are unset";
  const std::string xdg_open = on_path("xdg-open");
  if (xdg_open.empty()) return "xdg-open not found on PATH (Debian package xdg-utils)";
  // Its standard output goes to /dev/null: soma's may be read by a script.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::string arg0 = xdg_open, arg1 = url;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = 0;
  const int error = posix_spawn(&pid, xdg_open.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) return xdg_open + ": " + std::strerror(error);
  // Reaped in the background so that it leaves no zombie while the dashboard serves.
  std::thread([pid] {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }).detach();
  return "";
}

}  // namespace soma::cli
