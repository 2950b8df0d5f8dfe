// Network: the clock, the constants, and the schedule of one time step.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <new>
#include <numbers>
#include <stdexcept>
#include <string>

#include "snn/internal.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"

namespace soma::snn {

Network::Network(NetworkOptions options) : options_(options), impl_(std::make_unique<Impl>()) {
  if (!(options.dt > 0.0))
    throw Error("network: dt = " + std::to_string(options.dt) + " s (expected > 0)");
  impl_->options = options;
  impl_->dt = options.dt;
  impl_->rng.reseed(options.seed);
}

Network::~Network() = default;

std::optional<Binding> Network::Impl::resolve_common(const std::string& name) const {
  if (name == "t") return Binding{Binding::Kind::scalar, &t};
  if (name == "dt") return Binding{Binding::Kind::scalar, &dt};
  static const double pi = std::numbers::pi;  // Brian2's namespace has it, as numpy's
  if (name == "pi" && !constants.count(name)) return Binding{Binding::Kind::scalar, &pi};
  if (name.ends_with("()"))
    if (auto it = timed_arrays.find(name.substr(0, name.size() - 2)); it != timed_arrays.end())
      return Binding{.kind = Binding::Kind::table, .table = &it->second.table};
  if (auto it = constants.find(name); it != constants.end())
    return Binding{Binding::Kind::scalar, &it->second.value};
  return std::nullopt;
}

expr::Constants Network::Impl::unit_constants() const { return constants; }

void Network::set_constant(const std::string& name, double value) {
  impl_->constants[name] = expr::Quantity{value, expr::Dimension{}};
}

void Network::set_constant_si(const std::string& name, double value,
                              const std::array<int, 7>& dimension) {
  impl_->constants[name] = expr::Quantity{value, expr::Dimension::from_exponents(dimension)};
}

void Network::set_constant(const std::string& name, const std::string& expression) {
  const auto e = expr::parse_expression(expression, source_info("constant " + name));
  impl_->constants[name] = expr::evaluate_constant(e, impl_->constants, expression);
}

double Network::constant(const std::string& name) const {
  auto it = impl_->constants.find(name);
  if (it == impl_->constants.end()) throw Error("network: no constant '" + name + "'");
  return it->second.value;
}

double Network::evaluate(const std::string& expression, const std::string& unit) const {
  const auto e = expr::parse_expression(expression, source_info(expression));
  const expr::Quantity q = expr::evaluate_constant(e, impl_->constants, expression);
  const expr::Quantity want = expr::parse_unit(unit);
  if (!(q.dimension == want.dimension))
    throw Error("\"" + expression + "\" has units " + q.dimension.str() + ", expected " + unit +
                " (" + want.dimension.str() + ")");
  return q.value;
}

double Network::t() const { return static_cast<double>(step_) * options_.dt; }

NeuronGroup& Network::add_neuron_group(int64_t n, const std::string& equations,
                                       const NeuronGroupOptions& options) {
  std::string name =
      options.name.empty() ? "neurongroup_" + std::to_string(impl_->groups.size()) : options.name;
  if (find_group(name)) throw Error("network: a group named '" + name + "' exists already");
  impl_->groups.emplace_back(new NeuronGroup(*this, n, equations, options, name));
  return *impl_->groups.back();
}

Synapses& Network::add_synapses(Subgroup source, Subgroup target, const SynapsesOptions& options) {
  std::string name =
      options.name.empty() ? "synapses_" + std::to_string(impl_->synapses.size()) : options.name;
  if (find_synapses(name)) throw Error("network: synapses named '" + name + "' exist already");
  impl_->synapses.emplace_back(new Synapses(*this, source, target, options, name));
  return *impl_->synapses.back();
}

StateMonitor& Network::add_state_monitor(Subgroup source, const std::vector<std::string>& variables,
                                         const std::vector<int64_t>& indices) {
  auto m = std::make_unique<StateMonitor>(source);
  const auto& vars = source.group->impl().vars;
  for (const auto& v : variables)
    if (!vars.count(v))
      throw Error("state monitor: " + source.group->name() + " has no variable '" + v + "'");
  for (int64_t i : indices)
    if (i < 0 || i >= source.size())
      throw Error("state monitor: index " + std::to_string(i) +
                  " out of range (expected 0 <= i < " + std::to_string(source.size()) + ")");
  m->variables = variables;
  m->indices = indices;
  for (const auto& v : variables) m->values[v].resize(indices.size());
  m->name = "statemonitor_" + std::to_string(impl_->state_monitors.size());
  impl_->state_monitors.push_back(std::move(m));
  return *impl_->state_monitors.back();
}

SpikeMonitor& Network::add_spike_monitor(Subgroup source) {
  auto m = std::make_unique<SpikeMonitor>(source);
  m->count.assign(static_cast<size_t>(source.size()), 0);
  m->name = "spikemonitor_" + std::to_string(impl_->spike_monitors.size());
  impl_->spike_monitors.push_back(std::move(m));
  return *impl_->spike_monitors.back();
}

PopulationRateMonitor& Network::add_rate_monitor(Subgroup source) {
  auto m = std::make_unique<PopulationRateMonitor>(source);
  m->name = "ratemonitor_" + std::to_string(impl_->rate_monitors.size());
  impl_->rate_monitors.push_back(std::move(m));
  return *impl_->rate_monitors.back();
}

NeuronGroup* Network::find_group(const std::string& name) {
  for (auto& g : impl_->groups)
    if (g->name() == name) return g.get();
  return nullptr;
}

Synapses* Network::find_synapses(const std::string& name) {
  for (auto& s : impl_->synapses)
    if (s->name() == name) return s.get();
  return nullptr;
}

std::vector<std::vector<double>> SpikeMonitor::spike_trains() const {
  std::vector<std::vector<double>> out(static_cast<size_t>(source.size()));
  for (size_t k = 0; k < i.size(); ++k) out[static_cast<size_t>(i[k])].push_back(t[k]);
  return out;
}

namespace {

// The spikes (of `s`'s group, ascending) that fall inside `s`, as an iterator range.
std::pair<std::vector<int32_t>::const_iterator, std::vector<int32_t>::const_iterator> spikes_in(
    const Subgroup& s, const std::vector<int32_t>& spikes) {
  return {std::lower_bound(spikes.begin(), spikes.end(), static_cast<int32_t>(s.start)),
          std::lower_bound(spikes.begin(), spikes.end(), static_cast<int32_t>(s.stop))};
}

// A number as a message shows it: 1e+300, not std::to_string's 301 digits.
std::string shown(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

}  // namespace

void record_spikes(SpikeMonitor& m, const std::vector<int32_t>& spikes, double t) {
  auto [a, b] = spikes_in(m.source, spikes);
  for (auto it = a; it != b; ++it) {
    const int64_t local = *it - m.source.start;
    m.i.push_back(local);
    m.t.push_back(t);
    ++m.count[static_cast<size_t>(local)];
  }
}

void record_rate(PopulationRateMonitor& m, const std::vector<int32_t>& spikes, double t) {
  auto [a, b] = spikes_in(m.source, spikes);
  m.t.push_back(t);
  m.rate.push_back(static_cast<double>(b - a) /
                   (static_cast<double>(m.source.size()) * m.source.group->impl().dt));
}

void Network::run(double duration, bool progress) {
  if (!(duration >= 0.0))
    throw Error("network: run duration " + shown(duration) + " s (expected >= 0)");
  // Steps are counted in int64 and times are step * dt: beyond 2^53 steps neither is exact
  // (and llround's result would be undefined).
  if (!(duration / options_.dt <= 0x1p53))
    throw Error("network: run duration " + shown(duration) +
                " s is more than 2^53 steps of dt = " + shown(options_.dt) + " s (expected fewer)");
  auto& im = *impl_;
  // Several ranks share the network (ranks.hpp): split it before anything compiles
  // (the synapses' arrays shrink, and compiled code points into them).
  if (im.options.ranks && im.options.ranks->size > 1 && !im.split) im.split_between_ranks();
  // Constants are read now, so values changed since the last run take effect.
  for (auto& g : im.groups) g->impl().prepare();
  for (auto& s : im.synapses) s->impl().prepare();
  for (auto& p : im.poisson_inputs) p->prepare(im);
  im.prepare_summed();
  if (im.split) im.plan_exchange();
  const auto steps = static_cast<int64_t>(std::llround(duration / options_.dt));
  ProgressBar bar(steps, "simulating", progress);
  const int64_t chunk = std::max<int64_t>(1, steps / 100);
  // Records grow by the run: reserve what it adds, so that growing them neither
  // copies them nor faults their pages in more than once (a first-touched page
  // costs microseconds, more than a step's work on some VMs). Rate and state
  // monitors record every step; spike monitors are reserved from their count over
  // the first 1/32 of the run (an underestimate falls back to doubling).
  // A run too long to record is the user's to shorten, not an internal error.
  const auto too_long = [&] {
    return Error("network: a run of " + std::to_string(steps) +
                 " steps: the state and rate monitors' records do not fit in memory "
                 "(expected a shorter run, or fewer monitors)");
  };
  try {
    for (auto& m : im.rate_monitors) {
      m->t.reserve(m->t.size() + static_cast<size_t>(steps));
      m->rate.reserve(m->rate.size() + static_cast<size_t>(steps));
    }
    for (auto& m : im.state_monitors) {
      m->t.reserve(m->t.size() + static_cast<size_t>(steps));
      for (auto& [name, records] : m->values)
        for (auto& r : records) r.reserve(r.size() + static_cast<size_t>(steps));
    }
  } catch (const std::bad_alloc&) {
    throw too_long();
  } catch (const std::length_error&) {
    throw too_long();
  }
  // A state that turned NaN or infinite stops the run. Checked every kFiniteEvery steps
  // and at the end, not every step: a pass over the state costs a fraction of one step's
  // update, spread over 64 of them it is lost in the noise; the message gives the
  // interval in which the value went bad.
  constexpr int64_t kFiniteEvery = 64;
  double t_finite = static_cast<double>(step_) * options_.dt;
  const int64_t probe = steps / 32;
  std::vector<size_t> spikes_before, records_before;
  for (auto& m : im.spike_monitors) spikes_before.push_back(m->i.size());
  for (auto& m : im.state_monitors) records_before.push_back(m->t.size());
  for (int64_t n = 0; n < steps; ++n, ++step_) {
    if (n == probe && n > 0)
      for (size_t k = 0; k < im.spike_monitors.size(); ++k) {
        auto& m = *im.spike_monitors[k];
        const double so_far = static_cast<double>(m.i.size() - spikes_before[k]);
        // Twice the extrapolation: rates drift after the first transients, and
        // reserved pages that are never written cost nothing.
        const auto expect = static_cast<size_t>(2.0 * so_far * static_cast<double>(steps) /
                                                static_cast<double>(n)) +
                            spikes_before[k];
        m.i.reserve(expect);
        m.t.reserve(expect);
      }
    const double t = static_cast<double>(step_) * options_.dt;
    im.t = t;
    // start: run_regularly, then the state monitors see the values at time t.
    for (auto& g : im.groups) g->impl().run_regular(step_);
    for (auto& m : im.state_monitors) {
      if (!m->source.group->impl().ticks(step_)) continue;  // on its group's clock
      m->t.push_back(t);
      const auto start = static_cast<size_t>(m->source.start);
      for (const auto& v : m->variables) {
        const auto& arr = m->source.group->impl().vars[v];
        auto& rec = m->values[v];
        for (size_t k = 0; k < m->indices.size(); ++k)
          rec[k].push_back(arr[start + static_cast<size_t>(m->indices[k])]);
      }
    }
    // groups: the (summed) variables first, then the updates, each group on its clock
    if (!im.summed.empty()) im.run_summed(step_);
    for (auto& g : im.groups)
      if (g->impl().ticks(step_)) g->impl().state_update(step_);
    // clock-driven synaptic equations (on the network's clock: Synapses have no dt of
    // their own yet)
    for (auto& s : im.synapses) s->impl().clock_step();
    // thresholds, and the monitors that watch them; a group that does not step now has
    // no spikes now, so its pathways, resets and spike monitors wait for its clock.
    for (auto& g : im.groups) {
      auto& gi = g->impl();
      if (gi.ticks(step_))
        gi.find_spikes(step_);
      else
        gi.spikes.clear();
    }
    // Every rank gets every rank's spikes in time for the pathways: now where an
    // undelayed one needs them, else at the end of each window (and of the run).
    if (im.window > 0 && !im.deferred) im.exchange_spikes();
    if (im.window > 0 && im.deferred) {
      im.hold_spikes(step_);
      if (im.window_steps == im.window || n + 1 == steps) im.deliver_window(step_);
    }
    // Monitors of split groups under a deferred exchange recorded in deliver_window.
    const auto waits = [](const std::vector<int>& group_of, size_t k) {
      return k < group_of.size() && group_of[k] >= 0;
    };
    for (size_t k = 0; k < im.spike_monitors.size(); ++k) {
      auto& m = *im.spike_monitors[k];
      if (!waits(im.spike_monitor_group, k)) record_spikes(m, m.source.group->impl().spikes, t);
    }
    for (size_t k = 0; k < im.rate_monitors.size(); ++k) {
      auto& m = *im.rate_monitors[k];
      const auto& gi = m.source.group->impl();
      if (gi.ticks(step_) && !waits(im.rate_monitor_group, k)) record_rate(m, gi.spikes, t);
    }
    // synapses: PoissonInputs first (Brian2 sorts the slot's objects by name)
    for (auto& p : im.poisson_inputs)
      if (p->target.group->impl().ticks(step_)) p->apply(im.rng);
    for (auto& s : im.synapses) s->impl().propagate();
    // resets
    for (auto& g : im.groups) g->impl().run_reset();
    if ((n + 1) % kFiniteEvery == 0 || n + 1 == steps) {
      const double t_next = static_cast<double>(step_ + 1) * options_.dt;
      for (auto& g : im.groups) g->impl().check_finite(t_finite, t_next);
      t_finite = t_next;
    }
    if (bar.active() && (n + 1) % chunk == 0) bar.advance(chunk);
  }
  im.t = static_cast<double>(step_) * options_.dt;
  if (im.split) im.gather_after_run(records_before);
}

}  // namespace soma::snn
