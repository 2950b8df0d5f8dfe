// LM's normal-equation mode (J^T J accumulated with the model, R from its
// pivoted Cholesky) against the QR of J it replaces: the same problem run
// through a wrapper that hides evaluate_normal must give the same fit,
// covariance and status; an ill-conditioned problem must fall back to QR and
// still agree; the one-pass sums must equal sums computed directly.
#include <gtest/gtest.h>

#include <cmath>
#include <span>
#include <vector>

#include "soma/core/random.hpp"
#include "soma/fit/curve_fit.hpp"
#include "soma/fit/expression_model.hpp"
#include "soma/fit/gram.hpp"

namespace fit = soma::fit;

namespace {

// Forwards everything but evaluate_normal: least_squares then runs MINPACK's
// QR of J, the reference for the normal-equation mode.
class QrOnly final : public fit::Residuals {
 public:
  explicit QrOnly(fit::Residuals& inner) : inner_(inner) {}
  size_t size() const override { return inner_.size(); }
  bool jacobian_with_residuals() const override { return inner_.jacobian_with_residuals(); }
  void evaluate(std::span<const double> p, std::span<double> r, std::span<double> jac) override {
    inner_.evaluate(p, r, jac);
  }

 private:
  fit::Residuals& inner_;
};

// Counts which route the solver took.
class Counting final : public fit::Residuals {
 public:
  explicit Counting(fit::Residuals& inner) : inner_(inner) {}
  size_t size() const override { return inner_.size(); }
  bool jacobian_with_residuals() const override { return true; }
  void evaluate(std::span<const double> p, std::span<double> r, std::span<double> jac) override {
    ++full;
    inner_.evaluate(p, r, jac);
  }
  bool evaluate_normal(std::span<const double> p, double& ssr, std::span<double> jtj,
                       std::span<double> jtr) override {
    ++normal;
    return inner_.evaluate_normal(p, ssr, jtj, jtr);
  }
  int full = 0, normal = 0;

 private:
  fit::Residuals& inner_;
};

struct Data {
  std::vector<double> x, y, w;
};

Data decay_data(size_t m, bool weighted) {
  soma::Rng rng(5);
  Data d;
  for (size_t i = 0; i < m; ++i) {
    d.x.push_back(100.0 * double(i) / double(m - 1));
    d.y.push_back(250.0 * std::exp(-d.x.back() / 30.0) + rng.normal(0.0, 50.0));
    if (weighted) d.w.push_back(0.5 + rng.uniform());
  }
  return d;
}

void expect_same_fit(const fit::Result& a, const fit::Result& b) {
  ASSERT_EQ(a.status, b.status);
  ASSERT_EQ(a.rank, b.rank);
  const size_t n = a.x.size();
  for (size_t k = 0; k < n; ++k) EXPECT_NEAR(a.x[k], b.x[k], 1e-7 * std::abs(b.x[k])) << k;
  EXPECT_NEAR(a.ssr, b.ssr, 1e-12 * b.ssr);
  for (size_t k = 0; k < n * n; ++k)
    EXPECT_NEAR(a.jtj_inverse[k], b.jtj_inverse[k],
                1e-6 * std::sqrt(std::abs(b.jtj_inverse[(k / n) * (n + 1)] *
                                          b.jtj_inverse[(k % n) * (n + 1)])))
        << k;
}

TEST(NormalEquations, GramSumsMatchDirectSums) {
  soma::Rng rng(3);
  constexpr size_t n = 3, m = 1000, kBlock = 128;
  std::vector<double> cols((n + 1) * m);
  for (double& v : cols) v = rng.normal();
  fit::detail::GramAccumulator gram(n);
  std::vector<double> block((n + 1) * kBlock);
  for (size_t i0 = 0; i0 < m; i0 += kBlock) {
    const size_t len = std::min(kBlock, m - i0), padded = fit::detail::gram_padded(len);
    std::fill(block.begin(), block.end(), 0.0);
    for (size_t c = 0; c <= n; ++c)
      for (size_t i = 0; i < len; ++i) block[c * kBlock + i] = cols[c * m + i0 + i];
    ASSERT_LE(padded, kBlock);
    gram.add(block.data(), kBlock, padded);
  }
  double ssr = 0;
  std::vector<double> jtj(n * n), jtr(n);
  gram.finish(ssr, jtj, jtr);
  auto sum = [&](size_t a, size_t b) {
    long double s = 0;
    for (size_t i = 0; i < m; ++i) s += (long double)cols[a * m + i] * cols[b * m + i];
    return double(s);
  };
  EXPECT_NEAR(ssr, sum(n, n), 1e-12 * sum(n, n));
  for (size_t a = 0; a < n; ++a) {
    EXPECT_NEAR(jtr[a], sum(a, n), 1e-11 * std::sqrt(sum(a, a) * ssr));
    for (size_t b = 0; b < n; ++b)
      EXPECT_NEAR(jtj[a + b * n], sum(a, b), 1e-11 * std::sqrt(sum(a, a) * sum(b, b)));
  }
}

TEST(NormalEquations, CallableAgreesWithQr) {
  auto decay = []<class T>(double x, std::span<const T> p) -> T {
    using std::exp;
    return p[1] * exp(-x / p[0]);
  };
  for (bool weighted : {false, true}) {
    const Data d = decay_data(1000, weighted);
    fit::detail::AutoDiffResiduals<2, decltype(decay), double, double> problem(decay, d.x, d.y,
                                                                               d.w);
    const std::vector<double> p0{1.0, 1.0};
    Counting counted(problem);
    QrOnly qr(problem);
    const fit::Result a = fit::least_squares(counted, p0), b = fit::least_squares(qr, p0);
    EXPECT_EQ(counted.full, 0) << "the well-conditioned decay never needs J itself";
    EXPECT_GT(counted.normal, 5);
    ASSERT_TRUE(a.converged) << a.message;
    expect_same_fit(a, b);
  }
}

TEST(NormalEquations, ExpressionAgreesWithQrAndCallable) {
  const Data d = decay_data(700, true);
  const fit::ExpressionModel model("init*exp(-x/tau)", {"tau", "init"});
  std::vector<double> sigma;
  for (double w : d.w) sigma.push_back(1.0 / w);
  const auto e = fit::curve_fit(model, d.x, d.y, std::vector<double>{1.0, 1.0}, {.sigma = sigma});
  auto decay = []<class T>(double x, std::span<const T> p) -> T {
    using std::exp;
    return p[1] * exp(-x / p[0]);
  };
  const auto c = fit::curve_fit(decay, d.x, d.y, {1.0, 1.0}, {.sigma = sigma});
  ASSERT_TRUE(e.converged) << e.message;
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_NEAR(e.popt[k], c.popt[k], 1e-8 * std::abs(c.popt[k]));
    EXPECT_NEAR(e.perr()[k], c.perr()[k], 1e-7 * c.perr()[k]);
  }
}

// A quadratic in x on [1000, 1001]: the columns 1, x, x^2 are nearly
// parallel (cond(J) ~ 1e11), J^T J has lost them, and the run must switch to
// the QR of J. The answer is linear least squares, so both must agree with
// the QR-only run.
TEST(NormalEquations, IllConditionedFallsBackToQr) {
  soma::Rng rng(9);
  std::vector<double> x, y;
  for (int i = 0; i < 200; ++i) {
    x.push_back(1000.0 + i / 199.0);
    const double t = x.back() - 1000.5;
    y.push_back(3.0 + 2.0 * t - 5.0 * t * t + rng.normal(0.0, 0.01));
  }
  auto quad = []<class T>(double xi, std::span<const T> p) -> T {
    return p[0] + p[1] * xi + p[2] * xi * xi;
  };
  fit::detail::AutoDiffResiduals<3, decltype(quad), double, double> problem(quad, x, y, {});
  const std::vector<double> p0{1.0, 1.0, 1.0};
  Counting counted(problem);
  QrOnly qr(problem);
  fit::Options o;
  o.ftol = o.xtol = 1e-12;
  const fit::Result a = fit::least_squares(counted, p0, o), b = fit::least_squares(qr, p0, o);
  EXPECT_GT(counted.full, 0) << "the ill-conditioned quadratic needs the QR of J";
  ASSERT_EQ(a.status, b.status);
  for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(a.x[k], b.x[k], 1e-6 * std::abs(b.x[k])) << k;
  EXPECT_NEAR(a.ssr, b.ssr, 1e-9 * b.ssr);
}

TEST(NormalEquations, NonFiniteStartIsStillReported) {
  const std::vector<double> x{0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0};
  std::vector<double> y(x.size(), 1.0);
  // log(0) at x = 0: -inf for any a != 0.
  auto model = []<class T>(double xi, std::span<const T> p) -> T {
    using std::log;
    return p[0] * log(T(xi)) + p[1];
  };
  const auto r = fit::curve_fit(model, x, y, {1.0, 0.0});
  EXPECT_EQ(r.status, fit::Status::non_finite);
  EXPECT_FALSE(r.converged);
  const auto e = fit::curve_fit("a*log(x) + b", x, y, {{"a", 1.0}, {"b", 0.0}});
  EXPECT_EQ(e.status, fit::Status::non_finite);
}

}  // namespace
