#pragma once
// The state behind the public snn classes, shared by the files of src/snn/.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "snn/compile_program.hpp"
#include "snn/huge_pages.hpp"
#include "soma/core/random.hpp"
#include "soma/expr/equations.hpp"
#include "soma/expr/parser.hpp"
#include "soma/snn/network.hpp"

namespace soma::snn {

inline expr::SourceInfo source_info(std::string source) {
  expr::SourceInfo info;
  info.source = std::move(source);
  return info;
}
inline expr::ParseOptions model_options(std::string source) {
  expr::ParseOptions options;
  options.units = expr::UnitMode::required;
  options.source = std::move(source);
  return options;
}

// Synapse index arrays (pre, post): large, so on huge pages where possible.
using IndexArray = std::vector<int32_t, HugePageAllocator<int32_t>>;

// Never spiked: far enough in the past that no refractory period covers step 0.
// Steps are kept as doubles (exact up to 2^53) so that machine-code kernels, which
// work on double arrays, can do the refractory test too.
constexpr double kNeverSpiked = -0x1p40;

// One compiled statement list (reset, on_pre, on_post): statements run in order,
// each over all listed elements before the next.
struct CompiledStatement {
  Program value;
  double* target = nullptr;
  IndexRole role = IndexRole::self;  // which index picks the target element
  expr::AssignOp op = expr::AssignOp::assign;
  // Brian2's conditional write: a variable declared `(unless refractory)` in a group
  // with a refractory period is written only where this (the group's not_refractory)
  // is nonzero. Set for on_pre / on_post; null for resets, which Brian2 exempts.
  const double* only_where = nullptr;
};

// A TimedArray and the units of its values.
struct TimedArrayEntry {
  TimedTable table;
  expr::Dimension dimension;
};

// A PoissonInput (network.hpp), compiled when a run starts.
struct PoissonInputImpl {
  Subgroup target;
  std::string variable, weight;
  int64_t n = 0;
  double rate = 0.0;
  Program weight_program;
  std::vector<int32_t> elements;  // the target's neurons, for the weight's evaluation
  double* array = nullptr;
  const double* only_where = nullptr;  // (unless refractory): see CompiledStatement
  bool normal = false;                 // the normal approximation
  double loc = 0, scale = 0, p = 0, q = 0, qn = 0, bound = 0;
  bool reverse = false;
  void prepare(Network::Impl& net);
  void apply(Rng& rng);
  double binomial(Rng& rng) const;
};

// A (summed) variable of a Synapses model (summed.cpp): "X_post = expr : unit (summed)"
// sets the target group's parameter X, over the target subgroup, to the sum of expr
// over each neuron's synapses; "X_pre" likewise over the source's outgoing synapses.
struct SummedVariable {
  Synapses::Impl* synapses = nullptr;
  std::string name;                    // as written: "Igap_post"
  NeuronGroup::Impl* group = nullptr;  // the group summed into
  std::string variable;                // its parameter: "Igap"
  int64_t start = 0, stop = 0;         // the neurons it sets (the subgroup)
  IndexRole role = IndexRole::post;    // which index of a synapse picks its neuron
  Program value;                       // compiled when a run starts
  double* out = nullptr;               // the parameter's array
  std::vector<int32_t> self;           // 0 .. synapses-1, the synapse index
  void prepare();
  void apply(Rng& rng);
};

struct Network::Impl {
  NetworkOptions options;
  // The steps' random numbers (noise, PoissonGroup, PoissonInput): one sequence, drawn
  // only by groups that every rank runs whole (ranks.hpp).
  Rng rng;
  // What building the network draws (connectivity, initial values) comes from
  // counter-based streams instead, one per random operation in the order the
  // operations are called: the same on every rank, whichever elements it draws.
  uint64_t streams_used = 0;
  PhiloxKey next_stream() { return philox_key(options.seed, streams_used++); }
  double t = 0.0, dt = 1e-4;
  std::map<std::string, expr::Quantity> constants;
  std::vector<std::unique_ptr<NeuronGroup>> groups;
  std::vector<std::unique_ptr<Synapses>> synapses;
  std::vector<std::unique_ptr<StateMonitor>> state_monitors;
  std::vector<std::unique_ptr<SpikeMonitor>> spike_monitors;
  std::vector<std::unique_ptr<PopulationRateMonitor>> rate_monitors;
  std::map<std::string, TimedArrayEntry> timed_arrays;  // nodes stay put: Programs point in
  std::vector<std::unique_ptr<PoissonInputImpl>> poisson_inputs;
  std::vector<std::unique_ptr<SummedVariable>> summed;  // rebuilt when a run starts
  // Collects and compiles the (summed) variables of every Synapses; throws soma::Error
  // where two sum into the same variable of overlapping neurons (as Brian2).
  void prepare_summed();
  // The sums whose target group steps now (in the groups slot, before the updates).
  void run_summed(int64_t step);
  // The "name()" entries through which the unit checker knows the TimedArrays.
  void add_table_units(expr::SymbolUnits& units) const;

  // Sharing the network between ranks (distributed.cpp, ranks.hpp).
  bool split = false;  // the groups are split: done when the first run starts
  std::vector<NeuronGroup::Impl*> split_groups;  // those with a share per rank
  ExchangeStats exchange;
  std::vector<int32_t> message, messages;  // the exchange's buffers
  std::vector<int> counts;
  // The exchange of this run (plan_exchange): every `window` steps (0: none, nothing is
  // split). Deferred: the split groups' spikes of each step wait in `message` until the
  // window's last step (the pathways they feed have delays of `window` steps or more);
  // not deferred: an undelayed pathway needs them at once, every step.
  int64_t window = 0;
  bool deferred = false;
  int64_t window_first = 0, window_steps = 0;       // the steps held in `message`
  std::vector<std::vector<int32_t>> window_spikes;  // [step * groups + group], every rank's
  // Per spike / rate monitor: its group's index in split_groups where deferred
  // monitors record at the exchange, else -1.
  std::vector<int> spike_monitor_group, rate_monitor_group;
  // Splits the groups and synapses between the ranks (first run on several ranks).
  void split_between_ranks();
  // When a run starts: its window (the ranks agree on it: one collective), and which
  // pathways and monitors wait for the exchange.
  void plan_exchange();
  // Not deferred: every rank gets every split group's spikes of this step.
  void exchange_spikes();
  // Sends `message`, unpacks every rank's into `into` and counts the exchange in
  // `exchange` (its time from `start` and thread CPU from `cpu` on).
  void send_message(const std::vector<std::vector<int32_t>*>& into,
                    std::chrono::steady_clock::time_point start, double cpu);
  // Deferred: this step's spikes join the window's message; at the window's last step
  // (`step`) the exchange brings every rank's, the monitors record them and the pathways
  // queue them.
  void hold_spikes(int64_t step);
  void deliver_window(int64_t step);
  // After a run: the split groups' state and the state monitors' records since
  // `records_before` (per monitor, its t.size() when the run started) on every rank.
  void gather_after_run(const std::vector<size_t>& records_before);

  // Names every expression may use besides its own variables.
  std::optional<Binding> resolve_common(const std::string& name) const;
  expr::Constants unit_constants() const;
};

struct NeuronGroup::Impl {
  Network::Impl* net = nullptr;
  std::string name;
  int64_t n = 0;
  expr::Equations eqs;
  NeuronGroupOptions options;
  std::string method;                               // resolved
  std::map<std::string, std::vector<double>> vars;  // state variables, parameters
  double refractory = -1.0;                         // seconds; < 0: none
  std::vector<double> lastspike_step;  // the step of the last spike (lastspike = step*dt)
  double n_value = 0.0;                // N as a bindable scalar
  // The group's clock (NeuronGroupOptions::dt): it steps at the network's steps that
  // are multiples of `every`, each of `dt` seconds (every * the network's dt).
  int64_t every = 1;
  double dt = 0.0;
  bool ticks(int64_t step) const { return every == 1 || step % every == 0; }
  // The neurons this rank integrates, thresholds and resets (ranks.hpp); all of them
  // on one rank and for a group every rank runs whole.
  int64_t lo = 0, hi = 0;

  // Compiled when a run starts.
  Program update;
  std::vector<double*> update_targets;
  std::vector<std::string> update_names;  // the variable of each target, for messages
  std::vector<size_t> update_outputs;     // assignment index of each new value
  std::vector<bool> update_frozen;        // "(unless refractory)"
  Program threshold;
  std::vector<CompiledStatement> reset;
  int64_t refractory_steps = 0;
  std::vector<int32_t> spikes;  // this step's, ascending

  // run_regularly (run_regularly.cpp): statements run over every neuron each `every`
  // steps, in the start slot (before the state monitors, as Brian2 sorts them).
  struct Regular {
    std::string code;
    int64_t every = 1;
    std::vector<CompiledStatement> statements;
  };
  std::vector<Regular> regular;
  std::vector<int32_t> all_neurons;
  void prepare_regular();
  void run_regular(int64_t step);

  // The refractory test, the state update and the threshold as one machine-code loop
  // (step_kernel.cpp) where this machine and the operations allow it; null: the
  // Programs above run instead.
  struct StepKernel;
  std::unique_ptr<StepKernel> step_kernel;

  std::optional<Binding> resolve(const std::string& name) const;
  expr::SymbolUnits units() const;
  // not_refractory where writes to `variable` are conditional on it (a differential
  // variable flagged `(unless refractory)` and a refractory period); else null.
  const double* conditional_write(const std::string& variable) const;
  void prepare();
  void compile_step_kernel();
  void run_step_kernel(int64_t step);
  // Appends the neurons the step kernel found spiking; false where it did not look.
  bool collect_kernel_spikes();
  // What the step kernel covers (tests): the update at all, and the threshold too.
  bool kernel_updates() const { return step_kernel != nullptr; }
  bool kernel_thresholds() const;
  void state_update(int64_t step);
  void find_spikes(int64_t step);
  void run_reset();
  // Throws soma::Error naming the variable, the neuron and the time where a state
  // variable is NaN or infinite; `t_finite` is when it was last checked finite.
  void check_finite(double t_finite, double t_now) const;
  Impl();
  ~Impl();
};

// Throws soma::Error where a Synapses model's (summed) line is malformed: not a
// subexpression, not named X_pre / X_post, X not a parameter of that group, or units
// that differ from X's (summed.cpp; called when the synapses are made).
void check_summed(const Synapses::Impl& synapses);

struct Synapses::Impl {
  Network::Impl* net = nullptr;
  std::string name;
  Subgroup source, target;
  SynapsesOptions options;
  expr::Equations model;
  // Absolute neuron indices, synapses sorted by pre. `pre` may be left empty
  // (connect_probability: at 40,000 neurons it would be 128 MB of fresh memory)
  // and is rebuilt from pre_offsets by ensure_pre() where something needs it.
  IndexArray pre, post;
  std::map<std::string, std::vector<double>> vars;  // model parameters
  // Per-synapse delays (seconds) once set; empty: every synapse has the pathway's delay.
  std::vector<double> delay;
  double default_delay = 0.0;
  std::vector<double> delay_view;     // what get("delay") shows while `delay` is empty
  std::vector<int64_t> pre_offsets;   // CSR over the source subgroup
  std::vector<int64_t> post_offsets;  // CSR over the target subgroup...
  std::vector<int32_t> by_post;       // ...listing synapse ids
  double n_pre = 0, n_post = 0, n_syn = 0;

  // Compiled when a run starts.
  std::vector<CompiledStatement> on_pre, on_post;
  std::vector<int32_t> delay_steps;  // per synapse, when delays differ
  bool homogeneous = true;
  int32_t common_delay = 0;
  std::vector<std::vector<int32_t>> queue;  // ring of due synapse ids
  int64_t queue_head = 0;                   // slot for the current step
  // on_post's pathway: one delay for every synapse, its own ring of due synapse ids.
  double default_post_delay = 0.0;
  int32_t post_delay_steps = 0;
  std::vector<std::vector<int32_t>> post_queue;
  int64_t post_head = 0;
  std::vector<int32_t> events, post_events, ev_pre, ev_post;
  // Split between ranks with delays (Network::Impl::plan_exchange): on_pre's spikes
  // come through push_spikes when the exchange brings them, not from the source's
  // spikes of the step.
  bool deferred_pre = false;
  // Queues the events of a step's spikes (every rank's) `ago` steps after that step:
  // each synapse's event lands at the step of its delay as if queued then. Needs
  // 1 <= delay - ago (plan_exchange's window).
  void push_spikes(const std::vector<int32_t>& spikes, int64_t ago);
  // Split between ranks (distributed.cpp): only the synapses whose target this rank
  // holds are kept; global_id[s] is kept synapse s's index on one rank, global_count
  // how many one rank has. Empty / -1: not split.
  std::vector<int64_t> global_id;
  int64_t global_count = -1;
  void keep_targets(int64_t lo, int64_t hi);
  // Under several ranks the random connectivity and the values that depend on nothing
  // but i, j and random draws are not made when asked for but recorded, and made when
  // the network is split, for the targets this rank holds only (build(lo, hi)): a rank
  // then never holds, nor draws, the other ranks' synapses. Anything that needs the
  // synapses before (an explicit connect, values from arrays, size()...) makes them
  // all (build_all()), and the split keeps this rank's as it always did.
  struct Pending {
    enum class Kind : uint8_t { probability, condition, expression, value } kind;
    double p = 1.0;        // probability, condition: the probability; value: the value
    std::string text;      // condition, expression
    std::string variable;  // expression, value
    PhiloxKey key{};
    expr::Expr value;  // expression: parsed and checked when it was set
  };
  std::vector<Pending> pending;
  bool defers() const;  // whether a connect or set now is recorded rather than made
  // Whether e reads only what keeps its value until the split (i, j, N_pre, N_post).
  bool reads_only_indices(const expr::Expr& e) const;
  void build(int64_t lo, int64_t hi);
  void build_all();
  // The operations themselves, for targets [lo, hi) of the target group (lo a multiple
  // of Program::kBlock, hi one or the group's end): each draws from its own stream
  // per synapse row and block of kBlock targets (probability), per pair (condition),
  // per synapse (expression), so a target's synapses do not depend on [lo, hi).
  void connect_probability(double p, const PhiloxKey& key, int64_t lo, int64_t hi);
  void connect_condition(const std::string& condition, double p, const PhiloxKey& key, int64_t lo,
                         int64_t hi);
  void set_expression(const std::string& variable, const expr::Expr& value, const PhiloxKey& key);

  // The model's differential equations (synaptic_equations.cpp), Brian2's two kinds:
  // `(event-driven)` ones are advanced in closed form from `lastupdate` to the event's
  // time just before a pathway's statements run on a synapse; `(clock-driven)` (or
  // unflagged) ones are integrated every step after the groups' update.
  std::vector<std::string> event_driven, clock_driven;
  Program event_update, clock_update;
  std::vector<size_t> event_outputs, clock_outputs;  // assignment of each new value
  std::vector<double*> event_targets, clock_targets;
  std::vector<int32_t> all_synapses;  // 0, 1, ...: the self index of the clock update
  std::string clock_method;           // resolved
  void declare_dynamics();            // the constructor: sorts the equations, adds lastupdate
  void prepare_dynamics();            // prepare(): compiles both updates
  // A pathway's statements over its events, with the event-driven update before
  // them and lastupdate = t after them, as Brian2 wraps on_pre / on_post.
  void run_pathway(std::vector<CompiledStatement>& statements, int64_t n, const Indices& idx);
  void clock_step();  // the clock-driven update, every step

  std::optional<Binding> resolve(const std::string& name) const;
  expr::SymbolUnits units() const;
  void add(IndexArray new_pre, IndexArray new_post);
  void ensure_pre();
  size_t count() const { return post.size(); }
  void rebuild_post_index();
  void prepare();
  void propagate();
  // on_pre straight from the spiking rows where no event list is needed; false: not.
  bool propagate_uniform();
};

// A spike monitor's and a rate monitor's records of one step's spikes (ascending) at t.
void record_spikes(SpikeMonitor& m, const std::vector<int32_t>& spikes, double t);
void record_rate(PopulationRateMonitor& m, const std::vector<int32_t>& spikes, double t);

// Whether code (an expression, statements, equations) calls rand() or randn() or uses
// white noise (xi, xi_*): a value that draws from the network's random stream.
bool expression_draws_random(const std::string& code);

// Compiles statements for a context; `role_of_target` maps a target name to its
// array and index role, throwing soma::Error for names that cannot be assigned.
struct TargetRef {
  double* array;
  IndexRole role;
  const double* only_where = nullptr;  // see CompiledStatement
};
std::vector<CompiledStatement> compile_statements(
    const std::vector<expr::Statement>& statements, const Resolver& resolve,
    const std::function<TargetRef(const expr::Statement&)>& target_of, const std::string& where);
// Runs compiled statements over `n` elements picked by `indices`.
void run_statements(std::vector<CompiledStatement>& statements, int64_t n, const Indices& indices,
                    Rng& rng);

// The update program of an integration method (integrators.cpp): assignments whose
// first `targets.size()` results... are the new values of `state` in order.
struct Integration {
  std::vector<Assignment> code;
  std::vector<size_t> outputs;  // assignment index of each state variable's new value
};
Integration integrate(const expr::Equations& eqs, const std::string& method,
                      const std::vector<std::string>& state, const Resolver& resolve,
                      const std::string& where);
// Brian2's default choice: "exact" where it applies, else "euler".
std::string choose_method(const expr::Equations& eqs, const std::vector<std::string>& state,
                          const Resolver& resolve);

// The expression of set("v", "...") parsed and unit-checked as the statement "v = ..."
// (Brian2 rejects G.v = '3*nS', and G.v = '0', for a volt variable); `units` holds the
// dimension of every name the expression may use, `variable` included.
expr::Expr parse_value(const std::string& variable, const std::string& expression,
                       const expr::SymbolUnits& units, const std::string& where);
// A value per element from such an expression.
std::vector<double> evaluate_per_element(const expr::Expr& value, int64_t n,
                                         const Resolver& resolve, const ElementStreams& streams,
                                         const std::string& where);

}  // namespace soma::snn
