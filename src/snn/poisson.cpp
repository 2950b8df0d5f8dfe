// Inputs as Brian2 offers them: TimedArray, PoissonGroup and PoissonInput.
#include <cctype>
#include <cmath>

#include "snn/internal.hpp"
#include "soma/core/error.hpp"
#include "soma/expr/units.hpp"

namespace soma::snn {
namespace {

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace

void Network::Impl::add_table_units(expr::SymbolUnits& units) const {
  for (const auto& [name, entry] : timed_arrays) units[name + "()"] = entry.dimension;
}

void Network::add_timed_array(const std::string& name, const std::vector<double>& values, double dt,
                              const std::string& unit) {
  add_timed_array(name, values, static_cast<int64_t>(values.size()), 1, dt, unit);
  impl_->timed_arrays.at(name).table.two_d = false;
}

void Network::add_timed_array(const std::string& name, const std::vector<double>& values,
                              int64_t rows, int64_t cols, double dt, const std::string& unit) {
  const std::string where = "timed array '" + name + "'";
  if (!is_identifier(name))
    throw Error(where + ": the name must be an identifier (letters, digits, _)");
  if (expr::is_function(name) || impl_->timed_arrays.count(name))
    throw Error(where + ": the name is taken (a function or another timed array)");
  if (rows < 1 || cols < 1 || static_cast<uint64_t>(rows) > values.size() ||
      static_cast<uint64_t>(cols) > values.size() ||
      values.size() != static_cast<size_t>(rows) * static_cast<size_t>(cols))
    throw Error(where + ": " + std::to_string(values.size()) + " values for " +
                std::to_string(rows) + " x " + std::to_string(cols) +
                " (expected rows, cols >= 1 and rows*cols values)");
  if (!(dt > 0.0) || !std::isfinite(dt))
    throw Error(where + ": dt = " + std::to_string(dt) + " s (expected > 0)");
  const expr::Quantity q = expr::parse_unit(unit);
  std::vector<double> scaled(values);
  for (double& v : scaled) v *= q.value;
  impl_->timed_arrays.emplace(
      name, TimedArrayEntry{TimedTable(std::move(scaled), rows, cols, true, dt, options_.dt),
                            q.dimension});
}

NeuronGroup& Network::add_poisson_group(int64_t n, const std::string& rates,
                                        const std::string& name) {
  // As brian2/input/poissongroup.py: a string is a subexpression of the group.
  return add_neuron_group(n, "rates = " + rates + " : Hz",
                          {.threshold = "rand() < rates*dt", .name = name});
}

NeuronGroup& Network::add_poisson_group(int64_t n, const std::vector<double>& rates,
                                        const std::string& name) {
  if (rates.size() != 1 && rates.size() != static_cast<size_t>(std::max<int64_t>(n, 0)))
    throw Error("poisson group: " + std::to_string(rates.size()) + " rates for " +
                std::to_string(n) + " neurons (expected 1 or one per neuron)");
  auto& g = add_neuron_group(n, "rates : Hz", {.threshold = "rand() < rates*dt", .name = name});
  if (rates.size() == 1)
    g.set("rates", rates[0]);
  else
    g.set("rates", rates);
  return g;
}

void Network::add_poisson_input(Subgroup target, const std::string& variable, int64_t n,
                                double rate, const std::string& weight) {
  if (!target.group) throw Error("poisson input: no target group");
  const std::string where = "poisson input to " + target.group->name() + "." + variable;
  if (!target.group->impl().vars.count(variable) || variable == "lastspike" ||
      variable == "not_refractory")
    throw Error(where + ": " + target.group->name() + " has no variable '" + variable + "'");
  if (n < 0) throw Error(where + ": N = " + std::to_string(n) + " (expected >= 0)");
  const double p = rate * target.group->impl().dt;  // on the target's clock (Brian2)
  if (!(p >= 0.0 && p <= 1.0))
    throw Error(where + ": rate*dt = " + std::to_string(p) + " (expected 0 <= rate*dt <= 1)");
  auto in = std::make_unique<PoissonInputImpl>();
  in->target = target;
  in->variable = variable;
  in->weight = weight;
  in->n = n;
  in->rate = rate;
  in->p = p;
  const double N = static_cast<double>(n);
  // brian2/input/binomial.py, with approximate=True as PoissonInput uses it.
  in->normal = N * p > 5 && N * (1 - p) > 5;
  in->loc = N * p;
  in->scale = std::sqrt(N * p * (1 - p));
  in->reverse = p > 0.5;
  const double P = in->reverse ? 1.0 - p : p;
  in->q = 1.0 - P;
  in->p = P;
  in->qn = std::exp(N * std::log(in->q));
  in->bound = std::min(N, N * P + 10.0 * std::sqrt(N * P * in->q + 1));
  // Checks the weight now, so that a bad one is reported where it is added.
  in->prepare(*impl_);
  impl_->poisson_inputs.push_back(std::move(in));
}

void PoissonInputImpl::prepare(Network::Impl& net) {
  auto& g = target.group->impl();
  const std::string where = "poisson input to " + g.name + "." + variable + ": weight";
  const auto all_units = expr::model_units(g.eqs, net.unit_constants(), g.units());
  const expr::Expr value = parse_value(variable, weight, all_units, where);
  weight_program = compile_program(
      {{"_w", g.eqs.substituted(value)}}, [&g](const std::string& s) { return g.resolve(s); },
      where);
  array = g.vars.at(variable).data();
  only_where = g.conditional_write(variable);
  elements.clear();
  for (int64_t e = target.start; e < target.stop; ++e) elements.push_back(static_cast<int32_t>(e));
}

// numpy's rk_binomial_inversion, as brian2/input/binomial.py generates it; the normal
// approximation is returned as it is drawn (a real number, possibly negative), as Brian2.
double PoissonInputImpl::binomial(Rng& rng) const {
  if (normal) return rng.normal() * scale + loc;
  int64_t x = 0;
  double px = qn, u = rng.uniform();
  while (u > px) {
    ++x;
    if (static_cast<double>(x) > bound) {
      x = 0;
      px = qn;
      u = rng.uniform();
    } else {
      u -= px;
      px = (static_cast<double>(n - x + 1) * p * px) / (static_cast<double>(x) * q);
    }
  }
  return static_cast<double>(reverse ? n - x : x);
}

void PoissonInputImpl::apply(Rng& rng) {
  const int64_t start = target.start, count = target.size();
  if (count <= 0) return;
  const Indices indices{elements.data(), nullptr, nullptr};
  weight_program.run_blocks(0, count, {.lists = &indices, .rng = &rng},
                            [&](int64_t first, int block) {
                              const Program::Value w = weight_program.result(0);
                              for (int k = 0; k < block; ++k) {
                                const auto e = static_cast<size_t>(start + first + k);
                                const double events = binomial(rng);
                                if (only_where && only_where[e] == 0.0) continue;
                                array[e] += events * w[k];
                              }
                            });
}

}  // namespace soma::snn
