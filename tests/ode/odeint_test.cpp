// odeint_inline (soma/ode/inline.hpp), which inlines f into the explicit steppers, against
// the library's odeint (f through std::function), which odeint(lambda, ...) of
// soma/ode/ode.hpp runs; LSODA's start on Adams; errors at the requested times against
// closed forms.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "problems.hpp"
#include "soma/core/error.hpp"
#include "soma/ode/detail/explicit_rk.hpp"
#include "soma/ode/inline.hpp"
#include "soma/ode/ode.hpp"

namespace {
using namespace soma::ode;

// Number of values that differ in any bit (NaN never occurs here).
std::size_t mismatches(const Trajectory& a, const Trajectory& b) {
  if (a.data().size() != b.data().size()) return a.data().size() + b.data().size();
  std::size_t bad = 0;
  for (std::size_t i = 0; i < a.data().size(); ++i) bad += a.data()[i] != b.data()[i];
  return bad;
}

// The harmonic oscillator x'' = -x as a function object (one type: one instantiation of
// odeint_inline's template for all the tests below).
struct Oscillator {
  void operator()(double, std::span<const double> y, std::span<double> dy) const {
    dy[0] = y[1];
    dy[1] = -y[0];
  }
};

std::vector<double> grid(double t0, double t1, double dt) {
  std::vector<double> t;
  for (int i = 0; t0 + i * dt <= t1 + 1e-12; ++i) t.push_back(t0 + i * dt);
  return t;
}

// The same stepper code runs either way, with f inlined or called through std::function:
// the results agree to the last bit, over the whole chaotic run where any difference in
// rounding would grow to O(1). odeint(lambda, std::array) is the library's path itself.
TEST(OdeintTemplate, SameAsLibraryBitForBitOnLorenz) {
  auto lorenz = [](double t, std::span<const double> y, std::span<double> dy) {
    test::lorenz(t, y, dy);
  };
  const std::array<double, 3> y0 = {1, 1, 1};
  const std::vector<double> t = grid(0, 40, 0.01);
  for (Method m : {Method::LSODA, Method::RK45, Method::DOP853})
    for (double rtol : {1e-4, 1e-6, 1e-9}) {
      const OdeintOptions o{.method = m, .rtol = rtol, .atol = rtol * 1e-3};
      const Trajectory a = odeint(Rhs(lorenz), y0, t, o);
      const Trajectory b = odeint_inline(lorenz, y0, t, o);
      ASSERT_EQ(b.size(), t.size());
      EXPECT_EQ(mismatches(a, b), 0u) << method_name(m) << " rtol " << rtol;
      EXPECT_EQ(mismatches(a, odeint(lorenz, y0, t, o)), 0u) << method_name(m) << " rtol " << rtol;
    }
}

// Through the automatic method's switch to BDF (Robertson: Adams, then BDF).
// Here f's own arithmetic may round differently once inlined (GCC contracts a * b + c into
// an FMA depending on the context), so the paths agree to far below the tolerance rather
// than to the bit.
TEST(OdeintTemplate, SameAsLibraryThroughStiffSwitches) {
  auto robertson = [](double t, std::span<const double> y, std::span<double> dy) {
    test::robertson(t, y, dy);
  };
  const std::array<double, 3> y0 = {1, 0, 0};
  std::vector<double> t = {0};
  for (double s = 1e-5; s <= 4e10; s *= 1.5) t.push_back(s);
  for (double rtol : {1e-3, 1e-6}) {
    const OdeintOptions o{.rtol = rtol, .atol = rtol * 1e-4};
    const Trajectory a = odeint(Rhs(robertson), y0, t, o);
    const Trajectory b = odeint_inline(robertson, y0, t, o);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.data().size(); ++i)
      ASSERT_NEAR(b.data()[i], a.data()[i], 1e-3 * rtol * std::fabs(a.data()[i]) + 1e-20)
          << "rtol " << rtol << " row " << i / 3;
    EXPECT_NEAR(b.back()[0] + b.back()[1] + b.back()[2], 1.0, 1e-6);  // mass is conserved
  }
}

// DOP853's dense output at many times per step (odeint interpolates every requested time
// inside the step that passed it): x = cos t, v = -sin t, with errors that shrink with the
// tolerance, at exactly the requested times.
TEST(OdeintTemplate, Dop853DenseOutputMatchesOscillator) {
  const Oscillator osc;
  const std::vector<double> t = grid(0, 20, 0.01);
  double previous = 1;
  for (double tol : {1e-6, 1e-9, 1e-12}) {
    for (Method m : {Method::DOP853, Method::LSODA}) {
      const Trajectory y = odeint_inline(osc, std::array<double, 2>{1, 0}, t,
                                         {.method = m, .rtol = tol, .atol = tol});
      ASSERT_EQ(y.size(), t.size());
      EXPECT_EQ(y(0, 0), 1.0);
      EXPECT_EQ(y(0, 1), 0.0);
      double err = 0;
      for (std::size_t i = 0; i < t.size(); ++i)
        err = std::max(
            {err, std::fabs(y(i, 0) - std::cos(t[i])), std::fabs(y(i, 1) + std::sin(t[i]))});
      EXPECT_LT(err, 300 * tol) << method_name(m) << " tol " << tol;
      EXPECT_LT(err, previous) << method_name(m) << " tol " << tol;
      if (m == Method::LSODA) previous = err;
    }
  }
}

// Backward times, repeated times and times equal to the initial one.
TEST(OdeintTemplate, BackwardAndRepeatedTimes) {
  const Oscillator osc;
  const double y0[2] = {std::cos(5.0), -std::sin(5.0)};
  const std::vector<double> t = {5, 5, 4, 3.5, 3.5, 1, 0};
  const OdeintOptions o{.rtol = 1e-10, .atol = 1e-12};
  const Trajectory y = odeint_inline(osc, y0, t, o);
  ASSERT_EQ(y.size(), t.size());
  EXPECT_EQ(y(1, 0), y0[0]);
  EXPECT_EQ(y(1, 1), y0[1]);
  EXPECT_EQ(y(3, 0), y(4, 0));
  for (std::size_t i = 0; i < t.size(); ++i) EXPECT_NEAR(y(i, 0), std::cos(t[i]), 1e-8);
  EXPECT_EQ(mismatches(y, odeint(Rhs(osc), y0, t, o)), 0u);
  // A braced y0 (a C array deduced) through std::function and inlined: the same steps.
  EXPECT_EQ(mismatches(y, odeint(osc, {std::cos(5.0), -std::sin(5.0)}, t, o)), 0u);
  EXPECT_EQ(mismatches(y, odeint_inline(osc, {std::cos(5.0), -std::sin(5.0)}, t, o)), 0u);
}

// Invalid output times name the offending index.
TEST(OdeintTemplate, InvalidTimesThrow) {
  const Oscillator osc;
  const std::array<double, 2> y0 = {1, 0};
  auto message = [&](std::vector<double> t) {
    try {
      odeint_inline(osc, y0, t);
    } catch (const soma::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({0, 1, NAN}).find("t[2] is not finite"), std::string::npos);
  EXPECT_NE(message({0, 1, 0.5, 2}).find("monotonic (at index 2)"), std::string::npos);
  EXPECT_NE(message({}).find("empty"), std::string::npos);
}

// LSODA starts every problem with Adams, whatever the tolerance, and a non-stiff one stays
// there (ODEPACK; the switcher it replaced chose RK45 or DOP853 by tolerance).
TEST(Lsoda, NonStiffStaysWithAdams) {
  const Oscillator osc;
  for (double rtol : {1e-3, 1e-4, 1e-8}) {
    Result r = solve_ivp(osc, {0, 1}, {1.0, 0.0}, {.method = Method::LSODA, .rtol = rtol});
    ASSERT_EQ(r.methods.size(), 1u);
    EXPECT_EQ(r.methods[0].method, Method::Adams) << "rtol " << rtol;
    EXPECT_EQ(r.njev, 0) << "rtol " << rtol;
  }
}

// The step-size controller's power x^(-1/16) (DOP853's err^(-1/8) from err^2) against
// std::pow, over the range where the controller's factor is not clamped and beyond.
TEST(ExplicitRk, ControllerPowerMatchesPow) {
  for (double e10 = -29.9; e10 <= 29.9; e10 += 0.0137) {
    const double x = std::pow(10.0, e10);
    EXPECT_NEAR(detail::inv_16th_root(x) / std::pow(x, -1.0 / 16), 1.0, 3e-7) << "x = " << x;
  }
  // Beyond 1e-30 .. 1e30 the factor 0.9 x^(-1/16) is clamped to [0.2, 10] anyway.
  EXPECT_GT(0.9 * detail::inv_16th_root(1e-300), 10.0);
  EXPECT_LT(0.9 * detail::inv_16th_root(1e300), 0.2);
}

}  // namespace
