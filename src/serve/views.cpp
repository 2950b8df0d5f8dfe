// Spike rasters and embeddings for the dashboard, checked as they are read so the page
// can trust the shapes it is sent.
#include "serve/views.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/data/csv.hpp"

namespace soma::serve::detail {
namespace {

using nlohmann::json;

// Reads `csv` and checks it has the numeric columns `names`; text in one of them is
// reported by the CSV reader itself, with its line and field.
data::DataFrame read_numeric(const std::filesystem::path& csv, std::vector<std::string> names,
                             const char* what) {
  auto df = data::read_csv(csv);
  for (const auto& n : names)
    if (!df.contains(n))
      throw Error("dashboard: " + csv.string() + ": no column '" + n + "' (expected " + what + ")");
  for (const auto& n : names)
    if (!df[n].is_numeric()) return data::read_csv(csv, {.numeric = names});
  return df;
}

}  // namespace

std::string page_json(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string spikes_json(const std::filesystem::path& csv) {
  if (csv.empty()) return json{{"path", nullptr}}.dump();
  const auto df = read_numeric(csv, {"i", "t"}, "a spike monitor's i,t");
  const auto& i = df["i"].values();
  const auto& t = df["t"].values();
  // Positions as the CSV reader gives them: line r + 2 (the header is line 1), field number.
  const auto names = df.columns();
  auto field = [&](const char* name) {
    return static_cast<int64_t>(std::find(names.begin(), names.end(), name) - names.begin()) + 1;
  };
  const int64_t i_field = field("i"), t_field = field("t");
  double neurons = 0, t_max = 0;
  for (size_t r = 0; r < i.size(); ++r) {
    const auto line = static_cast<int64_t>(r + 2);
    if (!(i[r] >= 0) || i[r] != std::floor(i[r]))
      throw error_at(csv.string(), line, i_field, "neuron index must be an integer >= 0");
    if (!std::isfinite(t[r]))
      throw error_at(csv.string(), line, t_field, "spike time must be a number");
    neurons = std::max(neurons, i[r] + 1);
    t_max = std::max(t_max, t[r]);
  }
  json out{{"path", csv.string()},
           {"rows", df.rows()},
           {"i", i},
           {"t", t},
           {"neurons", neurons},
           {"t_max", t_max},
           {"groups", json::array()},
           {"group", json::array()}};
  // An optional group column (COBA's excitatory and inhibitory neurons) colours the
  // raster: the distinct groups in order of first appearance, and each spike's index.
  if (df.contains("group")) {
    const auto& g = df["group"];
    std::vector<std::string> group_names;
    json index = json::array();
    for (int64_t r = 0; r < g.size(); ++r) {
      const std::string name = g.label(r);
      const auto at = std::find(group_names.begin(), group_names.end(), name);
      index.push_back(at - group_names.begin());
      if (at == group_names.end()) group_names.push_back(name);
    }
    out["groups"] = group_names;
    out["group"] = std::move(index);
  }
  return page_json(out);
}

std::string embedding_json(const std::filesystem::path& csv) {
  if (csv.empty()) return json{{"path", nullptr}}.dump();
  const auto df = read_numeric(csv, {"x", "y"}, "an embedding's x,y[,label]");
  json x = json::array(), y = json::array();
  for (double v : df["x"].values()) x.push_back(std::isfinite(v) ? json(v) : json(nullptr));
  for (double v : df["y"].values()) y.push_back(std::isfinite(v) ? json(v) : json(nullptr));
  json labels = nullptr, classes = json::array();
  if (df.contains("label")) {
    const auto& c = df["label"];
    labels = json::array();
    std::set<std::string> seen;
    for (int64_t r = 0; r < c.size(); ++r) {
      std::string l = c.label(r);  // "NaN" where missing
      seen.insert(l);
      labels.push_back(std::move(l));
    }
    std::vector<std::string> ordered(seen.begin(), seen.end());
    if (c.is_numeric()) {
      // 2 before 10; "NaN" last.
      auto key = [](const std::string& s) {
        const double v = std::strtod(s.c_str(), nullptr);
        return std::isnan(v) ? INFINITY : v;
      };
      std::sort(ordered.begin(), ordered.end(),
                [&](const std::string& a, const std::string& b) { return key(a) < key(b); });
    }
    classes = ordered;
  }
  return page_json(json{{"path", csv.string()},
                        {"rows", df.rows()},
                        {"x", x},
                        {"y", y},
                        {"labels", labels},
                        {"classes", classes}});
}

}  // namespace soma::serve::detail
