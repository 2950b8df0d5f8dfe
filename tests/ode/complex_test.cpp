// Complex systems (soma/ode/complex.hpp) against SciPy 1.10's solve_ivp with a complex y0
// (tests/reference/ode_complex_reference.py): SciPy's own test problem (test_ivp.py,
// test_integration_complex: dy/dt = -y, y0 = 0.5 + 1j) and a two-level Schrodinger system
// dy/dt = -i H y, whose solution is also known in closed form. soma's step control and
// norms are SciPy's, so the steps, their times and the evaluation counts are SciPy's.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <string>
#include <vector>

#include "problems.hpp"
#include "soma/core/error.hpp"
#include "soma/ode/complex.hpp"
#include "soma/ode/ode.hpp"

namespace {
using namespace soma::ode;
using soma::ode::test::read_reference;

const std::vector<double>& reference(const std::string& name) {
  static const auto data = read_reference("ode_complex_reference.txt");
  return data.at(name);
}

// Complex values from the (re, im) pairs of a record.
std::vector<Complex> ref_complex(const std::string& name) {
  const auto& v = reference(name);
  std::vector<Complex> out;
  for (std::size_t i = 0; i + 1 < v.size(); i += 2) out.emplace_back(v[i], v[i + 1]);
  return out;
}

void decay(double, std::span<const Complex> y, std::span<Complex> dy) {
  for (std::size_t i = 0; i < y.size(); ++i) dy[i] = -y[i];
}
void decay_jac(double, std::span<const Complex> y, std::span<Complex> jac) {
  const std::size_t n = y.size();
  for (std::size_t i = 0; i < n * n; ++i) jac[i] = i % (n + 1) == 0 ? -1.0 : 0.0;
}

// H = [[1, 1/2], [1/2, -1]]; H^2 = (5/4) I, so expm(-i H t) = cos(w t) I - i sin(w t) H / w
// with w = sqrt(5/4).
constexpr double kH[2][2] = {{1, 0.5}, {0.5, -1}};
void schrodinger(double, std::span<const Complex> y, std::span<Complex> dy) {
  for (int i = 0; i < 2; ++i) dy[i] = Complex(0, -1) * (kH[i][0] * y[0] + kH[i][1] * y[1]);
}
void schrodinger_jac(double, std::span<const Complex>, std::span<Complex> jac) {
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) jac[i * 2 + j] = Complex(0, -kH[i][j]);
}
std::vector<Complex> schrodinger_exact(double t) {  // from y0 = (1, 0)
  const double w = std::sqrt(1.25);
  const Complex s(0, -std::sin(w * t) / w);
  return {std::cos(w * t) + s * kH[0][0], s * kH[1][0]};
}

struct Case {
  const char* problem;
  Method method;
  bool jac;
};
std::string key(const Case& c) {
  return std::string(c.problem) + "_" + method_name(c.method) + (c.jac ? "_jac" : "_fd");
}

struct System {
  ComplexRhs f;
  ComplexJacobian jac;
  TimeSpan span;
  std::vector<Complex> y0;
  double rtol, atol;
};
System system(const Case& c) {
  if (std::string(c.problem) == "decay")
    return {decay, c.jac ? ComplexJacobian(decay_jac) : nullptr, {0, 1}, {{0.5, 1}}, 1e-3, 1e-6};
  return {schrodinger, c.jac ? ComplexJacobian(schrodinger_jac) : nullptr,
          {0, 10},     {{1, 0}, {0, 0}},
          1e-6,        1e-9};
}

// SciPy's counts [steps, nfev, njev, nlu, calls] against soma's. soma's nfev counts every
// evaluation of f, SciPy's calls; SciPy's nfev leaves out those of its finite-difference
// Jacobian (which soma's complex BDF takes as SciPy's num_jac does).
void expect_counts(const ComplexResult& r, const std::vector<double>& want,
                   const std::string& what) {
  EXPECT_EQ(r.nsteps, static_cast<std::int64_t>(want[0])) << what;
  EXPECT_EQ(r.nfev, static_cast<std::int64_t>(want[4])) << what;
  EXPECT_EQ(r.njev, static_cast<std::int64_t>(want[2])) << what;
  EXPECT_EQ(r.nlu, static_cast<std::int64_t>(want[3])) << what;
}

void expect_near(std::span<const Complex> got, std::span<const Complex> want, double tol,
                 const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_LE(std::abs(got[i] - want[i]), tol * (1 + std::abs(want[i])))
        << what << " [" << i << "]: " << got[i] << " vs " << want[i];
}

class ComplexScipy : public ::testing::TestWithParam<Case> {};

TEST_P(ComplexScipy, StepsAndCountsMatchScipy) {
  const Case c = GetParam();
  const System s = system(c);
  const ComplexResult r = solve_ivp(
      s.f, s.span, s.y0, {.method = c.method, .rtol = s.rtol, .atol = s.atol, .jac = s.jac});
  ASSERT_EQ(r.status, Status::Success) << r.message;
  expect_counts(r, reference(key(c) + "_counts"), key(c));
  const auto& t = reference(key(c) + "_t");
  ASSERT_EQ(r.t.size(), t.size()) << key(c);
  // The same steps, rounded differently: BDF's error estimate is a difference of nearby
  // states (relative rounding ~1e-16 / rtol), and soma's DOP853 takes the step-size
  // controller's power to 3e-7 (explicit_rk.hpp's inv_16th_root).
  const double t_tol = c.method == Method::DOP853 ? 1e-6 : 1e-9;
  for (std::size_t i = 0; i < t.size(); ++i)
    EXPECT_NEAR(r.t[i], t[i], t_tol * (1 + std::fabs(t[i]))) << key(c) << " step " << i;
  const auto y = ref_complex(key(c) + "_y");
  const auto& got = r.states.data();
  if (y.size() == got.size())
    expect_near(got, y, 1e-10, key(c) + " states");
  else
    expect_near(r.states.back(), y, 1e-10, key(c) + " final state");
}

TEST_P(ComplexScipy, DenseOutputAndTevalMatchScipy) {
  const Case c = GetParam();
  const System s = system(c);
  const std::string problem = c.problem;
  const auto& tc = reference(problem + "_tc");
  const ComplexResult d = solve_ivp(
      s.f, s.span, s.y0,
      {.method = c.method, .rtol = s.rtol, .atol = s.atol, .dense_output = true, .jac = s.jac});
  ASSERT_EQ(d.status, Status::Success) << d.message;
  ASSERT_FALSE(d.sol.empty());
  EXPECT_EQ(d.sol.dim(), s.y0.size());
  expect_counts(d, reference(key(c) + "_dense_counts"), key(c) + " dense");
  std::vector<Complex> dense;
  for (double t : tc) {
    const auto v = d.sol(t);
    dense.insert(dense.end(), v.begin(), v.end());
  }
  expect_near(dense, ref_complex(key(c) + "_dense"), 1e-10, key(c) + " sol(t)");

  const ComplexResult e =
      solve_ivp(s.f, s.span, s.y0,
                {.method = c.method, .rtol = s.rtol, .atol = s.atol, .t_eval = tc, .jac = s.jac});
  ASSERT_EQ(e.status, Status::Success) << e.message;
  EXPECT_EQ(e.nfev, static_cast<std::int64_t>(reference(key(c) + "_teval_counts")[4]))
      << key(c) << " t_eval";
  ASSERT_EQ(e.t.size(), tc.size());
  expect_near(e.states.data(), ref_complex(key(c) + "_teval"), 1e-10, key(c) + " t_eval");
}

// SciPy's own acceptance test (test_integration_complex), and the closed form of the
// Schrodinger system: the error in units of the tolerance stays small.
TEST_P(ComplexScipy, CloseToTheExactSolution) {
  const Case c = GetParam();
  const System s = system(c);
  const ComplexResult r = solve_ivp(
      s.f, s.span, s.y0,
      {.method = c.method, .rtol = s.rtol, .atol = s.atol, .dense_output = true, .jac = s.jac});
  ASSERT_EQ(r.status, Status::Success);
  EXPECT_EQ(r.t.front(), s.span.t0);
  const bool is_decay = std::string(c.problem) == "decay";
  auto exact = [&](double t) {
    return is_decay ? std::vector<Complex>{Complex(0.5, 1) * std::exp(-t)} : schrodinger_exact(t);
  };
  // SciPy's compute_error: the RMS over components of |y - y_true| / (atol + rtol |y_true|).
  auto error = [&](std::span<const Complex> y, double t) {
    const auto want = exact(t);
    double s2 = 0;
    for (std::size_t k = 0; k < want.size(); ++k) {
      const double e = std::abs(y[k] - want[k]) / (s.atol + s.rtol * std::abs(want[k]));
      s2 += e * e;
    }
    return std::sqrt(s2 / static_cast<double>(want.size()));
  };
  // The global error of the Schrodinger system grows over its ~3.5 periods, BDF's most
  // (its phase error; SciPy's states are the same, see above).
  const double bound = is_decay ? 5 : c.method == Method::BDF ? 200 : 50;
  for (std::size_t i = 0; i < r.t.size(); ++i)
    EXPECT_LT(error(r.states[i], r.t[i]), bound) << key(c) << " t=" << r.t[i];
  for (double t : reference(std::string(c.problem) + "_tc"))
    EXPECT_LT(error(r.sol(t), t), bound) << key(c) << " sol(" << t << ")";
  if (is_decay) {  // SciPy's bounds, on its nfev: without the finite-difference
                   // Jacobian's evaluations (f at y and one increment for y's one component)
    const std::int64_t fd_calls = c.method == Method::BDF && !c.jac ? 2 * r.njev : 0;
    EXPECT_LT(r.nfev - fd_calls, c.method == Method::DOP853 ? 35 : 25);
    EXPECT_EQ(r.njev, c.method == Method::BDF ? 1 : 0);
    EXPECT_LT(r.nlu, c.method == Method::BDF ? 6 : 1);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Methods, ComplexScipy,
    ::testing::Values(Case{"decay", Method::RK23, false}, Case{"decay", Method::RK45, false},
                      Case{"decay", Method::DOP853, false}, Case{"decay", Method::BDF, false},
                      Case{"decay", Method::BDF, true}, Case{"schrodinger", Method::RK23, false},
                      Case{"schrodinger", Method::RK45, false},
                      Case{"schrodinger", Method::DOP853, false},
                      Case{"schrodinger", Method::BDF, false},
                      Case{"schrodinger", Method::BDF, true}),
    [](const ::testing::TestParamInfo<Case>& p) {
      return std::string(p.param.problem) + "_" + method_name(p.param.method) +
             (p.param.jac ? "_jac" : "_fd");
    });

// The fixed-step methods have no norm: the complex system steps exactly as its real and
// imaginary parts written out by hand.
TEST(ComplexOde, FixedStepIsTheRealSystemOfTheParts) {
  auto real = [](double, std::span<const double> x, std::span<double> dx) {
    // -i H (a + i b) = H b - i H a, with y_k = x[2k] + i x[2k + 1].
    for (int i = 0; i < 2; ++i) {
      dx[2 * i] = kH[i][0] * x[1] + kH[i][1] * x[3];
      dx[2 * i + 1] = -(kH[i][0] * x[0] + kH[i][1] * x[2]);
    }
  };
  for (Method m : {Method::Euler, Method::RK4}) {
    const Result a = solve_ivp(real, {0, 2}, {1, 0, 0, 0}, {.method = m, .first_step = 0.01});
    const ComplexResult b = solve_ivp(schrodinger, {0, 2}, {Complex(1, 0), Complex(0, 0)},
                                      {.method = m, .first_step = 0.01});
    ASSERT_EQ(a.t.size(), b.t.size());
    for (std::size_t i = 0; i < a.t.size(); ++i)
      for (std::size_t k = 0; k < 2; ++k) {
        EXPECT_EQ(b.states(i, k).real(), a.states(i, 2 * k)) << method_name(m);
        EXPECT_EQ(b.states(i, k).imag(), a.states(i, 2 * k + 1)) << method_name(m);
      }
    EXPECT_EQ(a.nfev, b.nfev);
  }
}

// y = e^{-i omega t}: Re y = cos(omega t) first falls through zero at t = pi / (2 omega).
TEST(ComplexOde, TerminalEventOnTheRealPart) {
  const double omega = 3;
  auto f = [omega](double, std::span<const Complex> y, std::span<Complex> dy) {
    dy[0] = Complex(0, -omega) * y[0];
  };
  ComplexEvent crossing{.fn = [](double, std::span<const Complex> y) { return y[0].real(); },
                        .terminal = true,
                        .direction = -1};
  for (Method m : {Method::RK45, Method::DOP853, Method::BDF}) {
    const ComplexResult r =
        solve_ivp(f, {0, 10}, {Complex(1, 0)},
                  {.method = m, .rtol = 1e-8, .atol = 1e-10, .events = {crossing}});
    ASSERT_EQ(r.status, Status::Event) << method_name(m);
    const double t_star = M_PI / (2 * omega);
    ASSERT_EQ(r.t_events.size(), 1u);
    ASSERT_EQ(r.t_events[0].size(), 1u);
    EXPECT_NEAR(r.t_events[0][0], t_star, 1e-6) << method_name(m);
    EXPECT_NEAR(r.t.back(), t_star, 1e-6);
    ASSERT_EQ(r.y_events[0].size(), 1u);
    EXPECT_NEAR(r.y_events[0](0, 0).real(), 0, 1e-6);
    EXPECT_NEAR(r.y_events[0](0, 0).imag(), -1, 1e-6);  // e^{-i pi/2}
  }
}

// Component-major y(j) and y() are SciPy's sol.y, and per-component atol applies to both
// parts of a component.
TEST(ComplexOde, LayoutAndToleranceVector) {
  const std::vector<Complex> y0 = {{1, 0}, {0, 0}};
  const ComplexResult a = solve_ivp(schrodinger, {0, 1}, y0, {.rtol = 1e-6, .atol = 1e-9});
  const ComplexResult b =
      solve_ivp(schrodinger, {0, 1}, y0, {.rtol = 1e-6, .atol_vector = {1e-9, 1e-9}});
  ASSERT_EQ(a.t.size(), b.t.size());
  EXPECT_EQ(a.nfev, b.nfev);
  const auto y = a.y();
  ASSERT_EQ(y.size(), 2u);
  for (std::size_t i = 0; i < a.t.size(); ++i)
    for (std::size_t k = 0; k < 2; ++k) {
      EXPECT_EQ(y[k][i], a.states(i, k));
      EXPECT_EQ(a.y(k)[i], a.states(i, k));
      EXPECT_EQ(b.states(i, k), a.states(i, k));
    }
  EXPECT_THROW(a.y(2), soma::Error);
  // A looser tolerance on the second component alone takes fewer evaluations.
  const ComplexResult c =
      solve_ivp(schrodinger, {0, 1}, y0, {.rtol = 1e-6, .atol_vector = {1e-9, 1e-3}});
  EXPECT_LT(c.nfev, a.nfev);
}

TEST(ComplexOde, InvalidInputIsAnError) {
  const std::vector<Complex> y0 = {{1, 0}};
  for (Method m : {Method::LSODA, Method::Adams, Method::Radau})
    EXPECT_THROW(solve_ivp(decay, {0, 1}, y0, {.method = m}), soma::Error) << method_name(m);
  EXPECT_THROW(solve_ivp(decay, {0, 1}, {Complex(1, NAN)}), soma::Error);
  EXPECT_THROW(solve_ivp(decay, {0, 1}, y0, {.atol_vector = {1e-6, 1e-6}}), soma::Error);
  EXPECT_THROW(solve_ivp(decay, {0, 1}, y0, {.atol_vector = {-1}}), soma::Error);
  EXPECT_THROW(solve_ivp(ComplexRhs{}, {0, 1}, y0), soma::Error);
  EXPECT_THROW(solve_ivp(decay, {0, 1}, y0, {.t_eval = {2}}), soma::Error);
  try {
    solve_ivp(decay, {0, 1}, y0, {.method = Method::Radau});
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("Radau"), std::string::npos) << e.what();
  }
}

}  // namespace
