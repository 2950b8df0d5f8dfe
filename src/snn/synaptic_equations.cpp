// Differential equations in a Synapses model, with Brian2's two meanings:
//
//   dApre/dt = -Apre/taupre : 1 (event-driven)   advanced only when a pathway acts on
//       the synapse: its closed form over the time since the synapse's last update,
//       Apre = Apre*exp(-(t - lastupdate)/taupre), then the statements, then
//       lastupdate = t. Brian2 does exactly this (SynapticPathway.update_abstract_code:
//       its `linear` state updater with dt replaced by t - lastupdate), so the traces
//       cost nothing between events and are exact for the linear equations it accepts.
//   dx/dt = ... : 1 (clock-driven), or unflagged   integrated every step like a
//       neuron group's equations (the method Brian2 would choose), after the groups.
//
// As Brian2 (Synapses.verify_dependencies), neither kind may depend on the other.
#include <numeric>

#include "snn/internal.hpp"
#include "soma/core/error.hpp"
#include "soma/expr/symbolic.hpp"

namespace soma::snn {

void Synapses::Impl::declare_dynamics() {
  for (const auto& eq : model.list) {
    if (eq.kind != expr::EquationKind::differential) continue;
    const std::string at = name + " model:" + std::to_string(eq.line) + ": \"" + eq.text + "\": ";
    for (const auto& flag : eq.flags)
      if (flag != "event-driven" && flag != "clock-driven")
        throw Error(at + "unknown flag '" + flag + "' (expected 'event-driven' or 'clock-driven')");
    const bool event = eq.has_flag("event-driven");
    if (event && eq.has_flag("clock-driven"))
      throw Error(at + "a variable is either event-driven or clock-driven (expected one flag)");
    (event ? event_driven : clock_driven).push_back(eq.name);
    vars[eq.name] = {};
  }
  if (event_driven.empty()) return;
  if (model.find("lastupdate"))
    throw Error(name +
                " model: 'lastupdate' is the time of a synapse's last event "
                "(expected another name)");
  vars["lastupdate"] = {};
}

namespace {

// Throws where the right-hand side of one kind names a variable of the other kind.
void check_independent(const expr::Equations& model, const std::vector<std::string>& of,
                       const std::string& kind, const std::vector<std::string>& others,
                       const std::string& other_kind, const std::string& where) {
  for (const auto& x : of) {
    const expr::Expr f = model.substituted_rhs(x);
    for (const auto& y : others)
      if (expr::depends_on(f, y))
        throw Error(where + ": \"" + model.find(x)->text + "\": the " + kind + " variable '" + x +
                    "' depends on the " + other_kind + " variable '" + y +
                    "' (expected the two kinds kept apart, as Brian2 requires)");
  }
}

}  // namespace

void Synapses::Impl::prepare_dynamics() {
  auto resolver = [this](const std::string& s) { return resolve(s); };
  const std::string where = name + " model";
  check_independent(model, event_driven, "event-driven", clock_driven, "clock-driven", where);
  check_independent(model, clock_driven, "clock-driven", event_driven, "event-driven", where);

  event_targets.clear();
  event_outputs.clear();
  if (!event_driven.empty()) {
    // Brian2 solves event-driven equations with its `linear` updater only: each
    // must be linear in its own variable with coefficients free of the traces and
    // of t, so that one closed form covers any interval.
    for (const auto& x : event_driven) {
      const expr::Expr f = expr::simplify(model.substituted_rhs(x));
      bool ok = expr::is_linear_in(f, x) && !expr::depends_on(f, "t");
      for (const auto& y : event_driven)
        if (y != x && expr::depends_on(f, y)) ok = false;
      if (!ok)
        throw Error(where + ": \"" + model.find(x)->text +
                    "\": event-driven equations must be linear in their own variable, "
                    "uncoupled and free of t (expected e.g. dApre/dt = -Apre/taupre : 1; "
                    "use (clock-driven) for others)");
    }
    Integration integ =
        integrate(model, "exact", event_driven, resolver, where + " (event-driven)");
    const std::map<std::string, expr::Expr> elapsed{
        {"dt", expr::symbol("t") - expr::symbol("lastupdate")}};
    for (auto& a : integ.code) a.value = expr::substitute(a.value, elapsed);
    event_update = compile_program(integ.code, resolver, where + " event-driven update");
    event_outputs = integ.outputs;
    for (const auto& x : event_driven) event_targets.push_back(vars[x].data());
  }

  clock_targets.clear();
  clock_outputs.clear();
  if (!clock_driven.empty()) {
    clock_method = choose_method(model, clock_driven, resolver);
    Integration integ = integrate(model, clock_method, clock_driven, resolver,
                                  where + " (clock-driven, " + clock_method + ")");
    clock_update = compile_program(integ.code, resolver, where + " clock-driven update");
    clock_outputs = integ.outputs;
    for (const auto& x : clock_driven) clock_targets.push_back(vars[x].data());
    ensure_pre();  // the update may read pre- and postsynaptic variables
    all_synapses.resize(count());
    std::iota(all_synapses.begin(), all_synapses.end(), 0);
  }
}

void Synapses::Impl::run_pathway(std::vector<CompiledStatement>& statements, int64_t n,
                                 const Indices& idx) {
  if (!event_targets.empty()) {
    // Every new value is computed from the old ones before any is stored (a block's
    // results are all in hand in the sink); the synapses of one pathway's events are
    // distinct, so no block reads what another wrote.
    event_update.run_blocks(0, n, {.lists = &idx, .rng = &net->rng}, [&](int64_t first, int m) {
      const int32_t* s = idx.self + first;
      for (size_t v = 0; v < event_targets.size(); ++v) {
        const Program::Value nv = event_update.result(event_outputs[v]);
        double* x = event_targets[v];
        for (int k = 0; k < m; ++k) x[s[k]] = nv[k];
      }
    });
  }
  run_statements(statements, n, idx, net->rng);
  if (!event_targets.empty()) {
    double* last = vars["lastupdate"].data();
    for (int64_t k = 0; k < n; ++k) last[idx.self[k]] = net->t;
  }
}

void Synapses::Impl::clock_step() {
  if (clock_targets.empty() || count() == 0) return;
  Indices idx{all_synapses.data(), pre.data(), post.data()};
  clock_update.run_blocks(0, static_cast<int64_t>(count()), {.lists = &idx, .rng = &net->rng},
                          [&](int64_t first, int m) {
                            for (size_t v = 0; v < clock_targets.size(); ++v) {
                              const Program::Value nv = clock_update.result(clock_outputs[v]);
                              double* x = clock_targets[v] + first;
                              for (int k = 0; k < m; ++k) x[k] = nv[k];
                            }
                          });
}

}  // namespace soma::snn
