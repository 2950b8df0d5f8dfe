#include "plot/external_renderer.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/read_file.hpp"

extern char** environ;

namespace soma::plot::detail {

namespace {
namespace fs = std::filesystem;

// A private directory under $TMPDIR, removed with everything in it when done.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& what) {
    std::string tmpl = (fs::temp_directory_path() / ("soma-" + what + "-XXXXXX")).string();
    if (!::mkdtemp(tmpl.data()))
      throw Error(what + ": cannot create a temporary directory in " +
                  fs::temp_directory_path().string() + ": " + std::strerror(errno));
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::string tail(const std::string& text, std::size_t n = 2000) {
  return text.size() > n ? "..." + text.substr(text.size() - n) : text;
}

// Runs argv (argv[0] looked up on PATH) with stdin from /dev/null and stdout and stderr
// into `messages`; returns its wait status.
int run(const ExternalRenderer& r, std::vector<std::string> args, const fs::path& messages,
        const fs::path& path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, messages.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, r.program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw Error(r.what + ": cannot run '" + r.program + "' to write " + path.string() + ": " +
                std::strerror(rc) + " (" + r.install_hint + ")");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      throw Error(r.what + ": waiting for " + r.name + ": " + std::strerror(errno));
  return status;
}

}  // namespace

std::string program_from_env(const char* variable, const char* fallback) {
  const char* env = std::getenv(variable);
  return env && *env ? env : fallback;
}

void render_with(const ExternalRenderer& r, const std::string& output_extension,
                 const std::function<std::string(const fs::path& output)>& input_for,
                 const std::function<std::vector<std::string>(const fs::path& input,
                                                              const fs::path& output)>& args_for,
                 const fs::path& path) {
  TempDir dir(r.what);
  const fs::path input = dir.path / r.input_name,
                 output = dir.path / ("output." + output_extension),
                 messages_file = dir.path / "messages.txt";
  write_file_atomic(input, input_for(output));
  std::vector<std::string> args = {r.program};
  for (auto& a : args_for(input, output)) args.push_back(std::move(a));
  const int status = run(r, std::move(args), messages_file, path);
  std::string messages;
  if (fs::exists(messages_file)) messages = read_file(messages_file);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                              : "signal " + std::to_string(WTERMSIG(status));
    throw Error(r.what + ": " + r.name + " failed (" + how + ") writing " + path.string() + ":\n" +
                tail(messages));
  }
  std::error_code ec;
  if (!fs::exists(output, ec) || fs::file_size(output, ec) == 0)
    throw Error(r.what + ": " + r.name + " wrote no output for " + path.string() + ":\n" +
                tail(messages));
  write_file_atomic(path, read_file(output));
}

}  // namespace soma::plot::detail
