#pragma once
// The state of a `soma train` run directory, in its status.json, so that a run that
// stopped early never passes for a finished one:
//
//   "running"      written before training starts (also the check that the directory can
//                  be written); still there if the process was killed (SIGKILL, power)
//   "interrupted"  SIGINT/SIGTERM: a checkpoint was written, `soma train --resume DIR` goes on
//   "incomplete"   an error (a full disk, a diverged loss) ended it; "error" says which
//   "complete"     written last, after every other file
//
// status.json also records what --resume needs: the configuration's directory (relative
// data paths start there) and the command-line overrides. `soma predict` accepts only a
// complete run (or a directory from before status files, which has none).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace soma::cli {

// Creates a new run directory under `runs` (named stem-N) and checks it can be written;
// throws soma::Error naming --runs, the path and the reason.
std::filesystem::path create_run_directory(const std::filesystem::path& runs,
                                           const std::string& stem);

// Writes status.json atomically: `fields` with "status" set to `state`.
void write_run_status(const std::filesystem::path& dir, const std::string& state,
                      nlohmann::json fields);
// The status.json of `dir`; an empty object when there is none. Throws soma::Error naming
// the file when it is not a JSON object with a "status" string.
nlohmann::json read_run_status(const std::filesystem::path& dir);

// Throws soma::Error naming `dir` and its status unless the run finished.
void require_complete_run(const std::filesystem::path& dir);

// An exclusive lock on the run directory for as long as training runs, so that a
// --resume cannot take over a run whose process is still alive. Throws soma::Error
// naming the directory when another process holds it.
class RunLock {
 public:
  explicit RunLock(const std::filesystem::path& dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace soma::cli
