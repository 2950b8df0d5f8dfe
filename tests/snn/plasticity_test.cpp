// Differential equations in synapses: `(event-driven)` traces against their closed
// form, Brian2's semantics (advanced only at a pathway's events, over the time since
// the synapse's last update), the STDP weight change that follows, `(clock-driven)`
// equations against their exact solution, and the errors for what Brian2 refuses.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "soma/core/error.hpp"
#include "soma/snn/network.hpp"

using namespace soma::snn;

namespace {

constexpr double kDt = 1e-4, kTaupre = 20e-3, kTaupost = 20e-3, kGmax = 0.01;
constexpr double kDApre = 0.01 * kGmax, kDApost = -1.05 * kDApre;

// One neuron that spikes in the step after `fire` is set to 1: spikes at chosen times.
NeuronGroup& trigger(Network& net, const std::string& name) {
  return net.add_neuron_group(1, "fire : 1",
                              {.threshold = "fire > 0", .reset = "fire = 0", .name = name});
}

struct Stdp {
  Network net{NetworkOptions{.dt = kDt}};
  NeuronGroup *pre = nullptr, *post = nullptr;
  Synapses* S = nullptr;
  Stdp() {
    net.set_constant("taupre", "20*ms");  // kTaupre, kTaupost
    net.set_constant("taupost", "20*ms");
    net.set_constant("gmax", kGmax);
    net.set_constant("dApre", kDApre);
    net.set_constant("dApost", kDApost);
    pre = &trigger(net, "pre");
    post = &trigger(net, "post");
    // Brian2's examples/synapses/STDP.py, without the conductance.
    S = &net.add_synapses(*pre, *post,
                          {.model = "w : 1\n"
                                    "dApre/dt = -Apre / taupre : 1 (event-driven)\n"
                                    "dApost/dt = -Apost / taupost : 1 (event-driven)",
                           .on_pre = "Apre += dApre\nw = clip(w + Apost, 0, gmax)",
                           .on_post = "Apost += dApost\nw = clip(w + Apre, 0, gmax)"});
    S->connect({0}, {0});
    S->set("w", 0.5 * kGmax);
  }
  // Runs to step `step` (exclusive), then makes `who` spike in that step.
  void spike_at(NeuronGroup& who, int64_t step) {
    net.run(double(step - net.step()) * kDt);
    who.set("fire", 1.0);
  }
  double get(const std::string& v) const { return S->get(v)[0]; }
};

TEST(EventDriven, TracesFollowTheClosedFormBetweenEvents) {
  Stdp m;
  const int64_t s1 = 100, s2 = 250, s3 = 400;  // pre, post, pre
  const double t1 = double(s1) * kDt, t2 = double(s2) * kDt, t3 = double(s3) * kDt;
  m.spike_at(*m.pre, s1);
  m.net.run(2 * kDt);  // the pre spike at t1
  EXPECT_DOUBLE_EQ(m.get("Apre"), kDApre);
  EXPECT_DOUBLE_EQ(m.get("Apost"), 0.0);
  EXPECT_DOUBLE_EQ(m.get("w"), 0.5 * kGmax);  // Apost was 0
  EXPECT_DOUBLE_EQ(m.get("lastupdate"), t1);
  // No events: the traces stay as the last event left them (Brian2 too), not decayed.
  m.net.run(50 * kDt);
  EXPECT_DOUBLE_EQ(m.get("Apre"), kDApre);

  // Post after pre: potentiation by Apre decayed over t2 - t1 exactly.
  m.spike_at(*m.post, s2);
  m.net.run(kDt);
  const double apre_at_t2 = kDApre * std::exp(-(t2 - t1) / kTaupre);
  EXPECT_NEAR(m.get("Apre"), apre_at_t2, 1e-15 * kDApre);
  EXPECT_NEAR(m.get("Apre") / kDApre, std::exp(-(t2 - t1) / kTaupre), 1e-14);
  EXPECT_DOUBLE_EQ(m.get("Apost"), kDApost);
  const double w2 = 0.5 * kGmax + apre_at_t2;
  EXPECT_NEAR(m.get("w"), w2, 1e-16);
  EXPECT_DOUBLE_EQ(m.get("lastupdate"), t2);

  // Pre after post: depression by Apost decayed over t3 - t2; Apre decays from t2 on
  // and the new spike adds dApre.
  m.spike_at(*m.pre, s3);
  m.net.run(kDt);
  const double w3 = w2 + kDApost * std::exp(-(t3 - t2) / kTaupost);
  EXPECT_NEAR(m.get("w"), w3, 1e-16);
  EXPECT_LT(m.get("w"), w2);
  EXPECT_NEAR(m.get("Apre"), apre_at_t2 * std::exp(-(t3 - t2) / kTaupre) + kDApre, 1e-16);
  EXPECT_NEAR(m.get("Apost"), kDApost * std::exp(-(t3 - t2) / kTaupost), 1e-16);
  EXPECT_DOUBLE_EQ(m.get("lastupdate"), t3);
}

TEST(EventDriven, ClipBoundsTheWeight) {
  Stdp m;
  m.S->set("w", kGmax);  // already at the top: a post-after-pre pairing cannot raise it
  m.spike_at(*m.pre, 10);
  m.spike_at(*m.post, 20);
  m.net.run(kDt);
  EXPECT_EQ(m.get("w"), kGmax);
  m.S->set("w", 0.0);  // at the bottom: pre-after-post cannot lower it
  m.spike_at(*m.pre, 30);
  m.net.run(kDt);
  EXPECT_EQ(m.get("w"), 0.0);
  EXPECT_LT(m.get("Apost"), 0.0);  // there was depression to apply
}

TEST(EventDriven, AnAffineTraceRelaxesToItsFixedPoint) {
  // dx/dt = (x0 - x)/tau: x(t) = x0 + (x(t0) - x0)*exp(-(t - t0)/tau) at the next event.
  Network net({.dt = kDt});
  auto& pre = trigger(net, "pre");
  auto& post = net.add_neuron_group(1, "v : 1");
  auto& S = net.add_synapses(
      pre, post, {.model = "dx/dt = (0.25 - x)/(10*ms) : 1 (event-driven)", .on_pre = "x += 1"});
  S.connect({0}, {0});
  net.run(30 * kDt);
  pre.set("fire", 1.0);
  net.run(kDt);  // spike at step 30: x = 0 advanced over 3 ms, plus 1
  const double x1 = 0.25 + (0.0 - 0.25) * std::exp(-30 * kDt / 10e-3) + 1.0;
  EXPECT_NEAR(S.get("x")[0], x1, 1e-14);
  net.run(69 * kDt);
  pre.set("fire", 1.0);
  net.run(kDt);  // spike at step 100
  EXPECT_NEAR(S.get("x")[0], 0.25 + (x1 - 0.25) * std::exp(-70 * kDt / 10e-3) + 1.0, 1e-14);
}

TEST(ClockDriven, IntegratedEveryStep) {
  Network net({.dt = kDt});
  auto& g = net.add_neuron_group(2, "v : 1");
  g.set("v", {1.0, 3.0});
  auto& S = net.add_synapses(g, g,
                             {.model = "dx/dt = -x/(5*ms) : 1 (clock-driven)\n"
                                       "dy/dt = v_pre/second : 1"});  // unflagged: clock-driven
  S.connect({0, 1}, {1, 0});
  S.set("x", 1.0);
  net.run(100 * kDt);
  for (double x : S.get("x")) EXPECT_NEAR(x, std::exp(-100 * kDt / 5e-3), 1e-13);
  // Euler of dy/dt = v_pre/second over 100 steps: y = v_pre * 10 ms.
  EXPECT_NEAR(S.get("y")[0], 1.0 * 0.01, 1e-14);
  EXPECT_NEAR(S.get("y")[1], 3.0 * 0.01, 1e-14);
}

void expect_error(const std::function<void()>& f, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "no error, expected one containing: " << part;
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(SynapticEquations, RefusesWhatBrian2Refuses) {
  auto with_model = [](const std::string& model) {
    Network net;
    auto& g = net.add_neuron_group(1, "v : 1");
    auto& S = net.add_synapses(g, g, {.model = model, .on_pre = "v += 1"});
    S.connect({0}, {0});
    net.run(1e-3);
  };
  expect_error([&] { with_model("dA/dt = -A*A/(10*ms) : 1 (event-driven)"); }, "clock-driven");
  expect_error([&] { with_model("dA/dt = -A/(10*ms) + t/second**2 : 1 (event-driven)"); },
               "free of t");
  expect_error([&] { with_model("dA/dt = -A/(10*ms) : 1 (event-driven, clock-driven)"); },
               "either event-driven or clock-driven");
  expect_error([&] { with_model("dA/dt = -A/(10*ms) : 1 (summed-ish)"); }, "unknown flag");
  expect_error(
      [&] {
        with_model(
            "dA/dt = -A/(10*ms) : 1 (event-driven)\n"
            "dB/dt = (A - B)/(10*ms) : 1 (clock-driven)");
      },
      "depends on the event-driven variable 'A'");
  expect_error([&] { with_model("lastupdate : second\ndA/dt = -A/(5*ms) : 1 (event-driven)"); },
               "lastupdate");
}

}  // namespace
