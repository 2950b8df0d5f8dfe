#pragma once
// Spiking networks from equations, as Brian2 writes them. A Network owns its groups,
// synapses and monitors and advances them on one clock:
//
//   using namespace soma::snn;
//   Network net;                                   // dt = 0.1 ms
//   net.set_constant("tau", "10*ms");
//   auto& G = net.add_neuron_group(100, "dv/dt = (1.1 - v)/tau : 1",
//                                  {.threshold = "v > 1", .reset = "v = 0",
//                                   .refractory = "2*ms"});
//   auto& S = net.add_synapses(G, G, {.model = "w : 1", .on_pre = "v_post += w"});
//   S.connect_probability(0.1);                    // or connect({i...}, {j...}) / condition
//   S.set("w", "0.2*rand()");
//   auto& spikes = net.add_spike_monitor(G);
//   net.run(0.5);                                  // seconds; run() may be called again
//
// Each time step does what Brian2's default schedule does, in this order:
//   start      StateMonitors record the values at time t
//   groups     every group integrates its equations from t to t + dt, then the
//              synapses their clock-driven ones
//   thresholds the threshold condition picks the spiking neurons (not while refractory);
//              spike and rate monitors record them, with time t
//   synapses   spikes enter each pathway's queue; events due now run on_pre / on_post
//   resets     the reset statements run on the neurons that spiked
// (summed) variables of synapses (a model line "Igap_post = w*(v_pre - v_post) : amp
// (summed)") are computed in the groups slot, before the state updates: the target's
// parameter Igap becomes the sum of the expression over each neuron's synapses (0
// without any), so state monitors, which record at the start, see the previous step's.
// A differential variable flagged `(unless refractory)` is neither integrated nor written
// by a synapse's on_pre / on_post while its neuron is refractory (Brian2's conditional
// write); the reset and NeuronGroup::set still write it.
// Values are SI (volt, second, siemens) everywhere: v = -0.07 is -70 mV. In C++ they may be
// written with units (soma/core/units.hpp): G.set("v", -70 * mV) is -0.07, and checks that
// v is a voltage.
// Constants (Brian2's namespace) are looked up when run() starts, so changing one
// between runs takes effect in the next run.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "soma/core/std_memory.hpp"
#include "soma/core/units.hpp"
#include "soma/snn/ranks.hpp"

namespace soma::snn {

class Network;
class NeuronGroup;

// A contiguous slice of a group's neurons, as Brian2's P[:3200].
struct Subgroup {
  NeuronGroup* group = nullptr;
  int64_t start = 0, stop = 0;
  Subgroup() = default;
  Subgroup(NeuronGroup& g);  // the whole group
  Subgroup(NeuronGroup& g, int64_t start_, int64_t stop_);
  int64_t size() const { return stop - start; }
};

struct NeuronGroupOptions {
  std::string threshold = {};   // condition, e.g. "v > -50*mV"; empty: never spikes
  std::string reset = {};       // statements run on spiking neurons, e.g. "v = vl"
  std::string refractory = {};  // a duration ("5*ms"); empty: none
  // "euler", "exponential_euler", "rk2", "rk4", "exact"; empty: as Brian2 chooses
  // ("exact" for linear equations with constant coefficients, else "euler").
  std::string method = {};
  std::string name = {};  // for messages and model files; default "neurongroup_<k>"
  // Brian2's NeuronGroup(..., dt=...): the group's own clock step, a duration
  // ("0.2*ms") that is a whole multiple k of the network's dt; empty: the network's.
  // The group (state update, threshold, reset, its run_regularly without a dt, the
  // (summed) variables and PoissonInputs that write into it, and the monitors of it)
  // then works at the steps that are multiples of k, with `dt` in its equations its
  // own; pathways run on their source's clock (on_pre) and target's (on_post), delays
  // in whole steps of that clock, as Brian2 runs them.
  std::string dt = {};
};

class NeuronGroup {
 public:
  int64_t size() const { return n_; }
  const std::string& name() const { return name_; }
  // The integration method in use (after the default choice).
  const std::string& method() const;
  Subgroup operator()(int64_t start, int64_t stop) { return {*this, start, stop}; }

  // Sets a variable: one value, one value per neuron, or an expression evaluated per
  // neuron ("El + (randn()*5 - 5)*mV", may use i, N, constants and other variables).
  void set(const std::string& variable, double value);
  void set(const std::string& variable, const std::vector<double>& values);
  // A braced list, set("I", {0.7e-9, 0.5e-9, 0}): one value per neuron (without this
  // overload the list could also make a std::string, and the call would be ambiguous).
  void set(const std::string& variable, std::initializer_list<double> values) {
    set(variable, std::vector<double>(values));
  }
  void set(const std::string& variable, const std::string& expression);
  // With units: set("v", -70 * mV), set("I", {0.7 * nA, 0.5 * nA, 0 * nA}). Throws
  // soma::Error when the dimension is not the variable's declared unit.
  template <units::Dim D>
  void set(const std::string& variable, units::Quantity<D> value) {
    set_si(variable, std::vector<double>(static_cast<std::size_t>(n_), value.si()), D.exponents());
  }
  template <units::Dim D>
  void set(const std::string& variable, std::initializer_list<units::Quantity<D>> values) {
    set_si(variable, std::vector<double>(values.begin(), values.end()), D.exponents());
  }
  template <units::Dim D>
  void set(const std::string& variable, const std::vector<units::Quantity<D>>& values) {
    set_si(variable, std::vector<double>(values.begin(), values.end()), D.exponents());
  }
  // SI values whose dimension has these base-unit exponents (units::Dim's order); throws
  // soma::Error naming both units when the variable is declared with another.
  void set_si(const std::string& variable, const std::vector<double>& values,
              const std::array<int, 7>& dimension);
  const std::vector<double>& get(const std::string& variable) const;
  std::vector<std::string> variables() const;
  // Brian2's run_regularly: `code` (statements, e.g. "v = vl + stimulus(t)") runs over
  // every neuron each `dt` (a duration with units, a whole number of the network's
  // steps; empty: every step of the group's clock), at the start of the step, before
  // the state monitors record. Writes to `(unless refractory)` variables skip
  // refractory neurons.
  void run_regularly(const std::string& code, const std::string& dt = "");

  ~NeuronGroup();
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  friend class Network;
  NeuronGroup(Network& net, int64_t n, const std::string& equations,
              const NeuronGroupOptions& options, std::string name);
  std::unique_ptr<Impl> impl_;
  int64_t n_;
  std::string name_;
};

struct SynapsesOptions {
  // Synaptic variables, e.g. "w : siemens", and differential equations as Brian2 has
  // them: "dApre/dt = -Apre/taupre : 1 (event-driven)" is advanced in closed form only
  // when on_pre / on_post act on the synapse, over the time since its last event
  // (linear, uncoupled equations; the synaptic variable `lastupdate` holds that time);
  // "(clock-driven)" (or no flag) is integrated every step after the groups.
  std::string model = {};
  std::string on_pre = {};   // statements run when a presynaptic spike arrives
  std::string on_post = {};  // statements run when the postsynaptic neuron spikes
  std::string delay = {};    // presynaptic delay for every synapse ("2*ms"); empty: none
  // on_post's own delay for every synapse (Brian2's S.post.delay): a postsynaptic spike
  // acts on the synapse this much later. Empty: none.
  std::string post_delay = {};
  std::string name = {};  // default "synapses_<k>"
};

class Synapses {
 public:
  // Explicit pairs (indices relative to the source and target subgroups).
  void connect(const std::vector<int64_t>& i, const std::vector<int64_t>& j);
  // Every pair with probability p (Brian2's connect(p=...)).
  void connect_probability(double p);
  // Every pair where `condition` holds (i, j, x_pre, x_post, constants), each kept
  // with probability p.
  void connect_condition(const std::string& condition, double p = 1.0);

  int64_t size() const;
  const std::string& name() const { return name_; }
  // Source / target neuron of every synapse (subgroup-relative), in storage order.
  std::vector<int64_t> sources() const;
  std::vector<int64_t> targets() const;
  // Synaptic variables (and "delay", seconds) as for NeuronGroup::set, units included.
  void set(const std::string& variable, double value);
  void set(const std::string& variable, const std::vector<double>& values);
  void set(const std::string& variable, std::initializer_list<double> values) {
    set(variable, std::vector<double>(values));
  }
  void set(const std::string& variable, const std::string& expression);
  template <units::Dim D>
  void set(const std::string& variable, units::Quantity<D> value) {
    set_si(variable, std::vector<double>(static_cast<std::size_t>(size()), value.si()),
           D.exponents());
  }
  template <units::Dim D>
  void set(const std::string& variable, std::initializer_list<units::Quantity<D>> values) {
    set_si(variable, std::vector<double>(values.begin(), values.end()), D.exponents());
  }
  template <units::Dim D>
  void set(const std::string& variable, const std::vector<units::Quantity<D>>& values) {
    set_si(variable, std::vector<double>(values.begin(), values.end()), D.exponents());
  }
  void set_si(const std::string& variable, const std::vector<double>& values,
              const std::array<int, 7>& dimension);
  const std::vector<double>& get(const std::string& variable) const;

  ~Synapses();
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  friend class Network;
  Synapses(Network& net, Subgroup source, Subgroup target, const SynapsesOptions& options,
           std::string name);
  std::unique_ptr<Impl> impl_;
  std::string name_;
};

// Records variables of chosen neurons at every step (at the step's start, as Brian2).
class StateMonitor {
 public:
  std::vector<double> t;                                           // seconds
  std::map<std::string, std::vector<std::vector<double>>> values;  // var -> [index][step]
  std::vector<int64_t> indices;                                    // subgroup-relative
  std::vector<std::string> variables;
  Subgroup source;
  std::string name = {};
  StateMonitor(Subgroup s) : source(s) {}
};

class SpikeMonitor {
 public:
  std::vector<int64_t> i;      // neuron (subgroup-relative)
  std::vector<double> t;       // seconds
  std::vector<int64_t> count;  // spikes per neuron
  Subgroup source;
  std::string name = {};
  SpikeMonitor(Subgroup s) : source(s) {}
  int64_t num_spikes() const { return static_cast<int64_t>(i.size()); }
  // Spike times per neuron, as Brian2's spike_trains().
  std::vector<std::vector<double>> spike_trains() const;
};

class PopulationRateMonitor {
 public:
  std::vector<double> t, rate;  // seconds, Hz (spikes in the step / (N * dt))
  Subgroup source;
  std::string name = {};
  PopulationRateMonitor(Subgroup s) : source(s) {}
};

struct NetworkOptions {
  double dt = 1e-4;    // seconds
  uint64_t seed = 42;  // rand()/randn() in equations, initial values and connect
  // A group's state update and threshold run as one loop of machine code generated
  // for them (expr/jit) where the machine supports it and the equations use only
  // operations it has; otherwise, and with false or SOMA_JIT=0 in the environment,
  // by the array interpreter. Both give the same numbers, bit for bit.
  bool jit = true;
  // The ranks of an MPI job that share this network (ranks.hpp); null or one rank: all
  // of it runs here.
  std::shared_ptr<const Ranks> ranks = nullptr;
};

class Network {
 public:
  explicit Network(NetworkOptions options = {});
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Constants visible to every equation, condition and statement. The string form
  // takes units ("0.5*nS", "-50*mV", may use other constants); values are SI.
  void set_constant(const std::string& name, double value);
  void set_constant(const std::string& name, const std::string& expression);
  // With its dimension, as the string form: set_constant("tau", 10 * ms) is "10*ms".
  template <units::Dim D>
  void set_constant(const std::string& name, units::Quantity<D> value) {
    set_constant_si(name, value.si(), D.exponents());
  }
  void set_constant_si(const std::string& name, double value, const std::array<int, 7>& dimension);
  double constant(const std::string& name) const;
  // The SI value of a constant expression that must have the units of `unit` ("second"),
  // e.g. a duration "100*ms" or "2*T"; throws soma::Error naming both units.
  double evaluate(const std::string& expression, const std::string& unit) const;

  NeuronGroup& add_neuron_group(int64_t n, const std::string& equations,
                                const NeuronGroupOptions& options = {});
  Synapses& add_synapses(Subgroup source, Subgroup target, const SynapsesOptions& options = {});
  StateMonitor& add_state_monitor(Subgroup source, const std::vector<std::string>& variables,
                                  const std::vector<int64_t>& indices);
  SpikeMonitor& add_spike_monitor(Subgroup source);
  PopulationRateMonitor& add_rate_monitor(Subgroup source);

  // A TimedArray (Brian2): `values` in SI units of `unit` ("1", "amp", "Hz"), one per
  // `dt` seconds, called in any equation, condition, statement or rate as name(t).
  // The 2-D form has `rows` x `cols` values (row-major: a row per time step, a column
  // per neuron) and is called as name(t, i). Brian2's look-up: the row int(t/dt)
  // (with a margin for rounding), the first or last row before or after the table;
  // a column outside it gives NaN.
  void add_timed_array(const std::string& name, const std::vector<double>& values, double dt,
                       const std::string& unit = "1");
  void add_timed_array(const std::string& name, const std::vector<double>& values, int64_t rows,
                       int64_t cols, double dt, const std::string& unit = "1");
  // Brian2's PoissonGroup: n neurons, each spiking in a step with probability
  // rates*dt (the threshold rand() < rates*dt). `rates` is an expression in Hz
  // evaluated every step ("(1 + sin(2*pi*5*Hz*t))*10*Hz", "stimulus(t)", "r0", may
  // use i); the numeric forms make `rates` a per-neuron variable that set() changes.
  NeuronGroup& add_poisson_group(int64_t n, const std::string& rates, const std::string& name = "");
  NeuronGroup& add_poisson_group(int64_t n, const std::vector<double>& rates,
                                 const std::string& name = "");
  // Brian2's PoissonInput: every step (in the synapses slot, before the pathways)
  // each neuron of `target` gets `variable += binomial(n, rate*dt) * weight`, n
  // independent Poisson inputs at `rate` Hz; `weight` is an expression in the
  // target's context with the units of `variable` ("0.5*mV", "w0*(1 + i)"). The
  // binomial is drawn as Brian2 does: its normal approximation (not rounded) where
  // n*p > 5 and n*(1 - p) > 5, else exactly, by inversion.
  void add_poisson_input(Subgroup target, const std::string& variable, int64_t n, double rate,
                         const std::string& weight);

  // Advances by `duration` seconds (rounded to whole steps). Can be called again.
  // `progress` draws a soma::ProgressBar on a terminal.
  void run(double duration, bool progress = false);
  double t() const;  // current time, seconds
  double dt() const { return options_.dt; }
  int64_t step() const { return step_; }
  // The spike exchange between ranks so far (zeros on one rank).
  const ExchangeStats& exchange_stats() const;

  NeuronGroup* find_group(const std::string& name);
  Synapses* find_synapses(const std::string& name);

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  NetworkOptions options_;
  int64_t step_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace soma::snn
