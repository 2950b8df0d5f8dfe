// Units in C++ (soma/core/units.hpp): dimensions checked at compile time, SI values, and
// NeuronGroup::set / Network::set_constant taking quantities and braced lists.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/core/units.hpp"
#include "soma/snn/network.hpp"

namespace {

using namespace soma::units;
using soma::snn::Network;

// What must not compile is tested by concepts (a deleted operator fails the requirement).
template <class A, class B>
concept Addable = requires(A a, B b) {
  a + b;
};
template <class A, class B>
concept Comparable = requires(A a, B b) {
  a < b;
};

static_assert(Addable<decltype(ms), decltype(ms)>);
static_assert(!Addable<decltype(ms), decltype(mV)>);  // 10 ms + 5 mV
static_assert(!Addable<decltype(ms), double>);        // 10 ms + 1
static_assert(!Addable<int, decltype(nA)>);
static_assert(!Comparable<decltype(mV), decltype(nA)>);
static_assert(!Comparable<decltype(mV), double>);
static_assert(Addable<decltype(ms / ms), double>);  // dimensionless mixes with numbers
// Products and quotients carry their dimensions: I / g is a voltage, C / g a time, 1/s a rate.
static_assert((nA / nS).dimension == dims::volt);
static_assert((pF / nS).dimension == dims::second);
static_assert((1 / ms).dimension == Hz.dimension);
static_assert((mV * nS).dimension == dims::amp);
static_assert(sizeof(Quantity<dims::volt>) == sizeof(double));  // nothing at run time

TEST(Units, ValuesAreSi) {
  EXPECT_DOUBLE_EQ(-70 * mV, -0.07);
  EXPECT_DOUBLE_EQ(0.7 * nA, 0.7e-9);
  EXPECT_DOUBLE_EQ(100 * pF, 1e-10);
  EXPECT_DOUBLE_EQ(20 * kHz, 2e4);
  EXPECT_DOUBLE_EQ((1.0 * nA / (5 * nS)).si(), 0.2);  // 0.2 V
  EXPECT_DOUBLE_EQ(10 * ms + 5 * ms, 0.015);
  EXPECT_TRUE(-70 * mV < -50 * mV);
  EXPECT_DOUBLE_EQ(-(70 * mV), -0.07);
  EXPECT_DOUBLE_EQ(1 / (10 * ms), 100.0);
}

// dv/dt = (v_inf - v)/tau with tau and v_inf given as quantities: v(t) = v_inf (1 - e^-t/tau)
// from v = 0 ("exact" integrates it exactly).
TEST(Units, NeuronGroupAndConstantsTakeQuantities) {
  Network net({.dt = 0.1 * ms});
  net.set_constant("tau", 10 * ms);  // a time: the equations' units check it
  auto& g =
      net.add_neuron_group(3, "dv/dt = (v_inf - v)/tau : volt\nv_inf : volt", {.method = "exact"});
  g.set("v_inf", {10 * mV, -20 * mV, 50 * mV});
  g.set("v", 0 * mV);
  net.run(50 * ms);
  const std::vector<double> want = {0.01, -0.02, 0.05};
  for (std::size_t k = 0; k < 3; ++k)
    EXPECT_NEAR(g.get("v")[k], want[k] * (1 - std::exp(-5.0)), 1e-14);
  EXPECT_DOUBLE_EQ(net.constant("tau"), 0.01);

  g.set("v_inf", std::vector{1 * mV, 2 * mV, 3 * mV});
  EXPECT_DOUBLE_EQ(g.get("v_inf")[2], 0.003);
  g.set("v_inf", -65 * mV);
  EXPECT_DOUBLE_EQ(g.get("v_inf")[1], -0.065);
  // Wrong dimensions are caught where the variable's unit is known: at set().
  EXPECT_THROW(g.set("v", 0.7 * nA), soma::Error);
  EXPECT_THROW(g.set("v_inf", {1 * nA, 2 * nA, 3 * nA}), soma::Error);
  EXPECT_THROW(g.set("w", 1 * mV), soma::Error);  // no such variable
}

// A constant set as a bare double is dimensionless (the old way): the equations reject it,
// which is what the quantity form above avoids.
TEST(Units, DimensionlessConstantIsRejectedByTheEquations) {
  Network net;
  net.set_constant("tau", 0.01);
  net.add_neuron_group(1, "dv/dt = -v/tau : volt");
  EXPECT_THROW(net.run(1 * ms), soma::Error);
}

// Braced lists of plain doubles (SI) pick the per-neuron overload, without std::vector.
TEST(Units, BracedListOfDoubles) {
  Network net;
  auto& g = net.add_neuron_group(3, "I : amp");
  g.set("I", {0.7e-9, 0.5e-9, 0});
  EXPECT_EQ(g.get("I"), (std::vector<double>{0.7e-9, 0.5e-9, 0}));
  g.set("I", {0.7 * nA, 0.5 * nA, 0 * nA});
  EXPECT_EQ(g.get("I"), (std::vector<double>{0.7e-9, 0.5e-9, 0}));
}

TEST(Units, SynapsesTakeQuantities) {
  Network net;
  auto& g = net.add_neuron_group(2, "dv/dt = -v/(10*ms) : volt");
  auto& s = net.add_synapses(g, g, {.model = "w : siemens", .on_pre = "v_post += 1*mV"});
  s.connect({0, 1}, {1, 0});
  s.set("w", {0.5 * nS, 1 * nS});
  EXPECT_EQ(s.get("w"), (std::vector<double>{0.5e-9, 1e-9}));
  s.set("delay", 2 * ms);
  EXPECT_EQ(s.get("delay"), (std::vector<double>{0.002, 0.002}));
  s.set("delay", {1e-3, 3e-3});
  EXPECT_EQ(s.get("delay"), (std::vector<double>{1e-3, 3e-3}));
  EXPECT_THROW(s.set("w", 1 * mV), soma::Error);
  EXPECT_THROW(s.set("delay", 1 * mV), soma::Error);
  EXPECT_THROW(s.set("x", 1 * nS), soma::Error);
}

}  // namespace
