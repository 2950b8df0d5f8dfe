// render_dot: the DOT text goes to a file in a private temporary directory, `dot -T<format>`
// writes the picture beside it, and the picture is copied into place atomically, so a
// failed or killed run leaves no half-written file at `path`.
#include "soma/plot/graphviz.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/read_file.hpp"

extern char** environ;

namespace soma::plot {

namespace {
namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "soma-dot-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
      throw Error("diagram: cannot create a temporary directory in " +
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

std::string dot_program() {
  const char* env = std::getenv("SOMA_DOT");
  return env && *env ? env : "dot";
}

std::string tail(const std::string& text, std::size_t n = 2000) {
  return text.size() > n ? "..." + text.substr(text.size() - n) : text;
}
}  // namespace

void render_dot(const std::string& dot, const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext != ".svg" && ext != ".png" && ext != ".pdf")
    throw Error("diagram: " + path.string() + ": expected a file ending in .svg, .png or .pdf");
  const std::string format = ext.substr(1);
  TempDir dir;
  const fs::path input = dir.path / "graph.dot", output = dir.path / ("graph." + format),
                 errors = dir.path / "stderr.txt";
  write_file_atomic(input, dot);

  const std::string program = dot_program();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> args = {program, "-T" + format, "-o", output.string(), input.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw Error("diagram: cannot run '" + program + "' to write " + path.string() + ": " +
                std::strerror(rc) +
                " (install Graphviz, Debian package graphviz, or set SOMA_DOT)");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      throw Error("diagram: waiting for dot: " + std::string(std::strerror(errno)));
  std::string messages;
  if (fs::exists(errors)) messages = read_file(errors);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                              : "signal " + std::to_string(WTERMSIG(status));
    throw Error("diagram: dot failed (" + how + ") writing " + path.string() + ":\n" +
                tail(messages));
  }
  std::error_code ec;
  if (!fs::exists(output, ec) || fs::file_size(output, ec) == 0)
    throw Error("diagram: dot wrote no output for " + path.string() + ":\n" + tail(messages));
  write_file_atomic(path, read_file(output));
}

}  // namespace soma::plot
