// peak_rss: runs a command and reports its peak resident memory, so that the CLI tests
// can hold a command to a memory bound without GNU time (not part of the build deps).
//
//   peak_rss OUT_FILE CMD ARGS...    # writes the peak RSS in KiB to OUT_FILE
//
// Exits with the command's status (128 + N when signal N killed it).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: peak_rss OUT_FILE CMD [ARGS...]\n");
    return 2;
  }
  const pid_t pid = fork();
  if (pid < 0) return std::perror("fork"), 2;
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    std::perror(argv[2]);
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) return std::perror("wait4"), 2;
  std::FILE* out = std::fopen(argv[1], "w");
  if (out == nullptr) return std::perror(argv[1]), 2;
  std::fprintf(out, "%ld\n", usage.ru_maxrss);  // KiB on Linux
  std::fclose(out);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
