// The 27 NIST StRD nonlinear regression models, written once generically so
// that they run with doubles, dual numbers (exact Jacobians) and long double
// duals (the polish). Transcribed from each file's "Model:" line; x[0] is the
// predictor (x[1] the second one, Nelson only). Nelson's response is log(y).
// Compiled here once rather than in a public header: instantiating 22 models for
// three scalar types cost every includer of <soma/fit/fit.hpp> about 2.6 s.
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/fit/curve_fit.hpp"
#include "soma/fit/nist.hpp"

namespace soma::fit::nist {
namespace {

using Row = std::array<long double, 2>;
inline constexpr long double kPi = 3.141592653589793238462643383279502884L;

// Each model: T f(const Row& x, std::span<const T> b).
#define SOMA_NIST_MODEL(NAME, ...)                             \
  struct NAME {                                                \
    template <class T>                                         \
    T operator()(const Row& row, std::span<const T> b) const { \
      using std::atan;                                         \
      using std::cos;                                          \
      using std::exp;                                          \
      using std::log;                                          \
      using std::pow;                                          \
      using std::sin;                                          \
      using std::sqrt;                                         \
      const long double x = row[0];                            \
      (void)x;                                                 \
      __VA_ARGS__                                              \
    }                                                          \
  };

SOMA_NIST_MODEL(Misra1a, return b[0] * (1.0L - exp(-b[1] * x));)
SOMA_NIST_MODEL(Chwirut, return exp(-b[0] * x) / (b[1] + b[2] * x);)
SOMA_NIST_MODEL(Lanczos,
                return b[0] * exp(-b[1] * x) + b[2] * exp(-b[3] * x) + b[4] * exp(-b[5] * x);)
SOMA_NIST_MODEL(Gauss, {
  const T u = (x - b[3]) / b[4], v = (x - b[6]) / b[7];
  return b[0] * exp(-b[1] * x) + b[2] * exp(-(u * u)) + b[5] * exp(-(v * v));
})
SOMA_NIST_MODEL(DanWood, return b[0] * pow(T(x), b[1]);)
SOMA_NIST_MODEL(Misra1b, {
  const T u = 1.0L + b[1] * x / 2.0L;
  return b[0] * (1.0L - 1.0L / (u * u));
})
SOMA_NIST_MODEL(Kirby2, return (b[0] + b[1] * x + b[2] * x * x) / (1.0L + b[3] * x + b[4] * x * x);)
SOMA_NIST_MODEL(Hahn1, {
  const long double x2 = x * x, x3 = x2 * x;
  return (b[0] + b[1] * x + b[2] * x2 + b[3] * x3) / (1.0L + b[4] * x + b[5] * x2 + b[6] * x3);
})
SOMA_NIST_MODEL(Nelson, return b[0] - b[1] * row[0] * exp(-b[2] * row[1]);)
SOMA_NIST_MODEL(MGH17, return b[0] + b[1] * exp(-x * b[3]) + b[2] * exp(-x * b[4]);)
SOMA_NIST_MODEL(Misra1c, return b[0] * (1.0L - 1.0L / sqrt(1.0L + 2.0L * b[1] * x));)
SOMA_NIST_MODEL(Misra1d, return b[0] * b[1] * x / (1.0L + b[1] * x);)
SOMA_NIST_MODEL(Roszman1, return b[0] - b[1] * x - atan(b[2] / (x - b[3])) / kPi;)
SOMA_NIST_MODEL(ENSO, {
  const long double w = 2.0L * kPi * x;
  return b[0] + b[1] * cos(w / 12.0L) + b[2] * sin(w / 12.0L) + b[4] * cos(w / b[3]) +
         b[5] * sin(w / b[3]) + b[7] * cos(w / b[6]) + b[8] * sin(w / b[6]);
})
SOMA_NIST_MODEL(MGH09, return b[0] * (x * x + x * b[1]) / (x * x + x * b[2] + b[3]);)
SOMA_NIST_MODEL(Thurber, {
  const long double x2 = x * x, x3 = x2 * x;
  return (b[0] + b[1] * x + b[2] * x2 + b[3] * x3) / (1.0L + b[4] * x + b[5] * x2 + b[6] * x3);
})
SOMA_NIST_MODEL(BoxBOD, return b[0] * (1.0L - exp(-b[1] * x));)
SOMA_NIST_MODEL(Rat42, return b[0] / (1.0L + exp(b[1] - b[2] * x));)
SOMA_NIST_MODEL(MGH10, return b[0] * exp(b[1] / (x + b[2]));)
SOMA_NIST_MODEL(Eckerle4, {
  const T u = (x - b[2]) / b[1];
  return (b[0] / b[1]) * exp(-0.5L * u * u);
})
SOMA_NIST_MODEL(Rat43, return b[0] / pow(1.0L + exp(b[1] - b[2] * x), 1.0L / b[3]);)
SOMA_NIST_MODEL(Bennett5, return b[0] * pow(b[1] + x, -1.0L / b[2]);)
#undef SOMA_NIST_MODEL

// Calls fn(model) with the model of the named problem ("Lanczos1"...); returns
// false when there is none.
template <class Fn>
bool with_model(const std::string& name, Fn&& fn) {
  if (name == "Misra1a") return fn(Misra1a{}), true;
  if (name == "Chwirut1" || name == "Chwirut2") return fn(Chwirut{}), true;
  if (name == "Lanczos1" || name == "Lanczos2" || name == "Lanczos3") return fn(Lanczos{}), true;
  if (name == "Gauss1" || name == "Gauss2" || name == "Gauss3") return fn(Gauss{}), true;
  if (name == "DanWood") return fn(DanWood{}), true;
  if (name == "Misra1b") return fn(Misra1b{}), true;
  if (name == "Kirby2") return fn(Kirby2{}), true;
  if (name == "Hahn1") return fn(Hahn1{}), true;
  if (name == "Nelson") return fn(Nelson{}), true;
  if (name == "MGH17") return fn(MGH17{}), true;
  if (name == "Misra1c") return fn(Misra1c{}), true;
  if (name == "Misra1d") return fn(Misra1d{}), true;
  if (name == "Roszman1") return fn(Roszman1{}), true;
  if (name == "ENSO") return fn(ENSO{}), true;
  if (name == "MGH09") return fn(MGH09{}), true;
  if (name == "Thurber") return fn(Thurber{}), true;
  if (name == "BoxBOD") return fn(BoxBOD{}), true;
  if (name == "Rat42") return fn(Rat42{}), true;
  if (name == "MGH10") return fn(MGH10{}), true;
  if (name == "Eckerle4") return fn(Eckerle4{}), true;
  if (name == "Rat43") return fn(Rat43{}), true;
  if (name == "Bennett5") return fn(Bennett5{}), true;
  return false;
}

}  // namespace

Result solve(const NistProblem& prob, int start, const Options& options) {
  const size_t m = prob.y.size(), n = prob.parameters.size();
  std::vector<Row> rows(m);
  std::vector<long double> y(prob.y);
  for (size_t i = 0; i < m; ++i) {
    rows[i][0] = prob.x.empty() ? 0.0L : prob.x[0][i];
    rows[i][1] = prob.x.size() > 1 ? prob.x[1][i] : 0.0L;
  }
  if (prob.model.rfind("log[y]", 0) == 0)
    for (auto& v : y) v = std::log(v);
  std::vector<double> p0(n);
  for (size_t k = 0; k < n; ++k)
    p0[k] = static_cast<double>(start == 1 ? prob.parameters[k].start1 : prob.parameters[k].start2);
  Result result;
  const bool known = with_model(prob.name, [&](const auto& model) {
    result = detail::with_residuals(
        model, std::span<const Row>(rows), std::span<const long double>(y), {}, n,
        [&](Residuals& problem) { return least_squares(problem, p0, options); });
  });
  if (!known) throw Error("NIST problem '" + prob.name + "': no model is known for it");
  return result;
}

}  // namespace soma::fit::nist
