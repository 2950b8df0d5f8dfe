// The machine-code step (src/snn/step_kernel.cpp) against the interpreter it
// replaces: the same network run both ways must give the same spikes and the same
// state, bit for bit (the kernel computes each operation with the interpreter's
// rounding). Where this machine cannot run generated code (or SOMA_JIT=0), both
// runs interpret and the comparisons hold trivially; the coverage checks then
// expect no kernel.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iomanip>
#include <map>
#include <string>
#include <vector>

#include "snn/internal.hpp"
#include "soma/expr/jit.hpp"
#include "soma/snn/network.hpp"

using namespace soma::snn;

namespace {

struct Outcome {
  std::vector<int64_t> i;
  std::vector<double> t;
  std::map<std::string, std::vector<double>> state;
  bool kernel_updates = false, kernel_thresholds = false;
};

// Builds a network with `make` (which returns the group to watch), runs it, and
// collects what it did.
Outcome run(bool jit, const std::function<NeuronGroup&(Network&)>& make, double duration) {
  Network net({.seed = 5, .jit = jit});
  NeuronGroup& g = make(net);
  auto& m = net.add_spike_monitor(g);
  net.run(duration);
  Outcome o{m.i, m.t, {}, g.impl().kernel_updates(), g.impl().kernel_thresholds()};
  for (const auto& v : g.variables()) o.state[v] = g.get(v);
  return o;
}

// Runs both ways; the spikes and every variable must agree exactly (== on doubles:
// bit for bit apart from the sign of zero and NaN, which do not occur here).
Outcome expect_same(const std::function<NeuronGroup&(Network&)>& make, double duration) {
  const Outcome vm = run(false, make, duration), jit = run(true, make, duration);
  EXPECT_FALSE(vm.kernel_updates);
  EXPECT_EQ(jit.i, vm.i);
  EXPECT_EQ(jit.t, vm.t);
  EXPECT_EQ(jit.state.size(), vm.state.size());
  for (const auto& [name, want] : vm.state) {
    if (!jit.state.count(name)) continue;
    const auto& got = jit.state.at(name);
    EXPECT_EQ(got.size(), want.size());
    for (size_t k = 0; k < std::min(got.size(), want.size()); ++k)
      if (got[k] != want[k]) {  // the first difference only
        ADD_FAILURE() << name << "[" << k << "]: " << std::setprecision(17) << got[k]
                      << " (kernel) vs " << want[k] << " (interpreter)";
        break;
      }
  }
  return jit;
}

}  // namespace

// COBA in small: exponential Euler, (unless refractory), threshold, reset, and both
// kinds of synaptic event (a value shared by all synapses, and a per-synapse weight
// with delays).
TEST(StepKernel, CobaLikeNetworkMatchesInterpreter) {
  const auto o = expect_same(
      [](Network& net) -> NeuronGroup& {
        for (auto [name, value] : {std::pair{"taum", "20*ms"},
                                   {"taue", "5*ms"},
                                   {"taui", "10*ms"},
                                   {"Vt", "-50*mV"},
                                   {"Vr", "-60*mV"},
                                   {"El", "-60*mV"},
                                   {"Ee", "0*mV"},
                                   {"Ei", "-80*mV"}})
          net.set_constant(name, value);
        auto& p = net.add_neuron_group(
            400,
            "dv/dt = (ge*(Ee-v) + gi*(Ei-v) - (v-El))/taum : volt (unless refractory)\n"
            "dge/dt = -ge/taue : 1\n"
            "dgi/dt = -gi/taui : 1\n",
            {.threshold = "v > Vt",
             .reset = "v = Vr",
             .refractory = "5*ms",
             .method = "exponential_euler"});
        auto& ce = net.add_synapses(p(0, 320), p, {.on_pre = "ge += 1.5"});
        auto& ci = net.add_synapses(p(320, 400), p,
                                    {.model = "w : 1", .on_pre = "gi += w", .delay = "0.5*ms"});
        ce.connect_probability(0.05);
        ci.connect_probability(0.05);
        ci.set("w", "6 + rand()");
        p.set("v", "El + (randn()*5 - 5)*mV");
        p.set("ge", "4 + 1.5*randn()");
        p.set("gi", "20 + 12*randn()");
        return p;
      },
      0.1);
  EXPECT_GT(o.i.size(), 100u);  // the comparison says something only if neurons spike
  EXPECT_EQ(o.kernel_updates, soma::expr::jit::available());
  EXPECT_EQ(o.kernel_thresholds, soma::expr::jit::available());
}

// Every function and operator the kernel supports, in rk4 (many operations per
// step), with refractoriness read by the equations and a compound threshold.
TEST(StepKernel, FunctionsAndOperatorsMatchInterpreter) {
  const auto o = expect_same(
      [](Network& net) -> NeuronGroup& {
        net.set_constant("tau", "10*ms");
        auto& g = net.add_neuron_group(
            257,  // not a multiple of the vector width: the masked tail runs too
            "dv/dt = (I - v + 0.1*sqrt(abs(w)) - clip(w, -0.5, 0.5)*sign(v - 0.3)"
            " + 0.05*exp(-v*v) - 0.01*(not_refractory == 0))/tau : 1 (unless refractory)\n"
            "dw/dt = (0.5*(v > 0.5) + 0.2*(v <= -0.1) - w + 0.1*(v >= 0.2 or w < 0.1)"
            " - 0.1*(not (w != 0.3)) + 0.05*((v < 0.9) and (w > 0.2)))/(3*tau) : 1\n"
            "I : 1\n",
            {.threshold = "v > 1 and w < 2",
             .reset = "v = 0; w += 0.1",
             .refractory = "1*ms",
             .method = "rk4"});
        g.set("I", "1 + 0.5*rand()");
        g.set("v", "rand() - 0.2");
        return g;
      },
      0.05);
  EXPECT_GT(o.i.size(), 100u);
  EXPECT_EQ(o.kernel_updates, soma::expr::jit::available());
  EXPECT_EQ(o.kernel_thresholds, soma::expr::jit::available());
}

// A threshold the kernel cannot evaluate (the index i) stays with the interpreter
// while the update runs as machine code; an update it cannot run (log) keeps the
// whole step interpreted; a group without equations still gets its threshold and
// refractory test from the kernel.
TEST(StepKernel, FallsBackPieceByPiece) {
  auto indexed = expect_same(
      [](Network& net) -> NeuronGroup& {
        net.set_constant("tau", "5*ms");
        return net.add_neuron_group(
            50, "dv/dt = (1.5 - v)/tau : 1",
            {.threshold = "v > 1 + 0.01*i", .reset = "v = 0", .refractory = "1*ms"});
      },
      0.05);
  EXPECT_GT(indexed.i.size(), 50u);
  EXPECT_EQ(indexed.kernel_updates, soma::expr::jit::available());
  EXPECT_FALSE(indexed.kernel_thresholds);

  auto logarithm = expect_same(
      [](Network& net) -> NeuronGroup& {
        net.set_constant("tau", "5*ms");
        return net.add_neuron_group(20, "dv/dt = log(3 + v)/tau : 1",
                                    {.threshold = "v > 1", .reset = "v = 0"});
      },
      0.02);
  EXPECT_GT(logarithm.i.size(), 20u);
  EXPECT_FALSE(logarithm.kernel_updates);

  auto no_equations = expect_same(
      [](Network& net) -> NeuronGroup& {
        auto& g =
            net.add_neuron_group(30, "x : 1", {.threshold = "x > 0.5", .refractory = "0.35*ms"});
        g.set("x", "rand()");
        return g;
      },
      0.005);
  // Neurons with x > 0.5 spike at steps 0, 3, ..., 48: refractory 0.35 ms is 3 whole
  // steps, and a neuron may spike again once 3 steps have passed (Brian2's rule).
  const auto& x = no_equations.state.at("x");
  const auto above = std::count_if(x.begin(), x.end(), [](double v) { return v > 0.5; });
  EXPECT_GT(above, 0);
  EXPECT_EQ(no_equations.i.size(), static_cast<size_t>(17 * above));
  EXPECT_EQ(no_equations.kernel_thresholds, soma::expr::jit::available());
}
