// `(unless refractory)` as Brian2 means it for every way a variable is written: the
// integration stops, and so do writes from a synapse's on_pre and on_post (Brian2's
// conditional write on not_refractory); a reset and setting the variable from outside
// still write. Traces from tests/reference/snn_unless_refractory.py (Brian2 2.5, numpy
// target), which describes the network. soma applied on_pre / on_post writes during
// refractoriness: P.v took the input at 3 ms (0.5 -> 1.1), P spiked again at 7.2 ms,
// and Q[0]'s u took P's spike while Q[0] was refractory.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "soma/snn/network.hpp"

using namespace soma::snn;

namespace {

nlohmann::json reference() {
  std::ifstream in(std::string(SOMA_SOURCE_DIR) +
                   "/tests/reference/data/snn_unless_refractory.json");
  EXPECT_TRUE(in) << "tests/reference/data/snn_unless_refractory.json";
  return nlohmann::json::parse(in);
}

void expect_trace(const std::vector<double>& got, const nlohmann::json& ref, const char* name) {
  const auto want = ref.get<std::vector<double>>();
  ASSERT_EQ(got.size(), want.size()) << name;
  // Exact integration on both sides: only the rounding of exp(-dt/tau) differs.
  for (size_t k = 0; k < want.size(); ++k)
    EXPECT_NEAR(got[k], want[k], 1e-12) << name << " at step " << k;
}

class UnlessRefractory : public ::testing::TestWithParam<bool> {};

TEST_P(UnlessRefractory, SynapticWritesWaitAsInBrian2) {
  const auto ref = reference();
  Network net({.jit = GetParam()});
  auto& p = net.add_neuron_group(
      1, "dv/dt = -v/(10*ms) : 1 (unless refractory)\ndw/dt = -w/(10*ms) : 1",
      {.threshold = "v > 1", .reset = "v = 0", .refractory = "5*ms", .method = "exact"});
  auto& q = net.add_neuron_group(
      2, "du/dt = -u/(10*ms) : 1 (unless refractory)",
      {.threshold = "i == 0 and ((t >= 1*ms and t < 1.05*ms) or (t >= 2*ms and t < 2.05*ms) or "
                    "(t >= 3*ms and t < 3.05*ms) or (t >= 9*ms and t < 9.05*ms))",
       .refractory = "0.5*ms",
       .method = "exact"});
  auto& s =
      net.add_synapses(q, p, {.on_pre = "v_post += 0.6\nw_post += 0.6", .on_post = "u_pre += 1"});
  s.connect({0, 1}, {0, 0});
  auto& mp = net.add_state_monitor(p, {"v", "w"}, {0});
  auto& mq = net.add_state_monitor(q, {"u"}, {0, 1});
  auto& spikes = net.add_spike_monitor(p);
  net.run(2.3e-3);
  p.set("v", 0.5);  // while refractory: Brian2 sets it all the same
  net.run(10e-3);

  const auto want_spikes = ref["p_spikes_ms"].get<std::vector<double>>();
  ASSERT_EQ(spikes.t.size(), want_spikes.size());
  for (size_t k = 0; k < want_spikes.size(); ++k)
    EXPECT_NEAR(spikes.t[k] * 1e3, want_spikes[k], 1e-9);
  expect_trace(mp.values["v"][0], ref["v"], "P.v");
  expect_trace(mp.values["w"][0], ref["w"], "P.w");
  expect_trace(mq.values["u"][0], ref["u0"], "Q.u[0]");
  expect_trace(mq.values["u"][1], ref["u1"], "Q.u[1]");
}

INSTANTIATE_TEST_SUITE_P(Jit, UnlessRefractory, ::testing::Bool(), [](const auto& param_info) {
  return param_info.param ? "jit" : "interpreter";
});

}  // namespace
