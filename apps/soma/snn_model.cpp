// The `soma snn run` model file: parsed, built, and its runs applied (snn_model.hpp).
#include "snn_model.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <regex>

#include "soma/core/error.hpp"

namespace {

using namespace soma::snn;

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

// A monitor's `file`, which is written under -o/--output: a model file (perhaps someone
// else's) must not write elsewhere, so a path that is absolute or climbs out with ".."
// is refused; only the command line chooses where outputs go.
std::string output_file(const std::string& name, const toml::table& monitor,
                        const std::string& file) {
  const toml::node* node = monitor.get("file");
  auto refuse = [&](const std::string& why) -> std::string {
    throw soma::Error((node ? where(file, *node) : where(file, monitor)) + ": monitor file '" +
                      name + "' " + why);
  };
  const std::filesystem::path path(name);
  if (name.empty() || path.has_root_path())
    return refuse(
        "is not a relative path (expected a file name inside the output directory, -o/--output)");
  const std::filesystem::path normal = path.lexically_normal();
  if (*normal.begin() == "..")
    return refuse("leaves the output directory (expected a file name inside -o/--output)");
  if (!normal.has_filename() || normal.filename() == ".")
    return refuse("names a directory (expected a file name inside -o/--output)");
  return normal.string();
}

// [[timed_array]]: name, dt, values (a list: name(t); a list of equal rows: name(t, i)),
// unit (of the values, default "1").
void add_timed_array(Network& net, const toml::table& t, const toml::node& node,
                     const std::string& file) {
  const std::string name = str(t, "name", file, true);
  const toml::node* dt_node = t.get("dt");
  if (!dt_node) throw soma::Error(where(file, node) + ": timed_array '" + name + "' needs a dt");
  const double dt = quantity(net, *dt_node, file, "dt", "second");
  const auto* arr = t["values"].as_array();
  if (!arr || arr->empty())
    throw soma::Error(where(file, node) + ": timed_array '" + name +
                      "' needs values = [numbers] or [[numbers], ...]");
  std::vector<double> values;
  int64_t cols = -1;
  for (const auto& row : *arr) {
    if (const auto* r = row.as_array()) {
      if (cols == 0 || (cols > 0 && static_cast<int64_t>(r->size()) != cols) || r->empty())
        throw soma::Error(where(file, row) + ": timed_array '" + name +
                          "': rows must be non-empty lists of equal length");
      cols = static_cast<int64_t>(r->size());
      for (const auto& e : *r) {
        auto x = e.value<double>();
        if (!x) throw soma::Error(where(file, e) + ": expected a number in '" + name + "'");
        values.push_back(*x);
      }
    } else {
      auto x = row.value<double>();
      if (!x || cols > 0)
        throw soma::Error(where(file, row) + ": expected " + (cols > 0 ? "a row" : "a number") +
                          " in '" + name + "'");
      cols = 0;
      values.push_back(*x);
    }
  }
  const std::string unit = str(t, "unit", file, false, "1");
  located(file, node, [&] {
    if (cols == 0)
      net.add_timed_array(name, values, dt, unit);
    else
      net.add_timed_array(name, values, static_cast<int64_t>(arr->size()), cols, dt, unit);
  });
}

// [[poisson_group]]: name, N, rates (an expression in Hz, a number in Hz or one per neuron).
void add_poisson_group(Network& net, const toml::table& t, const toml::node& node,
                       const std::string& file) {
  auto n = t["N"].value<int64_t>();
  if (!n) throw soma::Error(where(file, node) + ": poisson_group needs an integer N");
  const std::string name = str(t, "name", file, true);
  const toml::node* rates = t.get("rates");
  if (!rates) throw soma::Error(where(file, node) + ": poisson_group '" + name + "' needs rates");
  located(file, *rates, [&]() -> NeuronGroup& {
    if (auto s = rates->value<std::string>()) return net.add_poisson_group(*n, *s, name);
    std::vector<double> values;
    if (auto d = rates->value<double>()) {
      values = {*d};
    } else if (const auto* arr = rates->as_array()) {
      for (const auto& e : *arr) {
        auto x = e.value<double>();
        if (!x) throw soma::Error(where(file, e) + ": expected a rate in Hz");
        values.push_back(*x);
      }
    } else {
      throw soma::Error("rates must be an expression, a number (Hz) or a list of numbers");
    }
    return net.add_poisson_group(*n, values, name);
  });
}

// [[poisson_input]]: target, variable, N, rate (Hz), weight (an expression).
void add_poisson_input(Network& net, const toml::table& t, const toml::node& node,
                       const std::string& file) {
  auto n = t["N"].value<int64_t>();
  if (!n) throw soma::Error(where(file, node) + ": poisson_input needs an integer N");
  const toml::node* rate = t.get("rate");
  if (!rate) throw soma::Error(where(file, node) + ": poisson_input needs a rate");
  const double hz = quantity(net, *rate, file, "rate", "Hz");
  const Subgroup target = subgroup(net, str(t, "target", file, true), file, node);
  located(file, node, [&] {
    net.add_poisson_input(target, str(t, "variable", file, true), *n, hz,
                          str(t, "weight", file, true));
  });
}

}  // namespace

namespace soma::cli {

SnnModel load_snn_model(std::string_view text, const std::string& file,
                        std::shared_ptr<const snn::Ranks> ranks) {
  SnnModel model;
  model.file = file;
  toml::table& root = model.root;
  try {
    root = toml::parse(text, file);
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
  model.net = located(file, dt_node ? *dt_node : root, [&] {
    return std::make_unique<Network>(NetworkOptions{.dt = dt, .seed = seed, .ranks = ranks});
  });
  Network& net = *model.net;
  if (const auto* c = root["constants"].as_table())
    // Not a structured binding: clang 14 (make fuzz) cannot capture one in a lambda.
    for (const auto& entry : in_file_order(*c))
      located(file, *entry.second, [&] { set_constant(net, entry.first, *entry.second, file); });

  if (const auto* arrays = tables(root, "timed_array", file))
    for (const auto& node : *arrays) add_timed_array(net, *node.as_table(), node, file);
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
                                     .name = str(t, "name", file, true),
                                     .dt = str(t, "dt", file, false)});
      });
      if (const auto* init = t["init"].as_table())
        located(file, *init, [&] { set_values(g, *init, file); });
      if (const auto* regular = t.get("run_regularly")) {
        const auto* list = regular->as_array();
        if (!list || !list->is_array_of_tables())
          throw soma::Error(where(file, *regular) +
                            ": run_regularly must be a list of { code = \"...\", dt = \"...\" }");
        for (const auto& op : *list)
          located(file, op, [&] {
            const auto& r = *op.as_table();
            g.run_regularly(str(r, "code", file, true), str(r, "dt", file, false));
          });
      }
    }
  if (const auto* groups = tables(root, "poisson_group", file))
    for (const auto& node : *groups) add_poisson_group(net, *node.as_table(), node, file);
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
                                 .post_delay = str(t, "post_delay", file, false),
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
  if (const auto* inputs = tables(root, "poisson_input", file))
    for (const auto& node : *inputs) add_poisson_input(net, *node.as_table(), node, file);
  if (const auto* mons = tables(root, "monitor", file))
    for (const auto& node : *mons)
      located(file, node, [&] {
        const auto& t = *node.as_table();
        const std::string type = str(t, "type", file, true), src = str(t, "source", file, true);
        const Subgroup sg = subgroup(net, src, file, node);
        std::string stem;
        for (char ch : src) stem += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
        const std::string out =
            output_file(str(t, "file", file, false, type + "_" + stem + ".csv"), t, file);
        if (type == "spike") {
          model.outputs.push_back({out, type, &net.add_spike_monitor(sg)});
        } else if (type == "rate") {
          model.outputs.push_back({out, type, &net.add_rate_monitor(sg)});
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
          model.outputs.push_back({out, type, &net.add_state_monitor(sg, vars, idx)});
        } else {
          throw soma::Error(where(file, node) + ": monitor type '" + type +
                            "' (expected spike, state or rate)");
        }
      });
  const auto* runs = tables(root, "run", file);
  if (!runs || runs->empty()) throw soma::Error(file + ": no [[run]] with a duration");
  model.runs = runs->size();
  return model;
}

double prepare_snn_run(SnnModel& model, size_t k) {
  const std::string& file = model.file;
  Network& net = *model.net;
  const auto& node = (*tables(model.root, "run", file))[k];
  const auto& t = *node.as_table();
  if (const auto* c = t["constants"].as_table())
    // Not a structured binding: clang 14 (make fuzz) cannot capture one in a lambda.
    for (const auto& entry : in_file_order(*c))
      located(file, *entry.second, [&] { set_constant(net, entry.first, *entry.second, file); });
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
  return quantity(net, *d, file, "duration", "second");
}

void run_snn(SnnModel& model, size_t k, double duration, bool progress) {
  const auto& node = (*tables(model.root, "run", model.file))[k];
  // The equations, thresholds and statements compile here (as in Brian2): their errors
  // name the expression, and this gives the run that needed them.
  located(model.file, node, [&] { model.net->run(duration, progress); });
}

}  // namespace soma::cli
