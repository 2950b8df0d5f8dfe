// soma snn run MODEL.toml: a spiking network described in a file, simulated, its
// monitors written as CSV. The format (every quantity a string with units, or a plain
// number in SI; a string must have the units of what it sets, as in Brian2, so
// v = "0" is an error for a volt variable; entries apply in the order written, so a
// constant may use those above it, and random initial values are drawn in that order):
//
//   dt = "0.1*ms"                 # optional (default 0.1 ms); seed = 1 optional
//   [constants]
//   tau = "10*ms"
//   [[group]]
//   name = "G"
//   N = 3
//   equations = '''dv/dt = (I - v)/tau : volt
//                  I : volt'''
//   threshold = "v > -50*mV"      # optional: reset, refractory, method
//   init = { v = "-70*mV", I = [0.1, 0.2, 0.0] }   # expression, number or list
//   [[synapses]]
//   name = "S"
//   source = "G[0:2]"             # a group or a slice of one
//   target = "G"
//   model = "w : volt"            # optional: on_pre, on_post, delay
//   on_pre = "v_post += w"
//   connect = { p = 0.5 }         # or { i = [0], j = [2] } or { condition = "i != j", p = 1 }
//   init = { w = "1*mV" }
//   [[monitor]]
//   type = "spike"                # spike | state | rate
//   source = "G"
//   variables = ["v"]             # state monitors: variables and indices
//   indices = [0, 1]
//   file = "spikes.csv"           # default: <type>_<source>.csv
//   [[run]]
//   duration = "100*ms"
//   constants = { tau = "20*ms" } # changed before this run
//
//   soma snn run MODEL.toml [--out DIR] [--json]
#include <toml++/toml.h>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>
#include <sstream>

#include "registry.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/system.hpp"
#include "soma/snn/network.hpp"

namespace {

using namespace soma::snn;

struct Options {
  std::string model;
  std::string out = "snn-output";
  bool json = false;
};

std::string where(const std::string& file, const toml::node& node) {
  const auto& src = node.source();
  return file + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

std::string str(const toml::table& t, const char* key, const std::string& file, bool required,
                const std::string& fallback = "") {
  const auto* node = t.get(key);
  if (!node) {
    if (required)
      throw soma::error_at(file, t.source().begin.line, t.source().begin.column,
                           std::string("missing '") + key + "'");
    return fallback;
  }
  if (auto s = node->value<std::string>()) return *s;
  throw soma::Error(where(file, *node) + ": '" + key + "' must be a string");
}

// A table's entries in the order the file gives them. toml++ iterates keys sorted, but
// constants may use the ones defined above them, and initial values draw random numbers
// in the order they are written (as Brian2's statements run).
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (const auto& [k, node] : t) out.emplace_back(std::string(k.str()), &node);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto &x = a.second->source().begin, &y = b.second->source().begin;
    return x.line != y.line ? x.line < y.line : x.column < y.column;
  });
  return out;
}

// Runs f; a soma::Error it throws that does not already say where in the file it comes
// from (the library's messages name the group, variable or expression, not the file) gets
// the position of `node`, the table or value being applied.
template <class F>
decltype(auto) located(const std::string& file, const toml::node& node, F&& f) {
  try {
    return f();
  } catch (const soma::Error& e) {
    if (std::string_view(e.what()).starts_with(file + ":")) throw;
    throw soma::Error(where(file, node) + ": " + e.what());
  }
}

// A quantity in `unit` (dt, a duration): a string with units, or a number already in SI.
double quantity(const Network& net, const toml::node& node, const std::string& file,
                const char* what, const char* unit) {
  if (auto d = node.value<double>()) return *d;
  if (auto s = node.value<std::string>())
    return located(file, node, [&] { return net.evaluate(*s, unit); });
  throw soma::Error(where(file, node) + ": " + what + " must be a number or a string with units");
}

void set_constant(Network& net, const std::string& name, const toml::node& node,
                  const std::string& file) {
  if (auto d = node.value<double>())
    net.set_constant(name, *d);
  else if (auto s = node.value<std::string>())
    net.set_constant(name, *s);
  else
    throw soma::Error(where(file, node) + ": constant '" + name +
                      "' must be a number or a string with units");
}

// One initial value from the file: an expression, one number, or one per element.
struct InitValue {
  std::string name, expression;
  std::vector<double> values;
  bool scalar = false;
};

std::vector<InitValue> init_values(const toml::table& init, const std::string& file) {
  std::vector<InitValue> out;
  for (const auto& [name, entry] : in_file_order(init)) {
    const toml::node& node = *entry;
    InitValue v;
    v.name = name;
    if (auto d = node.value<double>()) {
      v.values = {*d};
      v.scalar = true;
    } else if (auto s = node.value<std::string>()) {
      v.expression = *s;
    } else if (const auto* arr = node.as_array()) {
      for (const auto& e : *arr) {
        auto x = e.value<double>();
        if (!x) throw soma::Error(where(file, e) + ": expected numbers in '" + v.name + "'");
        v.values.push_back(*x);
      }
    } else {
      throw soma::Error(where(file, node) + ": '" + v.name +
                        "' must be a number, a list of numbers or an expression");
    }
    out.push_back(std::move(v));
  }
  return out;
}

template <class Target>
void set_values(Target& target, const toml::table& init, const std::string& file) {
  for (const auto& v : init_values(init, file)) {
    if (!v.expression.empty())
      target.set(v.name, v.expression);
    else if (v.scalar)
      target.set(v.name, v.values[0]);
    else
      target.set(v.name, v.values);
  }
}

Subgroup subgroup(Network& net, const std::string& spec, const std::string& file,
                  const toml::node& node) {
  static const std::regex slice(R"(^\s*(\w+)\s*(?:\[\s*(\d*)\s*:\s*(\d*)\s*\])?\s*$)");
  std::smatch m;
  if (!std::regex_match(spec, m, slice))
    throw soma::Error(where(file, node) + ": '" + spec + "': expected GROUP or GROUP[start:stop]");
  NeuronGroup* g = net.find_group(m[1]);
  if (!g) throw soma::Error(where(file, node) + ": no group named '" + std::string(m[1]) + "'");
  if (!m[2].matched) return Subgroup(*g);
  auto bound = [&](const std::ssub_match& digits, int64_t fallback) {
    if (!digits.length()) return fallback;
    int64_t v = 0;
    const std::string text = digits.str();
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
      throw soma::Error(where(file, node) + ": '" + spec + "': " + text + " is out of range");
    return v;
  };
  const int64_t start = bound(m[2], 0), stop = bound(m[3], g->size());
  return located(file, node, [&] { return Subgroup(*g, start, stop); });
}

std::vector<int64_t> int_list(const toml::node* node, const std::string& file, const char* what) {
  std::vector<int64_t> out;
  const auto* arr = node ? node->as_array() : nullptr;
  if (!arr) throw soma::Error(file + ": '" + what + "' must be a list of integers");
  for (const auto& v : *arr) {
    auto i = v.value<int64_t>();
    if (!i) throw soma::Error(where(file, v) + ": '" + what + "' must hold integers");
    out.push_back(*i);
  }
  return out;
}

const toml::array* tables(const toml::table& root, const char* key, const std::string& file) {
  const auto* node = root.get(key);
  if (!node) return nullptr;
  const auto* arr = node->as_array();
  if (!arr || !arr->is_array_of_tables())
    throw soma::Error(where(file, *node) + ": '" + key + "' must be [[" + key + "]] tables");
  return arr;
}

struct MonitorOut {
  std::string file, kind;
  const void* monitor;
};

void run(const Options& opt) {
  const std::string file = opt.model;
  toml::table root;
  try {
    root = toml::parse(soma::read_file(file), file);
  } catch (const toml::parse_error& e) {
    throw soma::error_at(file, e.source().begin.line, e.source().begin.column,
                         std::string(e.description()));
  }
  double dt = 1e-4;
  uint64_t seed = 42;
  {
    Network probe;
    if (const auto* n = root.get("dt")) dt = quantity(probe, *n, file, "dt", "second");
    if (const auto* n = root.get("seed")) {
      auto s = n->value<int64_t>();
      if (!s || *s < 0)
        throw soma::Error(where(file, *n) + ": seed must be a non-negative integer");
      seed = static_cast<uint64_t>(*s);
    }
  }
  const toml::node* dt_node = root.get("dt");
  Network net =
      located(file, dt_node ? *dt_node : root, [&] { return Network({.dt = dt, .seed = seed}); });
  if (const auto* c = root["constants"].as_table())
    for (const auto& [name, value] : in_file_order(*c))
      located(file, *value, [&] { set_constant(net, name, *value, file); });

  if (const auto* groups = tables(root, "group", file))
    for (const auto& node : *groups) {
      const auto& t = *node.as_table();
      auto n = t["N"].value<int64_t>();
      if (!n) throw soma::Error(where(file, node) + ": group needs an integer N");
      auto& g = located(file, node, [&]() -> NeuronGroup& {
        return net.add_neuron_group(*n, str(t, "equations", file, true),
                                    {.threshold = str(t, "threshold", file, false),
                                     .reset = str(t, "reset", file, false),
                                     .refractory = str(t, "refractory", file, false),
                                     .method = str(t, "method", file, false),
                                     .name = str(t, "name", file, true)});
      });
      if (const auto* init = t["init"].as_table())
        located(file, *init, [&] { set_values(g, *init, file); });
    }
  if (const auto* syns = tables(root, "synapses", file))
    for (const auto& node : *syns) {
      const auto& t = *node.as_table();
      auto& s = located(file, node, [&]() -> Synapses& {
        return net.add_synapses(subgroup(net, str(t, "source", file, true), file, node),
                                subgroup(net, str(t, "target", file, true), file, node),
                                {.model = str(t, "model", file, false),
                                 .on_pre = str(t, "on_pre", file, false),
                                 .on_post = str(t, "on_post", file, false),
                                 .delay = str(t, "delay", file, false),
                                 .name = str(t, "name", file, true)});
      });
      if (const auto* c = t["connect"].as_table())
        located(file, *c, [&] {
          const double p = (*c)["p"].value<double>().value_or(1.0);
          if (c->contains("i") || c->contains("j"))
            s.connect(int_list(c->get("i"), file, "i"), int_list(c->get("j"), file, "j"));
          else if (c->contains("condition"))
            s.connect_condition(str(*c, "condition", file, true), p);
          else if (c->contains("p"))
            s.connect_probability(p);
          else
            throw soma::Error(where(file, node) + ": connect needs i and j, condition, or p");
        });
      if (const auto* init = t["init"].as_table())
        located(file, *init, [&] { set_values(s, *init, file); });
    }
  std::vector<MonitorOut> outputs;
  if (const auto* mons = tables(root, "monitor", file))
    for (const auto& node : *mons)
      located(file, node, [&] {
        const auto& t = *node.as_table();
        const std::string type = str(t, "type", file, true), src = str(t, "source", file, true);
        const Subgroup sg = subgroup(net, src, file, node);
        std::string stem;
        for (char ch : src) stem += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
        const std::string out = str(t, "file", file, false, type + "_" + stem + ".csv");
        if (type == "spike") {
          outputs.push_back({out, type, &net.add_spike_monitor(sg)});
        } else if (type == "rate") {
          outputs.push_back({out, type, &net.add_rate_monitor(sg)});
        } else if (type == "state") {
          std::vector<std::string> vars;
          if (const auto* arr = t["variables"].as_array())
            for (const auto& v : *arr)
              if (auto s = v.value<std::string>()) vars.push_back(*s);
          if (vars.empty())
            throw soma::Error(where(file, node) + ": state monitor needs variables = [\"v\", ...]");
          std::vector<int64_t> idx;
          if (t.contains("indices"))
            idx = int_list(t.get("indices"), file, "indices");
          else
            for (int64_t k = 0; k < sg.size(); ++k) idx.push_back(k);
          outputs.push_back({out, type, &net.add_state_monitor(sg, vars, idx)});
        } else {
          throw soma::Error(where(file, node) + ": monitor type '" + type +
                            "' (expected spike, state or rate)");
        }
      });
  const auto* runs = tables(root, "run", file);
  if (!runs || runs->empty()) throw soma::Error(file + ": no [[run]] with a duration");
  soma::Stopwatch clock;
  for (const auto& node : *runs) {
    const auto& t = *node.as_table();
    if (const auto* c = t["constants"].as_table())
      for (const auto& [name, value] : in_file_order(*c))
        located(file, *value, [&] { set_constant(net, name, *value, file); });
    if (const auto* sets = t["set"].as_table())
      for (const auto& [name, value] : in_file_order(*sets)) {
        const auto* init = value->as_table();
        if (!init) throw soma::Error(where(file, *value) + ": set." + name + " must be a table");
        if (auto* g = net.find_group(name))
          located(file, *value, [&] { set_values(*g, *init, file); });
        else if (auto* s = net.find_synapses(name))
          located(file, *value, [&] { set_values(*s, *init, file); });
        else
          throw soma::Error(where(file, *value) + ": no group or synapses named '" + name + "'");
      }
    const auto* d = t.get("duration");
    if (!d) throw soma::Error(where(file, node) + ": run needs a duration");
    const double duration = quantity(net, *d, file, "duration", "second");
    // The equations, thresholds and statements compile here (as in Brian2): their errors
    // name the expression, and this gives the run that needed them.
    located(file, node, [&] { net.run(duration, !opt.json && soma::stderr_is_terminal()); });
  }
  const double seconds = clock.seconds();

  std::filesystem::create_directories(opt.out);
  nlohmann::json files = nlohmann::json::array();
  int64_t total_spikes = 0;
  for (const auto& o : outputs) {
    std::ostringstream csv;
    csv.precision(17);
    if (o.kind == "spike") {
      const auto& m = *static_cast<const SpikeMonitor*>(o.monitor);
      csv << "i,t\n";
      for (size_t k = 0; k < m.i.size(); ++k) csv << m.i[k] << ',' << m.t[k] << '\n';
      total_spikes += m.num_spikes();
    } else if (o.kind == "rate") {
      const auto& m = *static_cast<const PopulationRateMonitor*>(o.monitor);
      csv << "t,rate\n";
      for (size_t k = 0; k < m.t.size(); ++k) csv << m.t[k] << ',' << m.rate[k] << '\n';
    } else {
      const auto& m = *static_cast<const StateMonitor*>(o.monitor);
      csv << "t";
      for (const auto& v : m.variables)
        for (int64_t i : m.indices) csv << ',' << v << '[' << i << ']';
      csv << '\n';
      for (size_t s = 0; s < m.t.size(); ++s) {
        csv << m.t[s];
        for (const auto& v : m.variables)
          for (size_t k = 0; k < m.indices.size(); ++k) csv << ',' << m.values.at(v)[k][s];
        csv << '\n';
      }
    }
    const auto path = std::filesystem::path(opt.out) / o.file;
    soma::write_file_atomic(path, csv.str());
    files.push_back(path.string());
    if (!opt.json) std::printf("wrote %s\n", path.string().c_str());
  }
  if (opt.json)
    soma::cli::print_json({{"t_end_s", net.t()},
                           {"steps", net.step()},
                           {"spikes", total_spikes},
                           {"run_seconds", seconds},
                           {"files", files}});
  else
    std::printf("simulated %.6g s in %lld steps (%.3f s)\n", net.t(),
                static_cast<long long>(net.step()), seconds);
}

soma::cli::CommandRegistrar reg(
    "snn", "Simulate spiking networks (Brian2-style models)", [](CLI::App& app) {
      app.require_subcommand(1);
      auto* r = app.add_subcommand("run", "Run a MODEL.toml network");
      auto opts = std::make_shared<Options>();
      r->add_option("model", opts->model, "Model file (TOML)")->required();
      r->add_option("--out", opts->out, "Directory for monitor CSVs")->capture_default_str();
      r->add_flag("--json", opts->json, "End with one JSON object of the figures");
      r->callback([opts] { run(*opts); });
    });

}  // namespace
