// snn: Brian2's semantics pinned down with cases whose answers are known — Brian2's
// own spike times for the tutorial network, closed-form solutions for the
// integrators, and step counts that follow from Brian2's documented schedule.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "soma/core/error.hpp"
#include "soma/core/system.hpp"
#include "soma/core/vecmath.hpp"
#include "soma/snn/models.hpp"
#include "soma/snn/network.hpp"

using namespace soma::snn;

namespace {

nlohmann::json load(const std::string& name) {
  std::ifstream in(std::string(SOMA_SOURCE_DIR) + "/tests/reference/data/" + name);
  EXPECT_TRUE(in) << name;
  return nlohmann::json::parse(in);
}

void expect_same_spikes(const std::vector<std::vector<double>>& got, const nlohmann::json& ref) {
  ASSERT_EQ(got.size(), ref.size());
  for (size_t n = 0; n < got.size(); ++n) {
    const auto want = ref[n].get<std::vector<double>>();
    ASSERT_EQ(got[n].size(), want.size()) << "neuron " << n;
    for (size_t k = 0; k < want.size(); ++k)
      EXPECT_NEAR(got[n][k], want[k], 0.1 + 1e-9) << "neuron " << n << " spike " << k;
  }
}

}  // namespace

TEST(Tutorial, ThreeNeuronsMatchBrian2Described) {
  const auto ref = load("snn_3_described.json");
  expect_same_spikes(models::three_neurons(models::InhibitionTerm::described), ref["spikes_ms"]);
}

TEST(Tutorial, ThreeNeuronsMatchBrian2Written) {
  const auto ref = load("snn_3_written.json");
  expect_same_spikes(models::three_neurons(models::InhibitionTerm::written), ref["spikes_ms"]);
}

// The tutorial's figures (000, "Spiking Neuronal Networks in Python"): with its
// constants (ge_tau 20 ms, gi_tau 100 ms, w_ge 1 nS, threshold -40 mV) neuron 0's
// excitation brings neuron 2 to threshold once, at 69.8 ms, and after w_gi rises to
// 0.5 nS "N1 inhibits N2 to an extent that prevents the spike". Both inhibitory terms.
// (Before issue 11 the model ran ge_tau = gi_tau = 5 ms, w_ge 2 nS, threshold -50 mV:
// 64/44/11 spikes, and inhibition only slowed neuron 2.)
TEST(Tutorial, InhibitionSilencesNeuronTwoAsTheTutorialShows) {
  for (auto term : {models::InhibitionTerm::described, models::InhibitionTerm::written}) {
    const auto s = models::three_neurons(term);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].size(), 40u);
    EXPECT_EQ(s[1].size(), 27u);
    ASSERT_EQ(s[2].size(), 1u);
    EXPECT_NEAR(s[2][0], 69.8, 0.05);  // one dt is 0.1 ms
  }
}

TEST(VecMath, ExpWithinTwoUlp) {
  for (double x = -700; x < 700; x += 0.377) {
    const double want = std::exp(x);
    EXPECT_NEAR(soma::vecmath::exp(x), want, 4.5e-16 * want) << x;
  }
  // volatile: the compiler must not fold it; UBSan checks the run-time path (a fuzzed
  // model's NaN once reached an undefined NaN-to-integer conversion there).
  volatile double nan = NAN;
  EXPECT_TRUE(std::isnan(soma::vecmath::exp(nan)));
  EXPECT_TRUE(std::isnan(soma::vecmath::exp(-nan)));
  // IEEE at the edges, as libm: overflow to +inf (it was once clamped to a finite 8.2e307,
  // and a diverging neuron looked finite), gradual underflow to subnormals, then 0.
  volatile double big = 710.0, huge = 1e6, tiny = -745.0, small = -1e6;
  EXPECT_EQ(soma::vecmath::exp(big), INFINITY);
  EXPECT_EQ(soma::vecmath::exp(huge), INFINITY);
  EXPECT_EQ(soma::vecmath::exp(INFINITY), INFINITY);
  EXPECT_NEAR(soma::vecmath::exp(709.78), std::exp(709.78), 4.5e-16 * std::exp(709.78));
  EXPECT_EQ(soma::vecmath::exp(tiny), std::exp(-745.0));  // 5e-324, the smallest subnormal
  for (double x = -745.0; x < -708.0; x += 0.731) {       // subnormal results: within 2 units
    const double want = std::exp(x);
    EXPECT_NEAR(soma::vecmath::exp(x), want, 2 * 4.9406564584124654e-324 + 4.5e-16 * want) << x;
  }
  EXPECT_EQ(soma::vecmath::exp(small), 0.0);
  EXPECT_EQ(soma::vecmath::exp(-INFINITY), 0.0);
  EXPECT_EQ(soma::vecmath::exp(-0.0), 1.0);
}

// The float exp (LSTM gates) against the double exp rounded to float, in ulp of float,
// and at its edges: overflow to inf, gradual underflow to 0, NaN through.
TEST(VecMath, FloatExpWithinTwoUlp) {
  for (float x = -87.0f; x < 88.7f; x += 0.0173f) {
    const float want = static_cast<float>(std::exp(static_cast<double>(x)));
    const float ulp = std::nextafter(want, INFINITY) - want;
    EXPECT_LE(std::fabs(soma::vecmath::exp(x) - want), 2 * ulp) << x;
  }
  EXPECT_EQ(soma::vecmath::exp(0.0f), 1.0f);
  EXPECT_TRUE(std::isinf(soma::vecmath::exp(88.8f)));
  EXPECT_TRUE(std::isinf(soma::vecmath::exp(INFINITY)));
  EXPECT_EQ(soma::vecmath::exp(-200.0f), 0.0f);
  EXPECT_GT(soma::vecmath::exp(-100.0f), 0.0f);  // 3.7e-44, subnormal
  volatile float nan = NAN;
  EXPECT_TRUE(std::isnan(soma::vecmath::exp(nan)));
}

TEST(VecMath, LogWithinFourUlp) {
  for (double x = 1e-300; x < 1e300; x *= 1.37) {
    const double want = std::log(x);
    EXPECT_NEAR(soma::vecmath::log(x), want, 4 * 2.3e-16 * std::fabs(want) + 1e-300) << x;
  }
  for (double x = 0.5; x < 2.0; x += 0.0013) {  // near 1, where log is small
    const double want = std::log(x);
    EXPECT_NEAR(soma::vecmath::log(x), want, 4 * 2.3e-16 * std::fabs(want) + 1e-300) << x;
  }
  EXPECT_EQ(soma::vecmath::log(1.0), 0.0);
  // Subnormals (scaled into the normal range first) and the IEEE edges, as libm.
  for (double x = 4.9406564584124654e-324; x < 2.3e-308; x *= 3.1) {
    const double want = std::log(x);
    EXPECT_NEAR(soma::vecmath::log(x), want, 4 * 2.3e-16 * std::fabs(want)) << x;
  }
  volatile double zero = 0.0, minus = -1.0, inf = INFINITY, nan = NAN;
  EXPECT_EQ(soma::vecmath::log(zero), -INFINITY);
  EXPECT_EQ(soma::vecmath::log(-zero), -INFINITY);
  EXPECT_TRUE(std::isnan(soma::vecmath::log(minus)));
  EXPECT_TRUE(std::isnan(soma::vecmath::log(-inf)));
  EXPECT_EQ(soma::vecmath::log(inf), INFINITY);
  EXPECT_TRUE(std::isnan(soma::vecmath::log(nan)));
  EXPECT_EQ(soma::vecmath::log(1.7976931348623157e308), std::log(1.7976931348623157e308));
}

// dv/dt = (v_inf - v)/tau from v = 0: v(t) = v_inf*(1 - exp(-t/tau)).
TEST(Integrators, ExactAndExponentialEulerSolveLinearDecayExactly) {
  for (const char* method : {"exact", "exponential_euler"}) {
    Network net;
    net.set_constant("tau", "10*ms");
    auto& g =
        net.add_neuron_group(3, "dv/dt = (v_inf - v)/tau : volt\nv_inf : volt", {.method = method});
    g.set("v_inf", std::vector<double>{0.01, -0.02, 0.05});
    net.run(0.05);
    for (int k = 0; k < 3; ++k) {
      const double vinf = g.get("v_inf")[static_cast<size_t>(k)];
      EXPECT_NEAR(g.get("v")[static_cast<size_t>(k)], vinf * (1 - std::exp(-5.0)), 1e-14) << method;
    }
  }
}

TEST(Integrators, DefaultMethodAsBrian2) {
  Network net;
  net.set_constant("tau", "10*ms");
  auto& linear = net.add_neuron_group(1, "dv/dt = -v/tau : 1");
  auto& product = net.add_neuron_group(1, "dv/dt = -v*w/tau : 1\ndw/dt = -w/tau : 1");
  EXPECT_EQ(linear.method(), "exact");
  EXPECT_EQ(product.method(), "euler");
}

// The harmonic oscillator dx/dt = y/tau, dy/dt = -x/tau: x = cos(t/tau), y = -sin(t/tau).
// Global error shrinks as dt^order: halving dt divides it by 2, 4 and 16.
// Every new value comes from the values at the start of the step (Brian2), even
// where the update writes a variable in place: two Euler steps of x' = y/tau,
// y' = -x/tau from (1, 0) with dt/tau = 0.01 give y = -0.01 - 0.01*1 (the old x),
// not -0.01 - 0.01*0.9999 (the new one).
TEST(Integrators, EulerReadsValuesFromTheStartOfTheStep) {
  Network net({.dt = 1e-5});
  net.set_constant("tau", "1*ms");
  auto& g = net.add_neuron_group(3, "dx/dt = y/tau : 1\ndy/dt = -x/tau : 1", {.method = "euler"});
  g.set("x", 1.0);
  net.run(2e-5);
  EXPECT_DOUBLE_EQ(g.get("x")[2], 1.0 - 1e-4);
  EXPECT_DOUBLE_EQ(g.get("y")[2], -0.02);
}

TEST(Integrators, ConvergenceOrders) {
  auto error = [](const std::string& method, double dt) {
    Network net({.dt = dt});
    net.set_constant("tau", "1*ms");
    auto& g = net.add_neuron_group(1, "dx/dt = y/tau : 1\ndy/dt = -x/tau : 1", {.method = method});
    g.set("x", 1.0);
    net.run(0.002);
    return std::hypot(g.get("x")[0] - std::cos(2.0), g.get("y")[0] + std::sin(2.0));
  };
  const double dt = 1e-5;
  EXPECT_NEAR(error("euler", dt) / error("euler", dt / 2), 2.0, 0.1);
  EXPECT_NEAR(error("rk2", dt) / error("rk2", dt / 2), 4.0, 0.2);
  EXPECT_NEAR(error("rk4", dt * 10) / error("rk4", dt * 5), 16.0, 1.0);
  EXPECT_LT(error("exact", dt), 1e-12);  // coupled: matrix exponential
}

// dv/dt = 1/(10 ms) rises by 0.01 per step; threshold v > 0.995 is crossed by the update
// of step 99 (t = 9.9 ms). With refractory 2 ms (20 steps) v stays frozen while
// timestep(t - lastspike) < 20, i.e. in steps 100..118, and integrates again from step 119:
// the next spike is at step 218 (21.8 ms). Without refractoriness: every 100 steps.
TEST(NeuronGroup, RefractorinessFreezesVariablesAsBrian2) {
  Network net;
  auto& g = net.add_neuron_group(
      2, "dv/dt = 1/(10*ms) : 1 (unless refractory)",
      {.threshold = "v > 0.995", .reset = "v = 0", .refractory = "2*ms", .method = "euler"});
  auto& m = net.add_spike_monitor(g);
  net.run(0.035);
  const auto trains = m.spike_trains();
  ASSERT_EQ(trains[0].size(), 3u);
  EXPECT_NEAR(trains[0][0], 9.9e-3, 1e-12);
  EXPECT_NEAR(trains[0][1], 21.8e-3, 1e-12);
  EXPECT_NEAR(trains[0][2], 33.7e-3, 1e-12);
  EXPECT_EQ(g.get("lastspike")[0], trains[0][2]);
}

TEST(NeuronGroup, RefractoryWithoutUnlessStillBlocksThreshold) {
  Network net;
  auto& g =
      net.add_neuron_group(1, "dv/dt = 1/(10*ms) : 1",
                           {.threshold = "v > 0.995", .reset = "v = 0", .refractory = "2*ms"});
  auto& m = net.add_spike_monitor(g);
  net.run(0.025);
  // v integrates during the refractory period but cannot spike: step 99, then 199.
  ASSERT_EQ(m.t.size(), 2u);
  EXPECT_NEAR(m.t[1], 19.9e-3, 1e-12);
}

// A spike at step 10 with a 2 ms delay arrives in the synapses slot of step 30;
// the state monitor records at the start of a step, so it sees x = 1 from step 31.
TEST(Synapses, DelayDeliversAfterWholeSteps) {
  Network net;
  auto& src =
      net.add_neuron_group(1, "dv/dt = 0/ms : 1", {.threshold = "t >= 1*ms and t < 1.05*ms"});
  auto& dst = net.add_neuron_group(2, "x : 1");
  auto& s = net.add_synapses(src, dst, {.on_pre = "x_post += 1", .delay = "2*ms"});
  s.connect({0, 0}, {0, 1});
  auto& mon = net.add_state_monitor(dst, {"x"}, {1});
  net.run(0.005);
  const auto& x = mon.values["x"][0];
  EXPECT_EQ(x[30], 0.0);
  EXPECT_EQ(x[31], 1.0);
  EXPECT_EQ(x.back(), 1.0);
  EXPECT_NEAR(mon.t[31], 3.1e-3, 1e-12);
}

TEST(Synapses, PerSynapseDelaysAndWeights) {
  Network net;
  auto& src = net.add_neuron_group(1, "v : 1", {.threshold = "t < 0.05*ms"});  // spikes at step 0
  auto& dst = net.add_neuron_group(3, "x : 1");
  auto& s = net.add_synapses(src, dst, {.model = "w : 1", .on_pre = "x_post += w"});
  s.connect({0, 0, 0}, {0, 1, 2});
  s.set("w", "j + 1");
  s.set("delay", std::vector<double>{0.0, 1e-3, 0.5e-3});
  auto& mon = net.add_state_monitor(dst, {"x"}, {0, 1, 2});
  net.run(0.002);
  EXPECT_EQ(mon.values["x"][0][1], 1.0);  // delivered at step 0
  EXPECT_EQ(mon.values["x"][2][5], 0.0);  // 0.5 ms: step 5
  EXPECT_EQ(mon.values["x"][2][6], 3.0);
  EXPECT_EQ(mon.values["x"][1][10], 0.0);  // 1 ms: step 10
  EXPECT_EQ(mon.values["x"][1][11], 2.0);
}

// The delay ring has one slot per step of the longest delay; a slip of units (Ms for ms)
// is refused before anything is sized from it, naming the synapses and dt.
TEST(Synapses, DelaysBeyondAMillionStepsAreRefusedBeforeAllocating) {
  Network net;
  auto& g = net.add_neuron_group(2, "v : 1", {.threshold = "v > 1"});
  auto& s = net.add_synapses(g, g, {.on_pre = "v_post += 1", .delay = "0.5*Ms", .name = "S"});
  s.connect({0}, {1});
  try {
    net.run(0.001);
    FAIL() << "expected soma::Error";
  } catch (const soma::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("S: delay"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1000000 steps"), std::string::npos) << msg;
  }
  s.set("delay", std::vector<double>{1e-3});  // per synapse: checked the same way, then runs
  net.run(0.001);
  s.set("delay", std::vector<double>{1e9});
  EXPECT_THROW(net.run(0.001), soma::Error);
}

// on_post has its own delay (Brian2's S.post.delay): the target's spike at step 10 acts
// on its synapses at step 10 without one, at step 30 with 2 ms, whatever on_pre's delay.
TEST(Synapses, OnPostHasItsOwnDelay) {
  for (const std::string post_delay : {"", "2*ms"}) {
    Network net;
    auto& src = net.add_neuron_group(1, "v : 1");
    auto& dst =
        net.add_neuron_group(1, "dv/dt = 0/ms : 1", {.threshold = "t >= 1*ms and t < 1.05*ms"});
    auto& s = net.add_synapses(src, dst,
                               {.model = "w : 1",
                                .on_post = "w += 1",
                                .delay = "5*ms",
                                .post_delay = post_delay,
                                .name = "S"});
    s.connect({0}, {0});
    const int64_t due = post_delay.empty() ? 10 : 30;
    net.run(static_cast<double>(due) * 1e-4);  // steps 0 .. due - 1
    EXPECT_EQ(s.get("w")[0], 0.0) << post_delay;
    net.run(1e-4);  // step `due`
    EXPECT_EQ(s.get("w")[0], 1.0) << post_delay;
    net.run(5e-3);  // nothing more arrives
    EXPECT_EQ(s.get("w")[0], 1.0) << post_delay;
  }
  Network net;
  auto& g = net.add_neuron_group(2, "v : 1", {.threshold = "v > 1"});
  EXPECT_THROW(net.add_synapses(g, g, {.on_post = "v_pre += 1", .post_delay = "2*mV"}),
               soma::Error);
}

TEST(Synapses, TwoSynapsesOntoOneTargetBothCount) {
  Network net;
  auto& src = net.add_neuron_group(4, "v : 1", {.threshold = "t < 0.05*ms"});
  auto& dst = net.add_neuron_group(1, "x : 1");
  auto& s = net.add_synapses(src, dst, {.on_pre = "x += 0.5"});  // unsuffixed: postsynaptic
  s.connect({0, 1, 2, 3}, {0, 0, 0, 0});
  net.run(0.001);
  EXPECT_EQ(dst.get("x")[0], 2.0);
}

TEST(Synapses, OnPostRunsWhenTargetSpikes) {
  Network net;
  auto& src = net.add_neuron_group(2, "v : 1");
  auto& dst = net.add_neuron_group(1, "v : 1", {.threshold = "t < 0.25*ms"});  // steps 0, 1, 2
  auto& s = net.add_synapses(src, dst, {.model = "c : 1", .on_post = "c += 1; v_pre += 2"});
  s.connect({0, 1}, {0, 0});
  net.run(0.001);
  EXPECT_EQ(s.get("c"), (std::vector<double>{3.0, 3.0}));
  EXPECT_EQ(src.get("v"), (std::vector<double>{6.0, 6.0}));
}

TEST(Connect, ProbabilityConditionAndIndices) {
  Network net({.seed = 7});
  auto& g = net.add_neuron_group(200, "v : 1");
  auto& all = net.add_synapses(g, g);
  all.connect_condition("i != j");
  EXPECT_EQ(all.size(), 200 * 199);
  auto& half = net.add_synapses(g(0, 100), g(100, 200));
  half.connect_condition("j == i");
  ASSERT_EQ(half.size(), 100);
  EXPECT_EQ(half.sources(), half.targets());
  auto& random = net.add_synapses(g, g);
  random.connect_probability(0.1);
  const double mean = 0.1 * 200 * 200, sd = std::sqrt(mean * 0.9);
  EXPECT_NEAR(static_cast<double>(random.size()), mean, 5 * sd);
  auto& cond_p = net.add_synapses(g, g);
  cond_p.connect_condition("i < j", 0.5);
  const double m2 = 0.5 * 200 * 199 / 2;
  EXPECT_NEAR(static_cast<double>(cond_p.size()), m2, 5 * std::sqrt(m2 * 0.5));
  const auto src = cond_p.sources(), dst = cond_p.targets();
  for (size_t k = 0; k < src.size(); ++k) EXPECT_LT(src[k], dst[k]);
  EXPECT_THROW(all.connect({0}, {200}), soma::Error);
  EXPECT_THROW(all.connect({0, 1}, {2}), soma::Error);
  EXPECT_THROW(all.connect_probability(1.5), soma::Error);
}

// Geometric skipping must keep every pair with the same probability: each target
// column of a 2000 x 40 connection at p = 0.3 gets Binomial(2000, 0.3) synapses
// (mean 600, sd 20.5), the first and last columns included; p = 1 makes every pair.
TEST(Connect, ProbabilityIsUniformOverTargets) {
  Network net({.seed = 11});
  auto& a = net.add_neuron_group(2000, "v : 1");
  auto& b = net.add_neuron_group(40, "v : 1");
  auto& s = net.add_synapses(a, b);
  s.connect_probability(0.3);
  std::vector<int> per_target(40, 0);
  for (int64_t j : s.targets()) ++per_target[static_cast<size_t>(j)];
  for (size_t j = 0; j < per_target.size(); ++j) EXPECT_NEAR(per_target[j], 600, 5 * 20.5) << j;
  const auto src = s.sources(), dst = s.targets();
  for (size_t k = 1; k < src.size(); ++k)  // sorted by source, then target, no repeats
    ASSERT_TRUE(src[k - 1] < src[k] || (src[k - 1] == src[k] && dst[k - 1] < dst[k])) << k;
  auto& full = net.add_synapses(b, b);
  full.connect_probability(1.0);
  EXPECT_EQ(full.size(), 40 * 40);
}

// The same across the blocks of 256 targets each row draws from a stream of its own
// (synapses.cpp, BlockGaps): a target subgroup that starts and ends inside blocks, at a
// dense and a sparse p, gives every target column Binomial(N_pre, p) synapses and none
// outside the subgroup.
TEST(Connect, ProbabilityIsUniformAcrossTargetBlocks) {
  for (double p : {0.8, 0.02}) {
    Network net({.seed = 12});
    const int64_t n_pre = p > 0.5 ? 400 : 4000;
    auto& a = net.add_neuron_group(n_pre, "v : 1");
    auto& b = net.add_neuron_group(700, "v : 1");
    auto& s = net.add_synapses(a, b(100, 650));
    s.connect_probability(p);
    std::vector<int> per_target(550, 0);
    for (int64_t j : s.targets()) {
      ASSERT_GE(j, 0);
      ASSERT_LT(j, 550);
      ++per_target[static_cast<size_t>(j)];
    }
    const double mean = p * static_cast<double>(n_pre), sd = std::sqrt(mean * (1 - p));
    for (size_t j = 0; j < per_target.size(); ++j)
      EXPECT_NEAR(per_target[j], mean, 5 * sd) << "p = " << p << ", target " << j;
    EXPECT_NEAR(static_cast<double>(s.size()), 550 * mean, 5 * std::sqrt(550.0) * sd);
  }
}

TEST(Network, RunCanContinueAndGivesTheSameSpikes) {
  auto spikes = [](bool split) {
    Network net({.seed = 3});
    net.set_constant("tau", "10*ms");
    auto& g = net.add_neuron_group(50, "dv/dt = (I - v)/tau : 1\nI : 1",
                                   {.threshold = "v > 1", .reset = "v = 0", .refractory = "1*ms"});
    g.set("I", "1.2 + 0.5*rand()");
    auto& s = net.add_synapses(g, g, {.on_pre = "v_post += 0.05", .delay = "1.5*ms"});
    s.connect_probability(0.1);
    auto& m = net.add_spike_monitor(g);
    if (split) {
      net.run(0.05);
      net.run(0.05);
    } else {
      net.run(0.1);
    }
    return std::make_pair(m.i, m.t);
  };
  const auto a = spikes(false), b = spikes(true);
  EXPECT_EQ(a.first, b.first);
  EXPECT_EQ(a.second, b.second);
  EXPECT_GT(a.first.size(), 100u);
}

TEST(Monitors, RateMonitorCountsSpikes) {
  Network net;
  auto& g = net.add_neuron_group(10, "v : 1", {.threshold = "i < 3"});  // 3 neurons every step
  auto& r = net.add_rate_monitor(g);
  auto& sp = net.add_spike_monitor(g(2, 10));
  net.run(0.001);
  ASSERT_EQ(r.rate.size(), 10u);
  for (double rate : r.rate) EXPECT_NEAR(rate, 3.0 / (10 * 1e-4), 1e-9);
  EXPECT_EQ(sp.num_spikes(), 10);  // only neuron 2 of the subgroup
  EXPECT_EQ(sp.count[0], 10);
}

TEST(Errors, UnitsAndNamesAreChecked) {
  Network net;
  auto bad_units = [&] {
    net.add_neuron_group(1, "dv/dt = -v/tau + I : volt\nI : amp", {.name = "a"});
    net.set_constant("tau", "10*ms");
    net.run(0.001);
  };
  EXPECT_THROW(bad_units(), soma::Error);
  Network n2;
  n2.set_constant("tau", "10*ms");
  auto& g = n2.add_neuron_group(1, "dv/dt = -v/tau : volt", {.threshold = "v > 1", .name = "b"});
  EXPECT_THROW(n2.run(0.001), soma::Error);  // v (volt) compared with 1
  Network n3;
  n3.set_constant("tau", "10*ms");
  n3.add_neuron_group(1, "dv/dt = -v/tau : volt", {.reset = "w = 0*mV"});
  EXPECT_THROW(n3.run(0.001), soma::Error);  // no variable w
  EXPECT_THROW(n3.add_neuron_group(1, "dv/dt = -v/tau : volt", {.method = "magic"}), soma::Error);
  EXPECT_THROW(n3.add_neuron_group(1, "dv/dt = -v/tau : volt", {.refractory = "5*mV"}),
               soma::Error);
  // Periods with no whole number of steps (UBSan found 4.4e56 steps converted to int64).
  EXPECT_THROW(n3.add_neuron_group(1, "dv/dt = -v/tau : volt", {.refractory = "4.4e52*second"}),
               soma::Error);
  EXPECT_THROW(n3.add_neuron_group(1, "dv/dt = -v/tau : volt", {.refractory = "-1*ms"}),
               soma::Error);
  Network n4;
  n4.add_neuron_group(1, "dv/dt = -v/tau : volt");
  EXPECT_THROW(n4.run(0.001), soma::Error);  // tau never defined
  (void)g;
}

TEST(Errors, MessagesNameTheInput) {
  Network net;
  net.set_constant("tau", "10*ms");
  net.add_neuron_group(1, "dv/dt = -v/tau : volt", {.reset = "w = 0*mV", .name = "P"});
  try {
    net.run(0.001);
    FAIL();
  } catch (const soma::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("P"), std::string::npos) << msg;
    EXPECT_NE(msg.find("w"), std::string::npos) << msg;
  }
}

// A state that becomes NaN or infinite stops the run with the group, variable, neuron and
// the interval in which it went bad (before: it ran to the end recording NaN).
TEST(Errors, NonFiniteStateStopsTheRun) {
  Network net;
  net.set_constant("tau", "10*ms");
  auto& g = net.add_neuron_group(3, "dv/dt = (I - v)/(tau*0) : volt\nI : volt", {.name = "G"});
  g.set("I", std::vector<double>{0.0, 0.01, 0.0});
  try {
    net.run(0.01);
    FAIL();
  } catch (const soma::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "neuron group 'G': v of neuron 0 became NaN between t = 0 ms and t = 6.4 ms "
              "(expected finite values: the equations for v divide by zero or overflow there; "
              "a smaller dt or another method may help)");
  }
  // Overflow to infinity is caught the same way, at the end of a run shorter than the
  // checking interval too.
  Network grow;
  grow.add_neuron_group(2, "dv/dt = v*v/(1*ms) : 1", {.name = "H"}).set("v", 1e200);
  try {
    grow.run(0.0005);
    FAIL();
  } catch (const soma::Error& e) {
    EXPECT_NE(
        std::string(e.what()).find("v of neuron 0 became +inf between t = 0 ms and t = 0.5 ms"),
        std::string::npos)
        << e.what();
  }
}

// exp overflows to +inf in a model as in IEEE arithmetic (not to a finite clamp, which
// once let this neuron run to the end at v = 8.2e305 per step): the check catches it.
TEST(Errors, ExpOverflowIsInfiniteAndStopsTheRun) {
  Network net;
  net.set_constant("tau", "10*ms");
  auto& g = net.add_neuron_group(2, "dv/dt = exp(I)/tau : 1\nI : 1", {.name = "E"});
  g.set("I", std::vector<double>{0.0, 1000.0});
  try {
    net.run(0.001);
    FAIL();
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("v of neuron 1 became +inf"), std::string::npos)
        << e.what();
  }
}

// N read from a model file: beyond 32-bit indices, or beyond memory, is an error before
// anything is allocated (N = 2^63 - 1 once ended in an internal error).
TEST(NeuronGroup, SizesBeyondIndicesOrMemoryAreErrors) {
  Network net;
  try {
    net.add_neuron_group(std::numeric_limits<int64_t>::max(), "dv/dt = -v/(10*ms) : volt");
    FAIL() << "expected soma::Error";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("at most 2147483647"), std::string::npos) << e.what();
  }
  try {
    net.add_neuron_group(std::numeric_limits<int32_t>::max(),
                         "dv/dt = -v/(10*ms) : volt\ndw/dt = -w/(10*ms) : volt\n"
                         "dx/dt = -x/(10*ms) : volt\ndy/dt = -y/(10*ms) : volt\n"
                         "dz/dt = -z/(10*ms) : volt");
    // 2^31 neurons x 8 arrays x 8 bytes = 137 GB: a machine with more memory may build it.
    EXPECT_GT(soma::physical_memory_bytes(), 137'000'000'000u);
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("more than this machine's"), std::string::npos)
        << e.what();
  }
}

// Initial values given as expressions are checked as the statement "v = ..." (issue 12),
// as Brian2 does: it refuses G.v = '3*nS' and G.v = '0' for a volt variable
// (DimensionMismatchError); plain numbers are SI and not checked.
TEST(Errors, InitialValueExpressionsHaveTheVariablesUnits) {
  Network net;
  net.set_constant("vl", "-70*mV");
  auto& g = net.add_neuron_group(2, "dv/dt = -v/(10*ms) : volt\nI : amp", {.name = "G"});
  g.set("v", "vl + 2*mV");
  EXPECT_NEAR(g.get("v")[1], -0.068, 1e-15);
  g.set("v", -0.065);
  for (const char* bad : {"3*nS", "0", "vl*I"}) {
    try {
      g.set("v", bad);
      ADD_FAILURE() << bad << " accepted for a volt variable";
    } catch (const soma::Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("G.v"), std::string::npos) << msg;
      EXPECT_NE(msg.find("'v' has units V"), std::string::npos) << msg;
    }
  }
  EXPECT_EQ(g.get("v")[0], -0.065);  // a refused value changes nothing
  auto& s = net.add_synapses(g, g, {.model = "w : siemens", .name = "S"});
  s.connect({0}, {1});
  s.set("w", "2*nS");
  s.set("delay", "1*ms");
  EXPECT_THROW(s.set("w", "2*mV"), soma::Error);
  EXPECT_THROW(s.set("delay", "1"), soma::Error);
  EXPECT_EQ(s.get("w")[0], 2e-9);
}
