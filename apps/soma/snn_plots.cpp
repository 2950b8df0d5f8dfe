#include "snn_plots.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>

#include "soma/plot/figure.hpp"

namespace soma::cli {
namespace {

namespace fs = std::filesystem;
namespace plot = soma::plot;
using namespace soma::snn;

// A named slice of a group: the sources of one [[synapses]] section (COBA's "Ce" from
// P[0:3200] and "Ci" from P[3200:4000]), which a raster colours apart.
struct Part {
  std::string label;
  int64_t start = 0, stop = 0;
};

// The synapse sources in `group`, from the model file (already checked when it was read).
std::vector<Part> source_parts(const SnnModel& model, const NeuronGroup& group) {
  static const std::regex slice(R"(^\s*(\w+)\s*(?:\[\s*(\d*)\s*:\s*(\d*)\s*\])?\s*$)");
  std::vector<Part> parts;
  const auto* list = model.root["synapses"].as_array();
  if (!list) return parts;
  for (const auto& node : *list) {
    const auto* t = node.as_table();
    if (!t) continue;
    const std::string source = (*t)["source"].value_or(std::string());
    std::smatch m;
    if (!std::regex_match(source, m, slice) || m[1] != group.name()) continue;
    auto bound = [](const std::ssub_match& digits, int64_t fallback) {
      return digits.length() ? static_cast<int64_t>(std::stoll(digits.str())) : fallback;
    };
    Part p{(*t)["name"].value_or(std::string("synapses")) + " (" + source + ")", 0, group.size()};
    if (m[2].matched) p.start = bound(m[2], 0), p.stop = bound(m[3], group.size());
    parts.push_back(std::move(p));
  }
  return parts;
}

std::string source_name(const Subgroup& s) {
  if (s.start == 0 && s.stop == s.group->size()) return s.group->name();
  return s.group->name() + "[" + std::to_string(s.start) + ":" + std::to_string(s.stop) + "]";
}

void raster(const SpikeMonitor& m, const SnnModel& model, double t_end, const fs::path& png) {
  plot::Figure fig({.width = 1000, .height = 560});
  auto& ax = fig.axes();
  ax.title = "spikes of " + source_name(m.source) + " (" + std::to_string(m.num_spikes()) + ")";
  ax.xlabel = "t (ms)";
  ax.ylabel = "neuron (index in " + source_name(m.source) + ")";
  ax.grid = false;
  ax.xlim = plot::Range{0, t_end * 1e3};
  ax.ylim = plot::Range{-0.5, static_cast<double>(m.source.size()) - 0.5};
  std::vector<double> t, i, cls;
  // Each spike's subgroup: the first synapse source holding its neuron; "other" for the
  // rest. Colours only where the monitored neurons fall in more than one.
  const auto parts = source_parts(model, *m.source.group);
  std::vector<std::string> names;
  std::vector<int> used(parts.size() + 1, 0);
  for (std::size_t k = 0; k < m.i.size(); ++k) {
    t.push_back(m.t[k] * 1e3);
    i.push_back(static_cast<double>(m.i[k]));
    const int64_t neuron = m.source.start + m.i[k];
    std::size_t c = parts.size();
    for (std::size_t p = 0; p < parts.size() && c == parts.size(); ++p)
      if (neuron >= parts[p].start && neuron < parts[p].stop) c = p;
    cls.push_back(static_cast<double>(c));
    used[c] = 1;
  }
  const double size = m.i.size() > 20000 ? 1.5 : m.i.size() > 2000 ? 2.5 : 4;
  if (std::count(used.begin(), used.end(), 1) > 1) {
    for (const auto& p : parts) names.push_back(p.label);
    names.push_back("other neurons");
    ax.scatter(t, i, {.classes = cls, .class_names = names, .size = size});
  } else if (!t.empty()) {
    ax.scatter(t, i, {.color = "#222222", .size = size});
  }
  fig.save(png);
}

void rate(const PopulationRateMonitor& m, double t_end, const fs::path& png) {
  // The rate of one step is 0 or a multiple of 1 / (N dt): its mean over bins of about
  // a two-hundredth of the run (at least a step) is what can be read.
  const std::size_t steps = m.t.size(), per_bin = std::max<std::size_t>(1, steps / 200);
  std::vector<double> t, r;
  for (std::size_t b = 0; b < steps; b += per_bin) {
    const std::size_t e = std::min(steps, b + per_bin);
    double sum = 0;
    for (std::size_t k = b; k < e; ++k) sum += m.rate[k];
    t.push_back((m.t[b] + m.t[e - 1]) / 2 * 1e3);
    r.push_back(sum / static_cast<double>(e - b));
  }
  const double bin_ms = steps > 1 ? (m.t[1] - m.t[0]) * 1e3 * static_cast<double>(per_bin) : 0;
  plot::Figure fig({.width = 1000, .height = 420});
  auto& ax = fig.axes();
  char bin[32];
  std::snprintf(bin, sizeof bin, "%.3g", bin_ms);
  ax.title = "population rate of " + source_name(m.source) + " (mean over " + bin + " ms bins)";
  ax.xlabel = "t (ms)";
  ax.ylabel = "rate (Hz)";
  ax.xlim = plot::Range{0, t_end * 1e3};
  if (!t.empty()) ax.line(t, r);
  fig.save(png);
}

void traces(const StateMonitor& m, double t_end, const fs::path& png) {
  // A panel per variable (the first 12), stacked on one time axis; a line per recorded
  // neuron, named in the legend while there are few enough to tell apart.
  const int rows = static_cast<int>(std::min<std::size_t>(m.variables.size(), 12));
  plot::Figure fig({.rows = std::max(rows, 1),
                    .cols = 1,
                    .width = 1000,
                    .height = std::min(4000, 80 + 260 * std::max(rows, 1)),
                    .title = "state of " + source_name(m.source)});
  std::vector<double> t;
  for (double s : m.t) t.push_back(s * 1e3);
  for (int r = 0; r < rows; ++r) {
    const std::string& var = m.variables[static_cast<std::size_t>(r)];
    auto& ax = fig.axes(r, 0);
    ax.xlabel = "t (ms)";
    ax.ylabel = var + " (SI units)";
    ax.xlim = plot::Range{0, t_end * 1e3};
    const bool named = m.indices.size() <= 10;
    const auto& values = m.values.at(var);
    for (std::size_t k = 0; k < m.indices.size() && !t.empty(); ++k)
      ax.line(t, values[k],
              {.label = named ? var + "[" + std::to_string(m.indices[k]) + "]" : "", .width = 1.2});
  }
  fig.save(png);
}

}  // namespace

std::vector<std::string> plot_snn_monitors(const SnnModel& model, double t_end,
                                           const fs::path& dir) {
  std::vector<std::string> written;
  for (const auto& o : model.outputs) {
    // o.file is relative and stays inside its folder (checked when the model was read).
    fs::path png = dir / o.file;
    png.replace_extension(".png");
    fs::create_directories(png.parent_path());
    if (o.kind == "spike")
      raster(*static_cast<const SpikeMonitor*>(o.monitor), model, t_end, png);
    else if (o.kind == "rate")
      rate(*static_cast<const PopulationRateMonitor*>(o.monitor), t_end, png);
    else
      traces(*static_cast<const StateMonitor*>(o.monitor), t_end, png);
    written.push_back(png.string());
  }
  return written;
}

}  // namespace soma::cli
