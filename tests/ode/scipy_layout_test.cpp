// Names borrowed from SciPy mean what they mean there: Result::y(j) is sol.y[j] (component
// j over t; the row-per-time trajectory is Result::states), and odeint accepts SciPy's
// state-first f(y, t) as well as soma's f(t, y).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <span>
#include <vector>

#include "problems.hpp"
#include "soma/core/error.hpp"
#include "soma/ode/inline.hpp"
#include "soma/ode/ode.hpp"

namespace soma::ode {
namespace {

// y0' = -y0, y1' = -3 y1 from (1, 2): y0 = e^-t, y1 = 2 e^-3t. Three times, two components:
// a transposed layout has the wrong shape as well as the wrong values.
TEST(ResultLayout, YIsComponentMajorAsScipy) {
  auto decay = [](double, std::span<const double> y, std::span<double> dy) {
    dy[0] = -y[0];
    dy[1] = -3 * y[1];
  };
  const std::vector<double> t_eval = {0.5, 1.0, 2.0};
  const Result r =
      solve_ivp(decay, {0, 2}, {1, 2}, {.rtol = 1e-10, .atol = 1e-12, .t_eval = t_eval});
  ASSERT_EQ(r.status, Status::Success) << r.message;
  const std::vector<std::vector<double>> y = r.y();  // SciPy's sol.y: shape (2, 3)
  ASSERT_EQ(y.size(), 2u);
  for (std::size_t i = 0; i < t_eval.size(); ++i) {
    ASSERT_EQ(y[0].size(), t_eval.size());
    EXPECT_NEAR(y[0][i], std::exp(-t_eval[i]), 1e-9);
    EXPECT_NEAR(y[1][i], 2 * std::exp(-3 * t_eval[i]), 1e-9);
    EXPECT_EQ(r.y(0)[i], y[0][i]);
    EXPECT_EQ(r.y(1)[i], y[1][i]);
    // states is the row-per-time view of the same numbers.
    EXPECT_EQ(r.states(i, 0), y[0][i]);
    EXPECT_EQ(r.states[i][1], y[1][i]);
  }
  EXPECT_EQ(r.states.size(), t_eval.size());
  EXPECT_EQ(r.states.dim(), 2u);
  EXPECT_THROW(r.y(2), soma::Error);  // SciPy: IndexError
}

// odeint at SciPy's defaults on Lorenz with f written state first, as SciPy's default
// tfirst=False: the same steps as the t-first form (bit for bit) and SciPy's values.
TEST(OdeintStateFirst, SameAsTimeFirstAndScipy) {
  auto state_first = [](std::span<const double> y, double t, std::span<double> dy) {
    test::lorenz(t, y, dy);
  };
  std::vector<double> t(4000);
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = 40.0 * static_cast<double>(i) / 3999;
  const std::vector<double> y0v = {1, 1, 1};
  const std::array<double, 3> y0a = {1, 1, 1};
  const Trajectory want = odeint(test::lorenz, y0a, t);  // t-first, f(t, y, dydt)
  const Trajectory from_vector = odeint(state_first, y0v, t);
  const Trajectory from_array = odeint(state_first, y0a, t);
  const double y0c[3] = {1, 1, 1};
  const Trajectory from_c_array = odeint(state_first, y0c, t);
  ASSERT_EQ(from_vector.size(), t.size());
  EXPECT_EQ(from_vector.data(), want.data());
  EXPECT_EQ(from_array.data(), want.data());
  EXPECT_EQ(from_c_array.data(), want.data());

  // RK45 through the library's steppers, and with f inlined into them (odeint_inline).
  const OdeintOptions rk{.method = Method::RK45, .rtol = 1e-6, .atol = 1e-9};
  const Trajectory rk_want = odeint(test::lorenz, y0a, t, rk);
  EXPECT_EQ(odeint(state_first, y0a, t, rk).data(), rk_want.data());
  EXPECT_EQ(odeint_inline(state_first, y0a, t, rk).data(), rk_want.data());

  const auto& rows = test::lsoda_reference("odeint_lorenz_rows");
  const auto& scipy = test::lsoda_reference("odeint_lorenz_y");
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto i = static_cast<std::size_t>(rows[k]);
    const double bound = t[i] <= 10 ? 1e-5 : 1e-2;  // chaotic: see lsoda_test.cpp
    for (std::size_t j = 0; j < 3; ++j)
      EXPECT_NEAR(from_vector(i, j), scipy[3 * k + j], bound * (1 + std::fabs(scipy[3 * k + j])));
  }
}

// A plain function written state first goes through std::function like an Rhs.
void decay_state_first(std::span<const double> y, double, std::span<double> dy) { dy[0] = -y[0]; }

TEST(OdeintStateFirst, FunctionPointer) {
  const std::vector<double> t = {0, 1, 2};
  const std::vector<double> y0 = {1};
  const Trajectory y = odeint(decay_state_first, y0, t);
  ASSERT_EQ(y.size(), 3u);
  EXPECT_NEAR(y(2, 0), std::exp(-2.0), 1e-7);
}

}  // namespace
}  // namespace soma::ode
