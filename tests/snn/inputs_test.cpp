// TimedArray, PoissonGroup and PoissonInput. The look-up rule is checked against sums
// worked out by hand from Brian2's rule (the row int(t/dt), clipped); the statistics
// against the Poisson/binomial expectations and against Brian2 2.5 over 8 seeds, and a
// TimedArray-driven network spike for spike, from tests/reference/snn_inputs.py
// (tests/reference/data/snn_inputs.json).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <numeric>

#include "soma/core/error.hpp"
#include "soma/snn/network.hpp"

using namespace soma::snn;

namespace {

nlohmann::json reference() {
  std::ifstream in(std::string(SOMA_SOURCE_DIR) + "/tests/reference/data/snn_inputs.json");
  EXPECT_TRUE(in) << "tests/reference/data/snn_inputs.json";
  return nlohmann::json::parse(in);
}

constexpr int kSeeds = 8;

// Spike counts of a 1000-neuron PoissonGroup per bin of `bin` steps over `steps` steps.
std::vector<double> poisson_bins(uint64_t seed, const std::string& rates, int64_t steps,
                                 int64_t bin, bool table) {
  Network net({.seed = seed});
  if (table) net.add_timed_array("stim", {10, 40, 5, 60}, 0.25, "Hz");
  auto& P = net.add_poisson_group(1000, rates);
  auto& m = net.add_spike_monitor(P);
  net.run(static_cast<double>(steps) * 1e-4);
  std::vector<double> out(static_cast<size_t>(steps / bin), 0.0);
  for (double t : m.t) out[static_cast<size_t>(std::llround(t / 1e-4) / bin)] += 1;
  return out;
}

// Per bin: soma's and Brian2's counts summed over the seeds both agree with the
// expectation `expected` (per seed) within 5 Poisson standard deviations, and with each other.
void expect_bins(const std::string& rates, int64_t steps, int64_t bin, bool table,
                 const nlohmann::json& brian, const std::vector<double>& expected) {
  std::vector<double> soma_sum(expected.size(), 0.0), brian_sum(expected.size(), 0.0);
  for (int s = 0; s < kSeeds; ++s) {
    const auto b = poisson_bins(static_cast<uint64_t>(s), rates, steps, bin, table);
    const auto ref = brian[s].get<std::vector<double>>();
    ASSERT_EQ(ref.size(), expected.size());
    for (size_t k = 0; k < expected.size(); ++k) {
      soma_sum[k] += b[k];
      brian_sum[k] += ref[k];
    }
  }
  for (size_t k = 0; k < expected.size(); ++k) {
    const double mean = kSeeds * expected[k], sd = std::sqrt(mean);
    EXPECT_NEAR(soma_sum[k], mean, 5 * sd) << rates << " bin " << k;
    EXPECT_NEAR(brian_sum[k], mean, 5 * sd) << rates << " bin " << k << " (Brian2)";
    EXPECT_NEAR(soma_sum[k], brian_sum[k], 5 * std::sqrt(2.0) * sd) << rates << " bin " << k;
  }
}

double mean(const std::vector<double>& x) {
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}
double sd(const std::vector<double>& x) {
  const double m = mean(x);
  double s = 0;
  for (double v : x) s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(x.size() - 1));
}

}  // namespace

TEST(TimedArray, LooksUpTheRowOfIntTOverDtClippedAtTheEnds) {
  // dy/dt = f(t)/ms by Euler adds 0.1*f(t) a step: after 50 steps of dt = 0.1 ms,
  // rows 0, 1 and 2 (the last, also past the table's 3 ms) held 10, 10 and 30 steps.
  Network net;
  net.add_timed_array("f", {1, 2, 3}, 1e-3);
  net.add_timed_array("g", {1, 10, 2, 20}, 2, 2, 2e-3, "mV");
  auto& G = net.add_neuron_group(2, "dy/dt = f(t)/ms : 1\ndz/dt = g(t, i)/ms : volt",
                                 {.method = "euler"});
  net.run(5e-3);
  EXPECT_NEAR(G.get("y")[0], 0.1 * (10 * 1 + 10 * 2 + 30 * 3), 1e-9);
  // g: row 0 for 20 steps, row 1 (the last) for 30; column i.
  EXPECT_NEAR(G.get("z")[0], 1e-4 * (20 * 1 + 30 * 2), 1e-12);
  EXPECT_NEAR(G.get("z")[1], 1e-4 * (20 * 10 + 30 * 20), 1e-12);
  // In a threshold and a reset: f(t) > 2.5 from row 2 (step 20) on, each step.
  Network cond;
  cond.add_timed_array("f", {1, 2, 3}, 1e-3);
  auto& C = cond.add_neuron_group(1, "x : 1", {.threshold = "f(t) > 2.5", .reset = "x += f(t)"});
  auto& spikes = cond.add_spike_monitor(C);
  cond.run(5e-3);
  EXPECT_EQ(spikes.num_spikes(), 30);
  EXPECT_DOUBLE_EQ(C.get("x")[0], 90.0);
  // Before the table (negative times): the first row.
  Network early;
  early.add_timed_array("f", {1, 2, 3}, 1e-3);
  auto& E = early.add_neuron_group(1, "dy/dt = f(t - 10*ms)/ms : 1", {.method = "euler"});
  early.run(1e-3);
  EXPECT_NEAR(E.get("y")[0], 0.1 * 10, 1e-9);
}

TEST(TimedArray, ErrorsNameTheTableAndTheCall) {
  Network net;
  EXPECT_THROW(net.add_timed_array("f", {}, 1e-3), soma::Error);
  EXPECT_THROW(net.add_timed_array("f", {1, 2, 3}, 2, 2, 1e-3), soma::Error);
  EXPECT_THROW(net.add_timed_array("f", {1}, 0.0), soma::Error);
  EXPECT_THROW(net.add_timed_array("exp", {1}, 1e-3), soma::Error);
  EXPECT_THROW(net.add_timed_array("2x", {1}, 1e-3), soma::Error);
  net.add_timed_array("f", {1, 2}, 1e-3, "nA");
  net.add_timed_array("g", {1, 2}, 1, 2, 1e-3);
  EXPECT_THROW(net.add_timed_array("f", {1}, 1e-3), soma::Error);
  const auto fails = [](const std::string& eqs, const std::string& want) {
    Network n;
    n.add_timed_array("f", {1, 2}, 1e-3, "nA");
    n.add_timed_array("g", {1, 2}, 1, 2, 1e-3);
    n.add_neuron_group(3, eqs, {.method = "euler"});
    try {
      n.run(1e-3);
      ADD_FAILURE() << eqs << ": no error";
    } catch (const soma::Error& e) {
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    }
  };
  fails("dv/dt = f(t)/ms : 1", "units");                 // f is in amperes
  fails("dv/dt = f(3)/ms : amp", "needs a time");        // not a time
  fails("dv/dt = f(t, i)/ms : amp", "1-D TimedArray");   // one column only
  fails("dv/dt = g(t)/ms : 1", "2-D TimedArray");        // needs the column
  fails("dv/dt = f(t, i, i)/ms : amp", "takes 1 or 2");  // no such form
  fails("dv/dt = g(t, i)/ms : 1", "NaN");                // neuron 2: no column 2
}

TEST(PoissonGroup, ConstantRateCountsAgreeWithTheExpectationAndBrian2) {
  const auto ref = reference();
  // 1000 neurons, 10,000 steps, p = 15 Hz * 0.1 ms each.
  expect_bins("15*Hz", 10000, 10000, false,
              [&] {
                nlohmann::json per_seed;
                for (const auto& c : ref["poisson_const"]) per_seed.push_back({c});
                return per_seed;
              }(),
              {1000.0 * 10000 * 15 * 1e-4});
}

TEST(PoissonGroup, RatesAsAnExpressionOfTime) {
  const auto ref = reference();
  const double pi = std::numbers::pi;
  std::vector<double> expected(20, 0.0);  // 50 ms bins of 500 steps
  for (int k = 0; k < 10000; ++k)
    expected[static_cast<size_t>(k / 500)] +=
        1000 * (1 + std::sin(2 * pi * 5 * k * 1e-4)) * 20 * 1e-4;
  expect_bins("(1 + sin(2*pi*5*Hz*t))*20*Hz", 10000, 500, false, ref["poisson_sine"], expected);
}

TEST(PoissonGroup, RatesFromATimedArray) {
  const auto ref = reference();
  const double rate[] = {10, 40, 5, 60};
  std::vector<double> expected(12, 0.0);  // 100 ms bins over 1.2 s; the table ends at 1 s
  for (int k = 0; k < 12000; ++k)
    expected[static_cast<size_t>(k / 1000)] += 1000 * rate[std::min(k / 2500, 3)] * 1e-4;
  expect_bins("stim(t)", 12000, 1000, true, ref["poisson_table"], expected);
}

TEST(PoissonGroup, NumericRatesArePerNeuronAndChecked) {
  Network net;
  auto& P = net.add_poisson_group(3, std::vector<double>{0.0, 10000.0, 0.0});
  auto& m = net.add_spike_monitor(P);
  net.run(0.01);  // p = 1 for neuron 1: every step; 0 for the others
  EXPECT_EQ(m.count, (std::vector<int64_t>{0, 100, 0}));
  EXPECT_THROW(net.add_poisson_group(3, std::vector<double>{1, 2}), soma::Error);
  Network bad;
  bad.add_poisson_group(2, "5*mV");
  EXPECT_THROW(bad.run(1e-3), soma::Error);  // rates must be in Hz
}

namespace {

struct LifStats {
  double spikes, mean_v, mean_v_late;
};

LifStats lif_with_input(uint64_t seed, int64_t n, const std::string& weight, bool threshold) {
  Network net({.seed = seed});
  NeuronGroupOptions opt{.method = "exact"};
  if (threshold) {
    opt.threshold = "v > 10.5*mV";
    opt.reset = "v = 0*mV";
  }
  auto& G = net.add_neuron_group(100, "dv/dt = -v/(10*ms) : volt", opt);
  net.add_poisson_input(G, "v", n, 10.0, weight);
  auto& spikes = net.add_spike_monitor(G);
  std::vector<int64_t> all(100);
  std::iota(all.begin(), all.end(), 0);
  auto& V = net.add_state_monitor(G, {"v"}, all);
  net.run(1.0);
  double sum = 0, late = 0;
  size_t count = 0, late_count = 0;
  for (const auto& trace : V.values["v"])
    for (size_t k = 0; k < trace.size(); ++k) {
      sum += trace[k];
      ++count;
      if (k >= 5000) {
        late += trace[k];
        ++late_count;
      }
    }
  return {static_cast<double>(spikes.num_spikes()), sum / static_cast<double>(count),
          late / static_cast<double>(late_count)};
}

// soma's mean over the seeds within 4 standard errors (from Brian2's spread over its seeds,
// for both sides) of Brian2's mean.
void expect_same_mean(const std::vector<double>& got, const std::vector<double>& brian,
                      const char* what) {
  const double se = sd(brian) * std::sqrt(2.0 / static_cast<double>(brian.size()));
  EXPECT_NEAR(mean(got), mean(brian), 4 * se) << what;
}

}  // namespace

TEST(PoissonInput, ExactBinomialDrivesALifNeuronAsInBrian2) {
  const auto ref = reference();
  std::vector<double> spikes, v, brian_spikes, brian_v;
  for (int s = 0; s < kSeeds; ++s) {
    const auto st = lif_with_input(static_cast<uint64_t>(s), 1000, "0.1*mV", true);
    spikes.push_back(st.spikes);
    v.push_back(st.mean_v);
    brian_spikes.push_back(ref["input_exact"][s]["spikes"].get<double>());
    brian_v.push_back(ref["input_exact"][s]["mean_v"].get<double>());
  }
  EXPECT_GT(mean(spikes), 100.0);  // the threshold is reached: the rate is tested
  expect_same_mean(spikes, brian_spikes, "spike count");
  expect_same_mean(v, brian_v, "mean v");
}

TEST(PoissonInput, NormalApproximationGivesTheStationaryMean) {
  // N*p = 10 per step: Brian2 draws N(N*p, N*p*(1-p)). The kick w*N*p = 0.1 mV a step
  // decays by exp(-dt/tau) a step: recorded after the kick, the mean settles at
  // 0.1 mV / (1 - exp(-0.01)).
  const auto ref = reference();
  std::vector<double> v, brian_v;
  for (int s = 0; s < kSeeds; ++s) {
    v.push_back(lif_with_input(static_cast<uint64_t>(s), 10000, "0.01*mV", false).mean_v_late);
    brian_v.push_back(ref["input_normal"][s]["mean_v_late"].get<double>());
  }
  const double stationary = 1e-4 / (1 - std::exp(-0.01));
  const double se = sd(brian_v) / std::sqrt(static_cast<double>(kSeeds));
  EXPECT_NEAR(mean(v), stationary, 4 * se);
  EXPECT_NEAR(mean(brian_v), stationary, 4 * se);
  expect_same_mean(v, brian_v, "mean v");
}

TEST(PoissonInput, ErrorsAreReportedWhereTheInputIsAdded) {
  Network net;
  auto& G = net.add_neuron_group(2, "dv/dt = -v/(10*ms) : volt");
  EXPECT_THROW(net.add_poisson_input(G, "u", 10, 5.0, "1*mV"), soma::Error);    // no u
  EXPECT_THROW(net.add_poisson_input(G, "v", -1, 5.0, "1*mV"), soma::Error);    // N < 0
  EXPECT_THROW(net.add_poisson_input(G, "v", 10, 2e4, "1*mV"), soma::Error);    // rate*dt > 1
  EXPECT_THROW(net.add_poisson_input(G, "v", 10, 5.0, "1*nS"), soma::Error);    // units
  EXPECT_THROW(net.add_poisson_input(G, "v", 10, 5.0, "1*mV +"), soma::Error);  // syntax
}

TEST(TimedArray, DrivenNeuronsSpikeAsInBrian2) {
  const auto ref = reference()["timed"];
  Network net;
  net.set_constant("vl", "-70*mV");
  net.set_constant("R", "10*Mohm");
  net.set_constant("tau", "10*ms");
  net.add_timed_array("base", {0.0, 2.0, 1.2, 2.5, 0.4, 1.8}, 20e-3, "nA");
  net.add_timed_array("extra", {0.0, 0.5, 1.0, 0.3, 0.0, -0.5, 1.0, 0.2, 0.0, 0.0, 0.9, 0.4}, 4, 3,
                      30e-3, "nA");
  auto& G = net.add_neuron_group(
      3, "dv/dt = (vl - v + R*I)/tau : volt (unless refractory)\nI = base(t) + extra(t, i) : amp",
      {.threshold = "v > -55*mV", .reset = "v = vl", .refractory = "3*ms", .method = "euler"});
  G.set("v", "vl");
  auto& m = net.add_spike_monitor(G);
  net.run(0.16);
  std::vector<int64_t> steps;
  for (double t : m.t) steps.push_back(std::llround(t / 1e-4));
  EXPECT_EQ(m.i, ref["i"].get<std::vector<int64_t>>());
  EXPECT_EQ(steps, ref["step"].get<std::vector<int64_t>>());
  EXPECT_GT(m.num_spikes(), 5);
}

TEST(RunRegularly, KicksAndCopiesAsBrian2) {
  // tests/reference/snn_run_regularly.py: a kick every 1 ms (skipped while refractory)
  // and a TimedArray copied every step, recorded after the operations at each start.
  std::ifstream in(std::string(SOMA_SOURCE_DIR) + "/tests/reference/data/snn_run_regularly.json");
  ASSERT_TRUE(in) << "tests/reference/data/snn_run_regularly.json";
  const auto ref = nlohmann::json::parse(in);
  Network net;
  net.add_timed_array("ramp", {0, 1, 2, 3}, 5e-3);
  auto& G = net.add_neuron_group(
      2, "dv/dt = -v/(10*ms) : 1 (unless refractory)\nx : 1",
      {.threshold = "v > 1", .reset = "v = 0", .refractory = "1.5*ms", .method = "exact"});
  G.run_regularly("v += 0.3*(i + 1)", "1*ms");
  G.run_regularly("x = ramp(t)");
  auto& m = net.add_spike_monitor(G);
  auto& s = net.add_state_monitor(G, {"v", "x"}, {0, 1});
  net.run(0.02);
  std::vector<int64_t> steps;
  for (double t : m.t) steps.push_back(std::llround(t / 1e-4));
  EXPECT_EQ(m.i, ref["i"].get<std::vector<int64_t>>());
  EXPECT_EQ(steps, ref["step"].get<std::vector<int64_t>>());
  const auto v0 = ref["v0"].get<std::vector<double>>(), v1 = ref["v1"].get<std::vector<double>>();
  const auto x0 = ref["x0"].get<std::vector<double>>();
  ASSERT_EQ(s.values["v"][0].size(), v0.size());
  for (size_t k = 0; k < v0.size(); ++k) {
    // Exact integration on both sides: only the rounding of exp(-dt/tau) differs.
    EXPECT_NEAR(s.values["v"][0][k], v0[k], 1e-12) << k;
    EXPECT_NEAR(s.values["v"][1][k], v1[k], 1e-12) << k;
    EXPECT_EQ(s.values["x"][0][k], x0[k]) << k;
  }
  EXPECT_GT(m.num_spikes(), 5);
  EXPECT_THROW(G.run_regularly("v += 1", "0.15*ms"), soma::Error);  // not whole steps
  EXPECT_THROW(G.run_regularly("v += 1", "1*mV"), soma::Error);     // not a time
  EXPECT_THROW(G.run_regularly("v += ", ""), soma::Error);          // syntax
  Network bad;
  bad.add_neuron_group(1, "v : 1").run_regularly("u = 1");
  EXPECT_THROW(bad.run(1e-4), soma::Error);  // no such variable
}

TEST(PoissonGroup, FusedThresholdDrawsAsTheUnfusedOne) {
  // The interpreter runs `rand() < rates*dt` as one pass (expr's rand_lt_mul) and
  // `rand() < x` likewise (rand_lt); `rates*dt > rand()` and `rand() < rates*dt + 0` take
  // the plain passes. The same draws in the same order: the same spikes, exactly.
  auto spikes = [](const std::string& threshold) {
    Network net({.seed = 7});
    auto& g = net.add_neuron_group(500, "rates : Hz", {.threshold = threshold, .name = "P"});
    g.set("rates", std::vector<double>(500, 150.0));
    auto& m = net.add_spike_monitor(g);
    net.run(0.05);
    return std::pair{m.i, m.t};
  };
  const auto fused = spikes("rand() < rates*dt");
  EXPECT_GT(fused.first.size(), 3000u);  // 500 * 150 Hz * 50 ms = 3750 expected
  EXPECT_EQ(fused, spikes("rates*dt > rand()"));
  EXPECT_EQ(fused, spikes("rand() < rates*dt + 0"));
}
