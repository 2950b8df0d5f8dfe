#pragma once
// The networks of the tutorials, built with the public API so that the examples
// (soma example snn-3 / coba), the tests against Brian2 and the benchmarks all run
// the very same model.
#include <cstdint>
#include <vector>

#include "soma/core/std_memory.hpp"
#include "soma/snn/ranks.hpp"

namespace soma::snn::models {

// The tutorial's three conductance-based LIF neurons (Brian2 model string):
//   dv/dt = -(gl*(v - vl) + ge*(v - ve) + gi*(v - vi) - I)/c : volt
//   dge/dt = -ge/ge_tau : siemens
//   dgi/dt = -gi/gi_tau : siemens
//   I : amp
// The tutorial's constants: c = 100 pF, gl = 5 nS, vl = -70 mV, ve = 0 mV, vi = -80 mV,
// ge_tau = 20 ms, gi_tau = 100 ms; threshold v > -40 mV, reset v = vl, no refractory
// period; v starts at vl (G.v = -70 mV). I = 0.7, 0.5, 0 nA. Synapses 0 -> 2 (on_pre
// ge_post += w_ge, w_ge = 1.0 nS) and 1 -> 2 (on_pre gi_post += w_gi). 100 ms with
// w_gi = 0, then w_gi = 0.5 nS and 100 ms more, dt = 0.1 ms (Brian2's default clock;
// the tutorial leaves it), method='euler' as the tutorial names it. Brian2 gives 40, 27
// and 1 spikes, neuron 2's at 69.8 ms; the inhibition then keeps neuron 2 silent.
// The tutorial's code writes the inhibitory term as gi*(ve - vi) ("written"); its
// text describes gi*(v - vi) ("described").
enum class InhibitionTerm { written, described };
// The membrane potentials over the whole run, for figures: every step, in ms and mV.
struct VoltageTraces {
  std::vector<double> t_ms{};
  std::vector<std::vector<double>> v_mv{};  // one trace per neuron
};
// Spike times in ms, one list per neuron; fills *traces when given.
std::vector<std::vector<double>> three_neurons(InhibitionTerm term,
                                               VoltageTraces* traces = nullptr);

// The COBA benchmark of Brette et al. 2007 (Brian2's example), exactly:
//   dv/dt = (ge*(Ee-v) + gi*(Ei-v) - (v-El))/taum : volt (unless refractory)
//   dge/dt = -ge/taue : 1
//   dgi/dt = -gi/taui : 1
// taum 20 ms, taue 5 ms, taui 10 ms, Vt -50 mV, Vr = El = -60 mV, Ee 0 mV,
// Ei -80 mV, refractory 5 ms; the first 80 % of neurons excitatory (on_pre ge += 0.6),
// the rest inhibitory (gi += 6.7), each pair connected with p = 0.02; initial
// v = El + (5*randn - 5) mV, ge = 4 + 1.5*randn, gi = 20 + 12*randn;
// exponential_euler at dt = 0.1 ms.
struct CobaOptions {
  int64_t neurons = 4000;
  double duration = 1.0;  // seconds
  uint64_t seed = 42;
  bool progress = false;
  bool record_spikes = false;  // keep every spike (neuron, time) in the result
  // Seconds from a spike to its synapses' effect (Brian2's example: none). Under mpirun
  // the ranks exchange spikes once per delay (ranks.hpp), every step without one.
  double delay = 0.0;
  // Under mpirun, the job's ranks (ranks.hpp): each integrates its block of neurons and
  // keeps the synapses onto them; the spikes are those of one rank, bit for bit.
  std::shared_ptr<const Ranks> ranks = nullptr;
};
struct CobaResult {
  double rate_exc_hz = 0, rate_inh_hz = 0;  // spikes per neuron per second
  int64_t spikes = 0, synapses = 0;
  double setup_seconds = 0;    // building groups, connecting, initial values
  double sim_seconds = 0;      // the run alone (wall clock)
  double sim_cpu_seconds = 0;  // the run alone, CPU time of this process (robust on a busy machine)
  int64_t excitatory = 0;      // neurons [0, excitatory) are excitatory
  // With record_spikes: every spike in time order, neuron index and time in seconds.
  std::vector<int64_t> spike_i{};
  std::vector<double> spike_t{};
  ExchangeStats exchange{};  // the spike exchange between ranks (zeros on one rank)
};
CobaResult coba(const CobaOptions& options);

}  // namespace soma::snn::models
