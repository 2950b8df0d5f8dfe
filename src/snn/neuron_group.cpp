// NeuronGroup: equations integrated every step, threshold, reset, refractoriness.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

#include "snn/internal.hpp"
#include "soma/core/error.hpp"
#include "soma/core/system.hpp"

namespace soma::snn {

Subgroup::Subgroup(NeuronGroup& g) : group(&g), start(0), stop(g.size()) {}
Subgroup::Subgroup(NeuronGroup& g, int64_t start_, int64_t stop_)
    : group(&g), start(start_), stop(stop_) {
  if (start < 0 || stop > g.size() || start > stop)
    throw Error("subgroup [" + std::to_string(start) + ", " + std::to_string(stop) + ") of " +
                g.name() + ": expected 0 <= start <= stop <= " + std::to_string(g.size()));
}

NeuronGroup::NeuronGroup(Network& net, int64_t n, const std::string& equations,
                         const NeuronGroupOptions& options, std::string name)
    : impl_(std::make_unique<Impl>()), n_(n), name_(std::move(name)) {
  // Spike and synapse indices are 32-bit; the state must also fit in memory (one double
  // per neuron and variable, counted before any is allocated).
  constexpr int64_t kMaxNeurons = std::numeric_limits<int32_t>::max();
  if (n <= 0 || n > kMaxNeurons)
    throw Error(name_ + ": expected a positive number of neurons of at most " +
                std::to_string(kMaxNeurons) + ", got " + std::to_string(n));
  auto& im = *impl_;
  im.net = &net.impl();
  im.name = name_;
  im.n = n;
  im.hi = n;
  im.n_value = static_cast<double>(n);
  im.options = options;
  im.eqs = expr::parse_equations(equations, model_options(name_ + " equations"));
  // Each equation's array, plus lastspike and the refractory flags.
  check_fits_in_memory(static_cast<long double>(n) *
                           static_cast<long double>(im.eqs.list.size() + 3) * sizeof(double),
                       name_ + ": " + std::to_string(n) + " neurons");
  for (const auto& eq : im.eqs.list) {
    if (eq.kind == expr::EquationKind::differential || eq.kind == expr::EquationKind::parameter)
      im.vars[eq.name].assign(static_cast<size_t>(n), 0.0);
    for (const auto& flag : eq.flags)
      if (flag != "unless refractory" && flag != "constant")
        throw Error(name_ + " equations:" + std::to_string(eq.line) + ": unknown flag '" + flag +
                    "' (expected 'unless refractory' or 'constant')");
  }
  if (!options.refractory.empty()) {
    const auto q = expr::evaluate_constant(
        expr::parse_expression(options.refractory, source_info(name_ + " refractory")),
        im.net->unit_constants(), options.refractory);
    if (!(q.dimension == expr::dim::second()))
      throw Error(name_ + " refractory: expected a time such as 5*ms, got units of " +
                  q.dimension.str());
    if (!(q.value >= 0 && q.value < 1e9))
      throw Error(name_ + " refractory: \"" + options.refractory + "\" is " +
                  std::to_string(q.value) + " s (expected a finite, non-negative time)");
    im.refractory = q.value;
    im.vars["lastspike"].assign(static_cast<size_t>(n), -1e4);  // Brian2's initial value
    im.lastspike_step.assign(static_cast<size_t>(n), kNeverSpiked);
    im.vars["not_refractory"].assign(static_cast<size_t>(n), 1.0);
  }
  im.dt = im.net->dt;
  if (!options.dt.empty()) {
    // A clock of its own: a whole number of the network's steps (one schedule runs all
    // groups, and a group steps where the network's step is a multiple of its ratio).
    const auto q =
        expr::evaluate_constant(expr::parse_expression(options.dt, source_info(name_ + " dt")),
                                im.net->unit_constants(), options.dt);
    if (!(q.dimension == expr::dim::second()))
      throw Error(name_ + " dt: \"" + options.dt + "\" has units " + q.dimension.str() +
                  ", expected a time such as 0.2*ms");
    const double ratio = q.value / im.net->dt;
    if (!(ratio >= 0.5 && ratio < 0x1p31) || std::fabs(ratio - std::round(ratio)) > 1e-6 * ratio)
      throw Error(name_ + " dt: \"" + options.dt + "\" (" + std::to_string(q.value) +
                  " s) is not a whole multiple of the network's dt (" + std::to_string(im.net->dt) +
                  " s)");
    im.every = static_cast<int64_t>(std::llround(ratio));
    // Equal to the network's: the very same value, so that nothing changes.
    if (im.every > 1) im.dt = q.value;
  }
  static const char* methods[] = {"", "euler", "exponential_euler", "rk2", "rk4", "exact"};
  bool known = false;
  for (const char* m : methods) known = known || options.method == m;
  if (!known)
    throw Error(name_ + ": unknown method '" + options.method +
                "' (expected euler, exponential_euler, rk2, rk4 or exact)");
  // Equations compile when a run starts (as in Brian2): constants may be set after this.
}

NeuronGroup::~NeuronGroup() = default;

const std::string& NeuronGroup::method() const {
  if (impl_->method.empty()) impl_->prepare();  // chosen when equations compile
  return impl_->method;
}

std::optional<Binding> NeuronGroup::Impl::resolve(const std::string& s) const {
  if (auto it = vars.find(s); it != vars.end())
    return Binding{Binding::Kind::array, nullptr, it->second.data(), IndexRole::self};
  if (s == "i") return Binding{Binding::Kind::index, nullptr, nullptr, IndexRole::self};
  if (s == "N") return Binding{Binding::Kind::scalar, &n_value};
  if (s == "dt" && every > 1) return Binding{Binding::Kind::scalar, &dt};  // its own clock's
  return net->resolve_common(s);
}

expr::SymbolUnits NeuronGroup::Impl::units() const {
  expr::SymbolUnits extra{{"i", expr::dim::one()}, {"N", expr::dim::one()}};
  if (refractory >= 0) {
    extra["lastspike"] = expr::dim::second();
    extra["not_refractory"] = expr::dim::one();
  }
  net->add_table_units(extra);
  return extra;
}

const double* NeuronGroup::Impl::conditional_write(const std::string& variable) const {
  if (refractory < 0) return nullptr;
  const expr::Equation* eq = eqs.find(variable);
  if (!eq || eq->kind != expr::EquationKind::differential || !eq->has_flag("unless refractory"))
    return nullptr;
  return vars.at("not_refractory").data();
}

void NeuronGroup::Impl::prepare() {
  const std::string where = name;
  auto resolver = [this](const std::string& s) { return resolve(s); };
  const auto constants = net->unit_constants();
  expr::check_units(eqs, constants, units());
  const auto all_units = expr::model_units(eqs, constants, units());

  const auto state = eqs.differential_names();
  method = options.method.empty() ? choose_method(eqs, state, resolver) : options.method;
  Integration integ = integrate(eqs, method, state, resolver, where + " (" + method + ")");
  update = compile_program(integ.code, resolver, where + " state update");
  update_targets.clear();
  update_names.clear();
  update_frozen.clear();
  for (const auto& x : state) {
    update_targets.push_back(vars[x].data());
    update_names.push_back(x);
    update_frozen.push_back(eqs.find(x)->has_flag("unless refractory"));
  }
  // Only the new values are outputs of interest; Program keeps every assignment's
  // result, so remember where they are.
  update_outputs = integ.outputs;
  // Variables not frozen during refractoriness take their new values in place (one
  // pass fewer per variable); the others are blended in by state_update.
  for (size_t v = 0; v < state.size(); ++v)
    if (!(update_frozen[v] && refractory >= 0))
      update.write_to(update_outputs[v], update_targets[v]);

  if (!options.threshold.empty()) {
    const auto cond = expr::parse_expression(options.threshold, source_info(where + " threshold"));
    expr::check_condition(eqs.substituted(cond), all_units, options.threshold);
    threshold = compile_program({{"_cond", eqs.substituted(cond)}}, resolver, where + " threshold");
  }
  reset.clear();
  if (!options.reset.empty()) {
    auto statements = expr::parse_statements(options.reset, source_info(where + " reset"));
    for (auto& s : statements) s.value = eqs.substituted(s.value);
    expr::check_statements(statements, all_units, where + " reset");
    reset = compile_statements(
        statements, resolver,
        [&](const expr::Statement& s) {
          auto it = vars.find(s.target);
          if (it == vars.end())
            throw Error(where + " reset: \"" + s.text + "\": cannot assign to '" + s.target +
                        "' (expected a state variable or parameter of " + name + ")");
          return TargetRef{it->second.data(), IndexRole::self};
        },
        where + " reset");
  }
  prepare_regular();
  // Brian2 counts the period in steps of the group's clock; here in network steps.
  refractory_steps = 0;
  if (refractory >= 0) {
    // Checked before the conversion: a period beyond 2^52 steps has no integer (UB).
    const double steps = std::floor(refractory / dt + 1e-3) * static_cast<double>(every);
    if (!(steps < 0x1p52))
      throw Error(name + " refractory: " + std::to_string(refractory) +
                  " s is more than 2^52 steps of dt = " + std::to_string(dt) +
                  " s (expected a shorter period)");
    refractory_steps = static_cast<int64_t>(steps);
  }
  compile_step_kernel();
}

void NeuronGroup::Impl::state_update(int64_t step) {
  if (step_kernel) return run_step_kernel(step);  // the same, in one pass
  double* not_ref = nullptr;
  if (refractory >= 0) {
    // Brian2: not_refractory = timestep(t - lastspike, dt) >= timestep(refractory, dt).
    // Spike times are whole steps, so this is a comparison of step counts.
    not_ref = vars["not_refractory"].data();
    const double* last = lastspike_step.data();
    const auto now = static_cast<double>(step);
    const auto ref = static_cast<double>(refractory_steps);
    for (int64_t k = lo; k < hi; ++k) not_ref[k] = (now - last[k]) >= ref ? 1.0 : 0.0;
  }
  if (update_targets.empty()) return;
  update.run_blocks(lo, hi, {.rng = &net->rng}, [&](int64_t first, int count) {
    for (size_t v = 0; v < update_targets.size(); ++v) {
      const Program::Value nv = update.result(update_outputs[v]);
      double* x = update_targets[v] + first;
      if (nv.ptr == x) continue;  // written in place (write_to)
      if (update_frozen[v] && not_ref) {
        const double* nr = not_ref + first;
        for (int k = 0; k < count; ++k) x[k] = nr[k] != 0.0 ? nv[k] : x[k];
      } else {
        for (int k = 0; k < count; ++k) x[k] = nv[k];
      }
    }
  });
}

void NeuronGroup::Impl::find_spikes(int64_t step) {
  spikes.clear();
  if (options.threshold.empty()) return;
  const double* not_ref = refractory >= 0 ? vars["not_refractory"].data() : nullptr;
  if (!collect_kernel_spikes())
    threshold.run_blocks(lo, hi, {.rng = &net->rng}, [&](int64_t first, int count) {
      const Program::Value c = threshold.result(0);
      const double* nr = not_ref ? not_ref + first : nullptr;
      auto add = [&](int k) {
        if (c[k] != 0.0 && (!nr || nr[k] != 0.0)) spikes.push_back(static_cast<int32_t>(first + k));
      };
      if (!c.ptr) {
        for (int k = 0; k < count; ++k) add(k);
        return;
      }
      // A few neurons spike per step: test eight at a time with one vectorised
      // comparison, and look at single elements only where one of eight is set.
      // The test ORs the bit patterns (integer work the compiler vectorises; a -0.0
      // only costs the closer look).
      int k = 0;
      for (; k + 8 <= count; k += 8) {
        uint64_t any = 0;
        for (int q = 0; q < 8; ++q) any |= std::bit_cast<uint64_t>(c.ptr[k + q]);
        if (any)
          for (int q = 0; q < 8; ++q) add(k + q);
      }
      for (; k < count; ++k) add(k);
    });
  if (refractory >= 0) {
    double* last = vars["lastspike"].data();
    double* nr = vars["not_refractory"].data();
    const double t = static_cast<double>(step) * net->dt;
    for (int32_t s : spikes) {
      last[s] = t;
      lastspike_step[static_cast<size_t>(s)] = static_cast<double>(step);
      nr[s] = 0.0;
    }
  }
}

void NeuronGroup::Impl::run_reset() {
  if (spikes.empty() || reset.empty()) return;
  // After an exchange between ranks `spikes` may hold every rank's: reset this rank's.
  const int32_t* begin = spikes.data();
  const int32_t* end = begin + spikes.size();
  const int32_t* a = std::lower_bound(begin, end, static_cast<int32_t>(lo));
  const int32_t* b = std::lower_bound(a, end, static_cast<int32_t>(hi));
  if (a == b) return;
  Indices idx{a, a, a};
  run_statements(reset, b - a, idx, net->rng);
}

namespace {
// lastspike is kept in seconds for equations and in steps for the refractory test.
void sync_lastspike(NeuronGroup::Impl& im, const std::string& variable) {
  if (variable != "lastspike" || im.refractory < 0) return;
  const auto& last = im.vars["lastspike"];
  for (size_t k = 0; k < last.size(); ++k)
    im.lastspike_step[k] =
        last[k] <= -1e3 ? kNeverSpiked : static_cast<double>(std::llround(last[k] / im.net->dt));
}
}  // namespace

void NeuronGroup::set(const std::string& variable, double value) {
  set(variable, std::vector<double>(static_cast<size_t>(n_), value));
}

void NeuronGroup::set(const std::string& variable, const std::vector<double>& values) {
  auto it = impl_->vars.find(variable);
  if (it == impl_->vars.end()) throw Error(name_ + ": no variable '" + variable + "' to set");
  if (values.size() != it->second.size())
    throw Error(name_ + ": setting '" + variable + "' expected " +
                std::to_string(it->second.size()) + " values, got " +
                std::to_string(values.size()));
  std::copy(values.begin(), values.end(), it->second.begin());
  sync_lastspike(*impl_, variable);
}

void NeuronGroup::set_si(const std::string& variable, const std::vector<double>& values,
                         const std::array<int, 7>& dimension) {
  auto& im = *impl_;
  if (!im.vars.count(variable)) throw Error(name_ + ": no variable '" + variable + "' to set");
  const expr::Dimension given = expr::Dimension::from_exponents(dimension);
  // Declared in the equations, or one of the group's own (lastspike: second, i: 1).
  expr::Dimension declared;
  if (const expr::Equation* eq = im.eqs.find(variable))
    declared = eq->unit;
  else if (const auto extra = im.units(); extra.count(variable))
    declared = extra.at(variable);
  if (given != declared)
    throw Error(name_ + ": setting '" + variable + "', declared in " + declared.str() +
                ", to a value in " + given.str());
  set(variable, values);
}

void NeuronGroup::set(const std::string& variable, const std::string& expression) {
  if (!impl_->vars.count(variable)) throw Error(name_ + ": no variable '" + variable + "' to set");
  auto& im = *impl_;
  const std::string where = name_ + "." + variable;
  const expr::Expr value = parse_value(
      variable, expression, expr::model_units(im.eqs, im.net->unit_constants(), im.units()), where);
  // Neuron k's draws come from its own counter-based stream (word a = k): the same
  // whatever the number of ranks, and the steps' sequence (net->rng) is left alone.
  std::vector<int32_t> index(static_cast<size_t>(n_));
  std::iota(index.begin(), index.end(), 0);
  const ElementStreams streams{.key = im.net->next_stream(), .a = index.data()};
  const auto values = evaluate_per_element(
      value, n_, [&](const std::string& s) { return im.resolve(s); }, streams, where);
  std::copy(values.begin(), values.end(), im.vars[variable].begin());
  sync_lastspike(im, variable);
}

const std::vector<double>& NeuronGroup::get(const std::string& variable) const {
  auto it = impl_->vars.find(variable);
  if (it == impl_->vars.end()) throw Error(name_ + ": no variable '" + variable + "'");
  return it->second;
}

std::vector<std::string> NeuronGroup::variables() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : impl_->vars) out.push_back(k);
  return out;
}

}  // namespace soma::snn
