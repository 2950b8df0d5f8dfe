// The tutorial networks; constants as documented in soma/snn/models.hpp and as used
// by tests/reference/snn_3.py and tests/reference/snn_coba.py.
#include "soma/snn/models.hpp"

#include <cstdio>
#include <ctime>

#include "soma/core/system.hpp"
#include "soma/snn/network.hpp"

namespace soma::snn::models {

std::vector<std::vector<double>> three_neurons(InhibitionTerm term, VoltageTraces* traces) {
  using units::ms, units::nA;
  Network net({.dt = 0.1 * ms});
  for (auto [name, value] : {std::pair{"c", "100*pF"},
                             {"gl", "5*nS"},
                             {"vl", "-70*mV"},
                             {"ve", "0*mV"},
                             {"vi", "-80*mV"},
                             {"ge_tau", "20*ms"},
                             {"gi_tau", "100*ms"},
                             {"w_ge", "1.0*nS"},
                             {"w_gi", "0*nS"}})
    net.set_constant(name, value);
  const std::string inhibition = term == InhibitionTerm::written ? "gi*(ve - vi)" : "gi*(v - vi)";
  auto& g = net.add_neuron_group(
      3,
      "dv/dt = -(gl*(v - vl) + ge*(v - ve) + " + inhibition +
          " - I)/c : volt\n"
          "dge/dt = -ge/ge_tau : siemens\n"
          "dgi/dt = -gi/gi_tau : siemens\n"
          "I : amp\n",
      {.threshold = "v > -40*mV", .reset = "v = vl", .method = "euler", .name = "G"});
  g.set("v", "vl");
  g.set("I", {0.7 * nA, 0.5 * nA, 0 * nA});  // checked against "I : amp"
  auto& se = net.add_synapses(g, g, {.on_pre = "ge_post += w_ge", .name = "Se"});
  se.connect({0}, {2});
  auto& si = net.add_synapses(g, g, {.on_pre = "gi_post += w_gi", .name = "Si"});
  si.connect({1}, {2});
  auto& spikes = net.add_spike_monitor(g);
  StateMonitor* state = traces ? &net.add_state_monitor(g, {"v"}, {0, 1, 2}) : nullptr;
  net.run(100 * ms);
  net.set_constant("w_gi", 0.5 * units::nS);
  net.run(100 * ms);
  if (state) {
    traces->t_ms.clear();
    traces->v_mv.clear();
    for (double t : state->t) traces->t_ms.push_back(t * 1e3);
    for (const auto& v : state->values.at("v")) {
      traces->v_mv.emplace_back();
      for (double x : v) traces->v_mv.back().push_back(x * 1e3);
    }
  }
  auto trains = spikes.spike_trains();
  for (auto& train : trains)
    for (auto& t : train) t *= 1e3;
  return trains;
}

CobaResult coba(const CobaOptions& o) {
  Stopwatch setup;
  Network net({.dt = 0.1 * units::ms, .seed = o.seed, .ranks = o.ranks});
  for (auto [name, value] : {std::pair{"taum", "20*ms"},
                             {"taue", "5*ms"},
                             {"taui", "10*ms"},
                             {"Vt", "-50*mV"},
                             {"Vr", "-60*mV"},
                             {"El", "-60*mV"},
                             {"Ee", "0*mV"},
                             {"Ei", "-80*mV"}})
    net.set_constant(name, value);
  auto& p = net.add_neuron_group(o.neurons,
                                 "dv/dt = (ge*(Ee-v) + gi*(Ei-v) - (v-El))/taum : volt "
                                 "(unless refractory)\n"
                                 "dge/dt = -ge/taue : 1\n"
                                 "dgi/dt = -gi/taui : 1\n",
                                 {.threshold = "v > Vt",
                                  .reset = "v = Vr",
                                  .refractory = "5*ms",
                                  .method = "exponential_euler",
                                  .name = "P"});
  const int64_t ne = o.neurons * 4 / 5;
  Subgroup pe = p(0, ne), pi = p(ne, o.neurons);
  char delay[48];
  std::snprintf(delay, sizeof delay, "%.17g*second", o.delay);
  auto& ce = net.add_synapses(pe, p, {.on_pre = "ge += 0.6", .delay = delay, .name = "Ce"});
  auto& ci = net.add_synapses(pi, p, {.on_pre = "gi += 6.7", .delay = delay, .name = "Ci"});
  ce.connect_probability(0.02);
  ci.connect_probability(0.02);
  p.set("v", "El + (randn()*5 - 5)*mV");
  p.set("ge", "4 + 1.5*randn()");
  p.set("gi", "20 + 12*randn()");
  auto& me = net.add_spike_monitor(pe);
  auto& mi = net.add_spike_monitor(pi);
  // Monitors draw no random numbers, so recording leaves the run unchanged.
  SpikeMonitor* all = o.record_spikes ? &net.add_spike_monitor(p) : nullptr;
  CobaResult r;
  r.excitatory = ne;
  // Under mpirun the first run splits the network between the ranks (each compacts the
  // synapses it keeps: a third of a second for COBA-40k's 32 M); a run of no steps does
  // it here, so that it counts as setup and sim_seconds is the steps alone, as on one rank.
  if (o.ranks && o.ranks->size > 1) net.run(0.0);
  r.setup_seconds = setup.seconds();
  Stopwatch sim;
  const std::clock_t cpu = std::clock();
  net.run(o.duration, o.progress);
  r.sim_cpu_seconds = static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC;
  r.sim_seconds = sim.seconds();
  r.rate_exc_hz = static_cast<double>(me.num_spikes()) / static_cast<double>(ne) / o.duration;
  r.rate_inh_hz =
      static_cast<double>(mi.num_spikes()) / static_cast<double>(o.neurons - ne) / o.duration;
  r.spikes = me.num_spikes() + mi.num_spikes();
  r.synapses = ce.size() + ci.size();  // one rank's count, as it would have them all
  r.exchange = net.exchange_stats();
  if (all) {
    r.spike_i = all->i;
    r.spike_t = all->t;
  }
  return r;
}

}  // namespace soma::snn::models
