#include "run_lookup.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <tuple>
#include <vector>

#include "run_status.hpp"
#include "soma/core/error.hpp"

namespace soma::cli {
namespace fs = std::filesystem;

namespace {

bool is_run(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "config.toml", ec) &&
         fs::is_regular_file(dir / "model.soma", ec);
}

bool is_complete_run(const fs::path& dir) {
  if (!is_run(dir)) return false;
  try {
    const auto status = read_run_status(dir);
    return status.empty() || status["status"] == "complete";
  } catch (const Error&) {
    return false;  // a damaged status.json: not a run to choose by default
  }
}

// "-YYYYMMDD-HHMMSS-N" at the end of a run's name, as (date-time digits, N).
std::optional<std::tuple<std::string, long long>> name_time(const std::string& name) {
  const auto dash = name.rfind('-');
  if (dash == std::string::npos || dash < 16 || dash + 1 == name.size()) return std::nullopt;
  const std::string n = name.substr(dash + 1), stamp = name.substr(dash - 15, 15);
  const auto digits = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  };
  if (n.size() > 9 || !digits(n) || stamp[8] != '-' || name[dash - 16] != '-' ||
      !digits(stamp.substr(0, 8)) || !digits(stamp.substr(9)))
    return std::nullopt;
  return std::make_tuple(stamp, std::stoll(n));
}

std::vector<fs::path> runs_in(const fs::path& dir, bool complete_only) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory(ec) &&
        (complete_only ? is_complete_run(entry.path()) : is_run(entry.path())))
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

const char* const kExpected =
    "expected a directory written by `soma train`, such as runs/NAME, or --model latest";

}  // namespace

fs::path latest_run(const fs::path& runs) {
  std::error_code ec;
  if (!fs::is_directory(runs, ec))
    throw Error("--model latest: no runs directory " + runs.string() +
                " (train a model with `soma train`, or name the runs directory with --runs)");
  std::optional<std::tuple<std::string, long long, std::string>> best;
  fs::path chosen;
  for (const auto& dir : runs_in(runs, true)) {
    const auto t = name_time(dir.filename().string());
    if (!t) continue;  // not named by soma train: its age is unknown
    const auto key = std::make_tuple(std::get<0>(*t), std::get<1>(*t), dir.filename().string());
    if (!best || key > *best) best = key, chosen = dir;
  }
  if (!best)
    throw Error("--model latest: no complete run under " + runs.string() +
                " (train a model with `soma train`, or name the runs directory with --runs)");
  return chosen;
}

fs::path resolve_run(const std::string& model, const fs::path& runs) {
  if (model == "latest") return latest_run(runs);
  fs::path dir = model;
  std::error_code ec;
  if (fs::is_regular_file(dir, ec) && dir.filename() == "model.soma") dir = dir.parent_path();
  if (!fs::exists(dir, ec))
    throw Error("not a run directory: " + model + " (no such directory; " + kExpected + ")");
  if (!fs::is_directory(dir, ec))
    throw Error("not a run directory: " + model + " (a file; " + kExpected + ")");
  // A run that stopped early says so (and how to finish it) before its missing files do.
  require_complete_run(dir);
  if (is_run(dir)) return dir;
  const auto inside = runs_in(dir, false);
  if (!inside.empty())
    throw Error("not a run directory: " + model + " (it holds " + std::to_string(inside.size()) +
                " runs, such as " + inside.front().string() +
                "; name one, or use --model latest --runs " + model + ")");
  throw Error("not a run directory: " + model + " (no " +
              (fs::exists(dir / "config.toml", ec) ? "model.soma" : "config.toml") + "; " +
              kExpected + ")");
}

}  // namespace soma::cli
