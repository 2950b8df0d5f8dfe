// The runs view's listing and histories (serve/runs.hpp).
#include "serve/runs.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <system_error>

#include "serve/views.hpp"
#include "soma/core/error.hpp"
#include "soma/core/read_file.hpp"

namespace soma::serve::detail {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A regular file itself, not a symbolic link to one (which could point anywhere).
bool plain_file(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() == fs::file_type::regular;
}

bool is_run(const fs::path& dir) {
  return plain_file(dir / "history.csv") || plain_file(dir / "status.json");
}

// The "status" of a run's status.json: "unknown" when it cannot be read, "" without one.
std::string run_status(const fs::path& dir) {
  const fs::path f = dir / "status.json";
  if (!plain_file(f)) return "";
  try {
    const json j = json::parse(read_file(f, 64 * 1024));
    if (j.is_object() && j.contains("status") && j["status"].is_string())
      return j["status"].get<std::string>();
  } catch (const std::exception&) {
  }
  return "unknown";
}

json run_info(const RunEntry& run) {
  const fs::path history = run.dir / "history.csv";
  json j{{"name", run.name},
         {"status", run_status(run.dir)},
         {"has_model", plain_file(run.dir / "model.soma")},
         {"has_config", plain_file(run.dir / "config.toml")},
         {"history_bytes", nullptr},
         {"modified", nullptr}};
  if (plain_file(history)) {
    std::error_code ec;
    const auto size = fs::file_size(history, ec);
    const auto time = fs::last_write_time(history, ec);
    if (!ec) {
      j["history_bytes"] = size;
      // Milliseconds since 1970: the page fetches a history again when this changes.
      j["modified"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::file_clock::to_sys(time).time_since_epoch())
                          .count();
    }
  }
  return j;
}

// The text of one CSV field as a number: "nan" (History::to_csv's missing value) is null.
json number_at(std::string_view field, const std::string& path, int64_t line, int64_t column) {
  const std::string s(field);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size())
    throw error_at(path, line, column, "expected a number, found '" + s + "'");
  return std::isfinite(v) ? json(v) : json(nullptr);
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

std::string error_json(const std::string& message) { return page_json(json{{"error", message}}); }

}  // namespace

std::vector<RunEntry> find_runs(const fs::path& root, const RunsLimits& limits, bool* truncated) {
  std::vector<RunEntry> runs;
  if (truncated) *truncated = false;
  std::error_code ec;
  if (root.empty() || fs::symlink_status(root, ec).type() == fs::file_type::not_found) return runs;
  if (is_run(root)) runs.push_back({".", root});
  // Neither the iterator nor is_run follows a symbolic link, so nothing outside the root
  // is ever listed; unreadable directories are skipped rather than failing the list.
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (it.depth() >= limits.max_depth) it.disable_recursion_pending();
    if (it->symlink_status(ec).type() != fs::file_type::directory) continue;
    if (!is_run(it->path())) continue;
    if (runs.size() >= limits.max_runs) {
      if (truncated) *truncated = true;
      break;
    }
    runs.push_back({it->path().lexically_relative(root).generic_string(), it->path()});
  }
  std::sort(runs.begin(), runs.end(),
            [](const RunEntry& a, const RunEntry& b) { return a.name < b.name; });
  return runs;
}

std::string runs_json(const fs::path& root, const RunsLimits& limits) {
  if (root.empty()) return json{{"root", nullptr}, {"runs", json::array()}}.dump();
  bool truncated = false;
  json list = json::array();
  for (const auto& run : find_runs(root, limits, &truncated)) list.push_back(run_info(run));
  return page_json(json{{"root", root.string()}, {"runs", list}, {"truncated", truncated}});
}

json parse_history(const std::string& text, const std::string& path, const RunsLimits& limits) {
  std::vector<std::string_view> lines;
  std::string_view rest(text);
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  if (lines.empty() || lines[0].empty())
    throw error_at(path, 1, 1, "empty file, expected the header \"epoch,train_loss,...\"");
  const auto header = split_fields(lines[0]);
  if (header[0] != "epoch")
    throw error_at(
        path, 1, 1,
        "expected the header to start with \"epoch\", found '" + std::string(header[0]) + "'");
  if (header.size() > limits.max_columns)
    throw error_at(path, 1, 1,
                   std::to_string(header.size()) + " columns, at most " +
                       std::to_string(limits.max_columns) + " expected");
  json columns = json::array(), values = json::object();
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string name(header[c]);
    if (name.empty() || values.contains(name))
      throw error_at(path, 1, static_cast<int64_t>(c) + 1,
                     name.empty() ? "empty column name" : "column '" + name + "' repeated");
    columns.push_back(name);
    values[name] = json::array();
  }
  for (size_t r = 1; r < lines.size(); ++r) {
    const auto line = static_cast<int64_t>(r) + 1;
    if (lines[r].empty()) {
      if (r + 1 == lines.size()) break;  // the final newline
      throw error_at(path, line, 1, "empty line inside the history");
    }
    const auto fields = split_fields(lines[r]);
    if (fields.size() != header.size())
      throw error_at(path, line, static_cast<int64_t>(std::min(fields.size(), header.size())) + 1,
                     std::to_string(fields.size()) + " fields, expected " +
                         std::to_string(header.size()) + " as in the header");
    for (size_t c = 0; c < fields.size(); ++c)
      values[columns[c].get<std::string>()].push_back(
          number_at(fields[c], path, line, static_cast<int64_t>(c) + 1));
  }
  return json{{"columns", columns}, {"values", values}};
}

RunReply run_history_json(const fs::path& root, const std::string& name, const RunsLimits& limits) {
  // The name is only looked up, never joined to a path: what is not listed is not read.
  const auto runs = find_runs(root, limits);
  const auto it =
      std::find_if(runs.begin(), runs.end(), [&](const RunEntry& r) { return r.name == name; });
  if (it == runs.end()) return {404, error_json("no run '" + name + "' in " + root.string())};
  const fs::path history = it->dir / "history.csv";
  if (!plain_file(history))
    return {404, error_json(name + ": no history.csv yet (the run has not finished an epoch)")};
  try {
    json j = parse_history(read_file(history, limits.max_history_bytes), history.string(), limits);
    j["name"] = name;
    j["status"] = run_status(it->dir);
    return {200, page_json(j)};
  } catch (const std::exception& e) {
    return {422, error_json(e.what())};
  }
}

}  // namespace soma::serve::detail
