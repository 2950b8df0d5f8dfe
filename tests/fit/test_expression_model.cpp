// Expression-string models: the symbolic Jacobian against dual numbers, the fit
// against the same model written in C++, and the errors a user meets.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/core/random.hpp"
#include "soma/fit/expression_model.hpp"

namespace fit = soma::fit;

namespace {

TEST(ExpressionModel, JacobianMatchesDualNumbers) {
  const fit::ExpressionModel model("init*exp(-x/tau) + c*sin(x)**2", {"tau", "init", "c"});
  const std::vector<double> x{0.0, 0.5, 3.0, 17.0}, p{4.0, 2.5, 0.3};
  std::vector<double> values(4), jac(12);
  model.evaluate(x, p, values, jac);
  for (size_t i = 0; i < x.size(); ++i) {
    using D = fit::Dual<3>;
    const D tau = D::variable(p[0], 0), init = D::variable(p[1], 1), c = D::variable(p[2], 2);
    const D s = sin(D(x[i]));
    const D f = init * exp(-x[i] / tau) + c * s * s;
    EXPECT_NEAR(values[i], f.v, 1e-14);
    for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(jac[i + k * 4], f.d[k], 1e-13) << i << " " << k;
  }
}

// Every operation fit's lowering compiles (shared subexpressions,
// parameter-only parts, divisions by parameters, integer and real powers,
// library functions), against the same model in dual numbers.
TEST(ExpressionModel, FusedOperationsMatchDualNumbers) {
  const fit::ExpressionModel model(
      "a*x**2 - b/x + sqrt(x)*cos(c*x)/a + 2*pi*tanh(x/b) - exp(-x/b)**3 + x**c + log(x)/b + "
      "abs(sin(x))*a**-2 + log10(x*c) + tan(x/10)*b + a*mV",
      {"a", "b", "c"});
  const std::vector<double> x{0.5, 1.0, 2.5, 7.0, 13.0}, p{1.5, -2.0, 0.7};
  std::vector<double> values(x.size()), jac(x.size() * 3);
  model.evaluate(x, p, values, jac);
  std::vector<double> only(x.size());
  model.evaluate(x, p, only, {});
  using D = fit::Dual<3>;
  const D a = D::variable(p[0], 0), b = D::variable(p[1], 1), c = D::variable(p[2], 2);
  for (size_t i = 0; i < x.size(); ++i) {
    const double xi = x[i];
    const D e = exp(-xi / b);
    const D f = a * xi * xi - b / xi + std::sqrt(xi) * cos(c * xi) / a + 2 * M_PI * tanh(xi / b) -
                e * e * e + pow(D(xi), c) + std::log(xi) / b + std::abs(std::sin(xi)) / (a * a) +
                log10(xi * c) + std::tan(xi / 10) * b + a * 1e-3;
    EXPECT_NEAR(values[i], f.v, 1e-13 * (1 + std::abs(f.v))) << i;
    EXPECT_NEAR(only[i], f.v, 1e-13 * (1 + std::abs(f.v))) << i;
    for (size_t k = 0; k < 3; ++k)
      EXPECT_NEAR(jac[i + k * x.size()], f.d[k], 1e-12 * (1 + std::abs(f.d[k]))) << i << " " << k;
  }
}

// normal_equations: the one-pass sums equal those formed from evaluate(); a model with
// clip (which fit's own interpreter once declined) has them too and fits.
TEST(ExpressionModel, NormalEquationsMatchEvaluate) {
  const fit::ExpressionModel model("init*exp(-x/tau) + c", {"tau", "init", "c"});
  std::vector<double> x, y, w;
  for (int i = 0; i < 333; ++i) {
    x.push_back(i * 0.3);
    y.push_back(std::cos(i * 0.1) + 5 * std::exp(-x.back() / 7));
    w.push_back(1.0 + 0.01 * i);
  }
  const std::vector<double> p{6.0, 4.0, 0.5};
  const size_t m = x.size();
  std::vector<double> v(m), jac(3 * m), jtj(9), jtr(3);
  double ssr = 0;
  ASSERT_TRUE(model.normal_equations(x, y, w, p, ssr, jtj, jtr));
  model.evaluate(x, p, v, jac);
  double s = 0, g[3] = {}, h[9] = {};
  for (size_t i = 0; i < m; ++i) {
    const double r = (v[i] - y[i]) * w[i];
    s += r * r;
    for (size_t a = 0; a < 3; ++a) {
      g[a] += jac[i + a * m] * w[i] * r;
      for (size_t b = 0; b < 3; ++b) h[a + 3 * b] += jac[i + a * m] * jac[i + b * m] * w[i] * w[i];
    }
  }
  EXPECT_NEAR(ssr, s, 1e-12 * s);
  for (size_t a = 0; a < 3; ++a) {
    EXPECT_NEAR(jtr[a], g[a], 1e-11 * std::sqrt(h[a * 4] * s));
    for (size_t b = 0; b < 3; ++b)
      EXPECT_NEAR(jtj[a + 3 * b], h[a + 3 * b], 1e-11 * std::sqrt(h[a * 4] * h[b * 4]));
  }

  const fit::ExpressionModel clipped("a*clip(x, 0, 5) + b", {"a", "b"});
  EXPECT_TRUE(clipped.normal_equations(x, y, {}, std::vector<double>{1.0, 0.0}, ssr, jtj, jtr));
  double clipped_ssr = 0;
  for (size_t i = 0; i < m; ++i) {
    const double r = std::min(std::max(x[i], 0.0), 5.0) - y[i];
    clipped_ssr += r * r;
  }
  EXPECT_NEAR(ssr, clipped_ssr, 1e-12 * clipped_ssr);
  std::vector<double> yc;
  for (double xi : x) yc.push_back(2.0 * std::min(xi, 5.0) - 1.0);
  const auto r = fit::curve_fit(clipped, x, yc, std::vector<double>{1.0, 0.0});
  ASSERT_TRUE(r.converged) << r.message;
  EXPECT_NEAR(r.popt[0], 2.0, 1e-9);
  EXPECT_NEAR(r.popt[1], -1.0, 1e-9);
}

TEST(ExpressionModel, FitAgreesWithCallable) {
  soma::Rng rng(11);
  std::vector<double> x, y;
  for (int i = 0; i < 300; ++i) {
    x.push_back(i * 0.5);
    y.push_back(250.0 * std::exp(-x.back() / 30.0) + rng.normal(0.0, 5.0));
  }
  const auto e = fit::curve_fit("init*exp(-x/tau)", x, y, {{"tau", 1.0}, {"init", 1.0}});
  auto decay = []<class T>(double xi, std::span<const T> p) -> T {
    using std::exp;
    return p[1] * exp(-xi / p[0]);
  };
  const auto c = fit::curve_fit(decay, x, y, {1.0, 1.0});
  ASSERT_TRUE(e.converged) << e.message;
  ASSERT_TRUE(c.converged) << c.message;
  EXPECT_EQ(e.names, (std::vector<std::string>{"tau", "init"}));
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_NEAR(e.popt[k], c.popt[k], 1e-7 * std::abs(c.popt[k]));
    EXPECT_NEAR(e.perr()[k], c.perr()[k], 1e-6 * c.perr()[k]);
  }
  EXPECT_NEAR(e.ssr, c.ssr, 1e-9 * c.ssr);
}

TEST(ExpressionModel, UserErrorsThrow) {
  EXPECT_THROW(fit::ExpressionModel("init*exp(-x/", {"init"}), soma::Error);
  EXPECT_THROW(fit::ExpressionModel("init*exp(-x/tau)", {"init"}), soma::Error);     // tau unknown
  EXPECT_THROW(fit::ExpressionModel("init*exp(-x)", {"init", "tau"}), soma::Error);  // tau unused
  EXPECT_THROW(fit::ExpressionModel("a*x", {"a", "a"}), soma::Error);
  const std::vector<double> x{1, 2, 3}, y{1, 2, 3};
  EXPECT_THROW(fit::curve_fit("a*x", x, y, {}), soma::Error);
}

}  // namespace
