// (summed) variables and groups with their own dt. Sums are checked against the
// explicit sum of the recorded values, and a gap-junction network (Brian2's
// examples/synapses/gapjunctions.py, 100 ms) and a two-clock network against Brian2
// 2.5, from tests/reference/snn_summed_clocks.py (tests/reference/data/snn_summed_clocks.json).
#include <gtest/gtest.h>

#include "error_of.hpp"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "soma/core/error.hpp"
#include "soma/snn/network.hpp"

using namespace soma::snn;

namespace {

nlohmann::json reference(const char* part) {
  std::ifstream in(std::string(SOMA_SOURCE_DIR) + "/tests/reference/data/snn_summed_clocks.json");
  EXPECT_TRUE(in) << "tests/reference/data/snn_summed_clocks.json";
  return nlohmann::json::parse(in)[part];
}

std::vector<int64_t> steps_of(const std::vector<double>& t, double dt = 1e-4) {
  std::vector<int64_t> out;
  for (double x : t) out.push_back(std::llround(x / dt));
  return out;
}

using soma::test::error_of;

}  // namespace

TEST(Summed, GapCurrentIsTheSumOfTheStepsStartValues) {
  // Two coupled neurons and a third without synapses. A state monitor records at the
  // step's start, before the sums: Igap recorded at step k+1 is the sum from the v
  // recorded at step k, and that Igap drives the Euler step from k to k+1.
  Network net;
  net.set_constant("El", "-60*mV");
  net.set_constant("R", "100*Mohm");
  net.set_constant("tau", "10*ms");
  auto& G = net.add_neuron_group(3, "dv/dt = (El - v + R*Igap)/tau : volt\nIgap : amp",
                                 {.method = "euler"});
  G.set("v", {-0.070, -0.050, -0.065});
  G.set("Igap", {0.0, 0.0, 5e-9});  // neuron 2 has no synapse: its sum is 0
  auto& S = net.add_synapses(
      G, G, {.model = "g : siemens\nIgap_post = g*(v_pre - v_post) : amp (summed)"});
  S.connect({0, 1}, {1, 0});
  S.set("g", {1e-9, 3e-9});  // 0 -> 1, 1 -> 0
  auto& m = net.add_state_monitor(G, {"v", "Igap"}, {0, 1, 2});
  net.run(0.005);
  const auto &v0 = m.values["v"][0], &v1 = m.values["v"][1], &v2 = m.values["v"][2];
  const auto &i0 = m.values["Igap"][0], &i1 = m.values["Igap"][1], &i2 = m.values["Igap"][2];
  ASSERT_EQ(v0.size(), 50u);
  EXPECT_EQ(i2[0], 5e-9);
  for (size_t k = 0; k + 1 < v0.size(); ++k) {
    EXPECT_EQ(i0[k + 1], 3e-9 * (v1[k] - v0[k])) << k;
    EXPECT_EQ(i1[k + 1], 1e-9 * (v0[k] - v1[k])) << k;
    EXPECT_EQ(i2[k + 1], 0.0) << k;
    const double dt = 1e-4, tau = 0.01, El = -0.06, R = 1e8;
    EXPECT_NEAR(v0[k + 1], v0[k] + dt * (El - v0[k] + R * i0[k + 1]) / tau, 1e-15) << k;
    EXPECT_NEAR(v1[k + 1], v1[k] + dt * (El - v1[k] + R * i1[k + 1]) / tau, 1e-15) << k;
    EXPECT_NEAR(v2[k + 1], v2[k] + dt * (El - v2[k]) / tau, 1e-15) << k;
  }
  // The coupling pulls the two together faster than the leak alone would.
  EXPECT_LT(std::fabs(v1.back() - v0.back()), 0.02 * std::exp(-0.005 / 0.01));
}

TEST(Summed, PreSumsOverOutgoingSynapsesAndSubgroupsKeepTheirRange) {
  Network net;
  auto& A = net.add_neuron_group(3, "out : 1");
  auto& B = net.add_neuron_group(4, "total : 1\nk : 1");
  B.set("k", {1, 10, 100, 1000});
  B.set("total", 7.0);
  // Into A via _pre: each source neuron sums w over its own synapses.
  auto& S = net.add_synapses(A, B(1, 4), {.model = "w : 1\nout_pre = w*k_post : 1 (summed)"});
  S.connect({0, 0, 1}, {0, 2, 2});  // targets B[1] and B[3]
  S.set("w", {1, 2, 4});
  // Into B's neurons 0..1 only; B[2:4] keep what they hold.
  auto& T = net.add_synapses(A, B(0, 2), {.model = "total_post = 0.5 + i : 1 (summed)"});
  T.connect({0, 1, 2}, {1, 1, 1});
  net.run(1e-4);
  EXPECT_EQ(A.get("out"), (std::vector<double>{1 * 10 + 2 * 1000, 4 * 1000, 0}));
  EXPECT_EQ(B.get("total"), (std::vector<double>{0, 0.5 + 1.5 + 2.5, 7, 7}));
  // A second sum into a range that does not overlap is allowed (Brian2 too).
  auto& U = net.add_synapses(A, B(2, 4), {.model = "total_post = 1 : 1 (summed)"});
  U.connect({0}, {0});
  net.run(1e-4);
  EXPECT_EQ(B.get("total"), (std::vector<double>{0, 4.5, 1, 0}));
}

TEST(Summed, GapJunctionNetworkMatchesBrian2) {
  // Brian2's gap-junction example (10 neurons, all-to-all, w = 0.02), 100 ms.
  const auto ref = reference("gap");
  Network net;
  net.set_constant("v0", 1.05);
  net.set_constant("tau", "10*ms");
  auto& G = net.add_neuron_group(10, "dv/dt = (v0 - v + Igap) / tau : 1\nIgap : 1",
                                 {.threshold = "v > 1", .reset = "v = 0", .method = "exact"});
  G.set("v", "i * 1.0 / (10 - 1)");
  auto& S =
      net.add_synapses(G, G, {.model = "w : 1\nIgap_post = w * (v_pre - v_post) : 1 (summed)"});
  S.connect_probability(1.0);
  S.set("w", 0.02);
  auto& spikes = net.add_spike_monitor(G);
  auto& m = net.add_state_monitor(G, {"v", "Igap"}, {0, 5});
  net.run(0.1);
  EXPECT_EQ(spikes.i, ref["i"].get<std::vector<int64_t>>());
  EXPECT_EQ(steps_of(spikes.t), ref["step"].get<std::vector<int64_t>>());
  const auto v0 = ref["v0"].get<std::vector<double>>(), v5 = ref["v5"].get<std::vector<double>>();
  const auto ig = ref["igap0"].get<std::vector<double>>();
  ASSERT_EQ(m.values["v"][0].size(), 10 * v0.size());
  for (size_t k = 0; k < v0.size(); ++k) {
    // Exact integration on both sides: only the rounding of exp(-dt/tau) differs.
    EXPECT_NEAR(m.values["v"][0][10 * k], v0[k], 1e-12) << k;
    EXPECT_NEAR(m.values["v"][1][10 * k], v5[k], 1e-12) << k;
    EXPECT_NEAR(m.values["Igap"][0][10 * k], ig[k], 1e-12) << k;
  }
  EXPECT_GT(spikes.num_spikes(), 10);
}

TEST(Summed, ModelErrorsNameTheLine) {
  Network net;
  auto& G = net.add_neuron_group(2, "dv/dt = -v/(10*ms) : volt\nIgap : amp");
  auto make = [&](const std::string& model) {
    return error_of([&] { net.add_synapses(G, G, {.model = model}); });
  };
  EXPECT_NE(make("w : siemens\nIgap = w*(v_pre - v_post) : amp (summed)").find("_post or _pre"),
            std::string::npos);
  EXPECT_NE(make("Ix_post = 1*nA : amp (summed)").find("no parameter 'Ix'"), std::string::npos);
  EXPECT_NE(make("v_post = 1*mV : volt (summed)").find("no parameter 'v'"), std::string::npos);
  EXPECT_NE(make("w : 1\nIgap_post = w : 1 (summed)").find("declared in 1, but"),
            std::string::npos);
  EXPECT_NE(make("Igap_post : amp (summed)").find("only a subexpression"), std::string::npos);
  // Declared as amp, computed in volt: refused when the run compiles it.
  Network run_net;
  auto& H = run_net.add_neuron_group(2, "dv/dt = -v/(10*ms) : volt\nIgap : amp");
  run_net.add_synapses(H, H, {.model = "w : 1\nIgap_post = w*(v_pre - v_post) : amp (summed)"})
      .connect({0}, {1});
  EXPECT_THROW(run_net.run(1e-4), soma::Error);
}

TEST(Summed, TwoSumsIntoOneVariableAreRefused) {
  Network net;
  auto& G = net.add_neuron_group(4, "I : 1");
  net.add_synapses(G, G(0, 3), {.model = "I_post = 1 : 1 (summed)", .name = "first"})
      .connect({0}, {0});
  net.add_synapses(G, G(2, 4), {.model = "I_post = 2 : 1 (summed)", .name = "second"})
      .connect({0}, {0});
  const std::string e = error_of([&] { net.run(1e-4); });
  EXPECT_NE(e.find("second"), std::string::npos) << e;
  EXPECT_NE(e.find("first"), std::string::npos) << e;
  // Both ends of one self-connection into the same parameter, likewise.
  Network self;
  auto& H = self.add_neuron_group(2, "I : 1");
  self.add_synapses(H, H, {.model = "I_post = 1 : 1 (summed)\nI_pre = 1 : 1 (summed)"})
      .connect({0}, {1});
  EXPECT_THROW(self.run(1e-4), soma::Error);
}

TEST(Clocks, GroupOnTwiceTheDtMatchesBrian2) {
  // G on dt = 0.2 ms in a 0.1 ms network, H on the network's: G's pathway, its
  // run_regularly, its monitors and the sum into it all follow G's clock.
  const auto ref = reference("clocks");
  Network net;
  net.set_constant("tau", "10*ms");
  auto& G =
      net.add_neuron_group(3, "dv/dt = (I + Isyn - v)/tau : 1 (unless refractory)\nI : 1\nIsyn : 1",
                           {.threshold = "v > 1",
                            .reset = "v = 0",
                            .refractory = "1*ms",
                            .method = "euler",
                            .dt = "0.2*ms"});
  G.set("I", "1.5 + 0.5*i");
  G.run_regularly("I = I + 0.002");
  auto& H = net.add_neuron_group(2, "dv/dt = -v/(5*ms) : 1", {.method = "exact"});
  auto& S = net.add_synapses(G, H, {.on_pre = "v_post += 0.3", .delay = "0.4*ms"});
  S.connect({0, 1, 2}, {0, 1, 1});
  net.add_synapses(H, G, {.model = "Isyn_post = 0.2*v_pre : 1 (summed)"}).connect_probability(1);
  auto& spikes = net.add_spike_monitor(G);
  auto& sg = net.add_state_monitor(G, {"v", "Isyn"}, {0, 1, 2});
  auto& sh = net.add_state_monitor(H, {"v"}, {0, 1});
  auto& rate = net.add_rate_monitor(G);
  net.run(0.02);
  EXPECT_EQ(spikes.i, ref["i"].get<std::vector<int64_t>>());
  EXPECT_EQ(steps_of(spikes.t), ref["step"].get<std::vector<int64_t>>());
  EXPECT_EQ(steps_of(sg.t), ref["g_steps"].get<std::vector<int64_t>>());
  EXPECT_EQ(steps_of(rate.t), ref["rate_steps"].get<std::vector<int64_t>>());
  const auto r = ref["rate"].get<std::vector<double>>();
  ASSERT_EQ(rate.rate.size(), r.size());
  for (size_t k = 0; k < r.size(); ++k) EXPECT_NEAR(rate.rate[k], r[k], 1e-9 * r[k] + 1e-9) << k;
  for (size_t n = 0; n < 3; ++n) {
    const auto v = ref["g_v"][n].get<std::vector<double>>();
    const auto isyn = ref["g_isyn"][n].get<std::vector<double>>();
    ASSERT_EQ(sg.values["v"][n].size(), v.size());
    for (size_t k = 0; k < v.size(); ++k) {
      EXPECT_NEAR(sg.values["v"][n][k], v[k], 1e-12) << n << " " << k;
      EXPECT_NEAR(sg.values["Isyn"][n][k], isyn[k], 1e-12) << n << " " << k;
    }
  }
  for (size_t n = 0; n < 2; ++n) {
    const auto v = ref["h_v"][n].get<std::vector<double>>();
    ASSERT_EQ(sh.values["v"][n].size(), v.size());
    for (size_t k = 0; k < v.size(); ++k)
      EXPECT_NEAR(sh.values["v"][n][k], v[k], 1e-12) << n << " " << k;
  }
  EXPECT_EQ(spikes.num_spikes(), 7);
}

TEST(Clocks, SlowGroupEqualsTheSameGroupOnASlowNetwork) {
  // A group on 0.2 ms inside a 0.1 ms network computes what it computes alone in a
  // 0.2 ms network: the same values and spikes, the same times.
  auto simulate = [](double net_dt, const std::string& group_dt) {
    Network net({.dt = net_dt, .seed = 7});
    auto& G = net.add_neuron_group(
        20, "dv/dt = (1.2 + 0.5*sin(2*pi*i/N) - v)/(10*ms) : 1 (unless refractory)",
        {.threshold = "v > 1",
         .reset = "v = 0",
         .refractory = "2*ms",
         .method = "euler",
         .dt = group_dt});
    G.set("v", "rand()");
    G.run_regularly("v = v + 0.05*(rand() - 0.5)");  // noise drawn at each step of G's clock
    auto& m = net.add_spike_monitor(G);
    auto& s = net.add_state_monitor(G, {"v"}, {0, 7});
    net.run(0.05);
    return std::make_tuple(m.i, m.t, s.t, s.values["v"]);
  };
  const auto [i1, t1, st1, v1] = simulate(0.2 * 1e-3, "");
  const auto [i2, t2, st2, v2] = simulate(1e-4, "0.2*ms");
  EXPECT_GT(i1.size(), 20u);
  EXPECT_EQ(i1, i2);
  ASSERT_EQ(t1.size(), t2.size());
  for (size_t k = 0; k < t1.size(); ++k) EXPECT_NEAR(t1[k], t2[k], 1e-15);
  ASSERT_EQ(st1.size(), st2.size());
  EXPECT_EQ(v1, v2);
}

TEST(Clocks, DtMustBeAWholeMultipleOfTheNetworks) {
  Network net;
  const std::string e = error_of([&] {
    net.add_neuron_group(1, "dv/dt = -v/(10*ms) : 1", {.name = "slow", .dt = "0.15*ms"});
  });
  EXPECT_NE(e.find("slow"), std::string::npos) << e;
  EXPECT_NE(e.find("whole multiple"), std::string::npos) << e;
  EXPECT_THROW(net.add_neuron_group(1, "v : 1", {.dt = "1*mV"}), soma::Error);
  EXPECT_THROW(net.add_neuron_group(1, "v : 1", {.dt = "0.01*ms"}), soma::Error);
  // Equal to the network's: the group steps every step.
  auto& G = net.add_neuron_group(1, "dv/dt = 1/ms : 1", {.method = "euler", .dt = "0.1*ms"});
  net.run(1e-3);
  EXPECT_NEAR(G.get("v")[0], 1.0, 1e-12);
}

TEST(Clocks, PoissonInputFollowsItsTargetsClock) {
  // rate*dt = 5 kHz * 0.2 ms = 1 on the target's clock: every one of the 3 inputs fires
  // at each of its steps, 5 in 1 ms, so v = 5*3*0.1; on the network's clock it would be
  // drawn 10 times with p = 0.5.
  Network net;
  auto& G = net.add_neuron_group(2, "v : 1", {.dt = "0.2*ms"});
  net.add_poisson_input(G, "v", 3, 5000.0, "0.1");
  net.run(1e-3);
  EXPECT_NEAR(G.get("v")[0], 1.5, 1e-12);
  EXPECT_NEAR(G.get("v")[1], 1.5, 1e-12);
}
