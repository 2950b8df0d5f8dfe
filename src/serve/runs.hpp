#pragma once
// The runs view of `soma dashboard DIR` (TensorBoard's --logdir): the `soma train` run
// directories under one directory and the history.csv of each, read when the page asks,
// so that a run still training shows its new epochs (cmd_train writes history.csv after
// every epoch).
//
// Only what the listing found is ever read: a request names a run by the name the list
// gave it, and a name that is not in the list (`..`, an absolute path, a symbolic link
// out of the directory) is 404 before any file is opened. Symbolic links are not
// followed, the number of runs and the size of a history are capped, and a malformed
// history.csv is an error message for the page, never an exception out of the server.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace soma::serve::detail {

struct RunsLimits {
  size_t max_runs = 1000;                       // listed; more are left off ("truncated")
  int max_depth = 3;                            // directories below the root searched
  std::uintmax_t max_history_bytes = 16 << 20;  // a larger history.csv is refused
  size_t max_columns = 256;
};

struct RunEntry {
  std::string name;  // the path below the root, '/'-separated ("." for the root itself)
  std::filesystem::path dir;
};

// Every directory at or below `root` (not through symbolic links) that holds a run's
// history.csv or status.json, sorted by name.
std::vector<RunEntry> find_runs(const std::filesystem::path& root, const RunsLimits& limits,
                                bool* truncated = nullptr);

// /api/runs: {"root", "runs": [{"name", "status", "epochs", "history_bytes",
// "modified" (history.csv's, ms since 1970), "has_model", "has_config"}...], "truncated"}; {"root":
// null, "runs": []} when there is no root.
std::string runs_json(const std::filesystem::path& root, const RunsLimits& limits);

// A history.csv as the page draws it: {"columns": [...], "values": {column: [numbers or
// null for nan]}}. Throws soma::Error naming the file, line and field for a header that
// does not start with "epoch", a row of the wrong length or a field that is not a number.
nlohmann::json parse_history(const std::string& text, const std::string& path,
                             const RunsLimits& limits);

struct RunReply {
  int status;  // 200, 404 (no such run or no history yet) or 422 (malformed history)
  std::string json;
};

// /api/runs/NAME/history: the history of the run the list calls NAME, or
// {"error": "..."} with the status saying why not.
RunReply run_history_json(const std::filesystem::path& root, const std::string& name,
                          const RunsLimits& limits);

}  // namespace soma::serve::detail
