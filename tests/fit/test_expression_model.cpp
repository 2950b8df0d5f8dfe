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
