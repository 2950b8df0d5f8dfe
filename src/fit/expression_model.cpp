// Expression-string models: parsed and differentiated once by soma::expr, each
// of the model and its n derivatives compiled to an array program that runs
// over all x in blocks. Parameters are bound as scalars read through pointers
// into this object, x as an array re-pointed at every call.
#include "soma/fit/expression_model.hpp"

#include <algorithm>

#include "soma/core/error.hpp"
#include "soma/expr/parser.hpp"
#include "soma/expr/program.hpp"
#include "soma/expr/symbolic.hpp"

namespace soma::fit {

struct ExpressionModel::Impl {
  std::string text, x_name;
  std::vector<std::string> names;
  std::vector<double> params;  // the programs read these through pointers
  expr::Expr model;
  std::vector<expr::Expr> derivatives;
  struct Compiled {
    expr::Program program;
    bool uses_x = false;
  };
  mutable Compiled value;
  mutable std::vector<Compiled> columns;

  Compiled compile(const expr::Expr& e) {
    expr::Bindings b;
    static double placeholder = 0.0;
    const bool uses_x = expr::depends_on(e, x_name);
    if (uses_x) b.array(x_name, &placeholder);
    for (size_t k = 0; k < names.size(); ++k) b.scalar(names[k], &params[k]);
    return {expr::compile(e, b), uses_x};
  }
};

ExpressionModel::ExpressionModel(std::string_view text, std::vector<std::string> parameters,
                                 std::string x_name)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.text = std::string(text);
  m.x_name = std::move(x_name);
  m.names = std::move(parameters);
  if (m.names.empty()) throw Error("model \"" + m.text + "\": no parameters given");
  for (size_t k = 0; k < m.names.size(); ++k) {
    if (m.names[k] == m.x_name)
      throw Error("model \"" + m.text + "\": '" + m.x_name +
                  "' is the independent variable; it cannot also be a parameter");
    if (std::count(m.names.begin(), m.names.end(), m.names[k]) > 1)
      throw Error("model \"" + m.text + "\": parameter '" + m.names[k] + "' is listed twice");
  }
  m.params.assign(m.names.size(), 0.0);
  m.model = expr::parse_expression(text, {"model"});
  for (const auto& name : m.names)
    if (!expr::depends_on(m.model, name))
      throw Error("model \"" + m.text + "\": does not use parameter '" + name +
                  "'; expected every parameter to appear in the expression");
  m.value = m.compile(m.model);
  for (const auto& name : m.names) {
    m.derivatives.push_back(expr::differentiate(m.model, name));
    m.columns.push_back(m.compile(m.derivatives.back()));
  }
}

ExpressionModel::~ExpressionModel() = default;
ExpressionModel::ExpressionModel(ExpressionModel&&) noexcept = default;
ExpressionModel& ExpressionModel::operator=(ExpressionModel&&) noexcept = default;

const std::vector<std::string>& ExpressionModel::parameters() const { return impl_->names; }
const std::string& ExpressionModel::text() const { return impl_->text; }
std::string ExpressionModel::derivative(size_t k) const {
  return expr::to_string(impl_->derivatives.at(k));
}

void ExpressionModel::evaluate(std::span<const double> x, std::span<const double> p,
                               std::span<double> values, std::span<double> jac) const {
  Impl& m = *impl_;
  std::copy(p.begin(), p.end(), m.params.begin());
  const size_t n = x.size();
  double* xd = const_cast<double*>(x.data());  // programs only read x
  auto run = [&](Impl::Compiled& c, double* out) {
    if (c.uses_x) c.program.rebind_array(m.x_name, xd);
    c.program.evaluate(n, out);
  };
  run(m.value, values.data());
  if (jac.empty()) return;
  for (size_t k = 0; k < m.columns.size(); ++k) run(m.columns[k], jac.data() + k * n);
}

namespace {

class ExpressionResiduals final : public Residuals {
 public:
  ExpressionResiduals(const ExpressionModel& model, std::span<const double> x,
                      std::span<const double> y, std::span<const double> w)
      : model_(model), x_(x), y_(y), w_(w) {}
  size_t size() const override { return x_.size(); }
  bool jacobian_with_residuals() const override { return true; }
  void evaluate(std::span<const double> p, std::span<double> r, std::span<double> jac) override {
    model_.evaluate(x_, p, r, jac);
    const size_t m = x_.size();
    for (size_t i = 0; i < m; ++i) r[i] -= y_[i];
    if (w_.empty()) return;
    for (size_t i = 0; i < m; ++i) r[i] *= w_[i];
    for (size_t k = 0; k < jac.size() / std::max<size_t>(m, 1); ++k)
      for (size_t i = 0; i < m; ++i) jac[i + k * m] *= w_[i];
  }

 private:
  const ExpressionModel& model_;
  std::span<const double> x_, y_, w_;
};

}  // namespace

CurveFitResult curve_fit(const ExpressionModel& model, std::span<const double> x,
                         std::span<const double> y, std::span<const double> p0,
                         const CurveFitOptions& options) {
  detail::check_data(x, y, p0.size());
  if (p0.size() != model.parameters().size())
    throw Error("curve_fit: p0 has " + std::to_string(p0.size()) + " values; the model \"" +
                model.text() + "\" has " + std::to_string(model.parameters().size()) +
                " parameters");
  const std::vector<double> w = weights_from_sigma(options.sigma, x.size());
  ExpressionResiduals problem(model, x, y, w);
  CurveFitResult r =
      make_curve_fit_result(least_squares(problem, p0, solver_options(options)), x.size(), options);
  r.names = model.parameters();
  return r;
}

CurveFitResult curve_fit(std::string_view model, std::span<const double> x,
                         std::span<const double> y,
                         const std::vector<std::pair<std::string, double>>& p0,
                         const CurveFitOptions& options, const std::string& x_name) {
  std::vector<std::string> names;
  std::vector<double> start;
  for (const auto& [name, value] : p0) {
    names.push_back(name);
    start.push_back(value);
  }
  const ExpressionModel m(model, names, x_name);
  return curve_fit(m, x, y, start, options);
}

Landscape ssr_landscape(const ExpressionModel& model, std::span<const double> x,
                        std::span<const double> y, std::span<const double> params,
                        const GridAxis& a, const std::optional<GridAxis>& b,
                        const std::vector<double>& sigma) {
  detail::check_data(x, y, params.size());
  const std::vector<double> w = weights_from_sigma(sigma, x.size());
  ExpressionResiduals problem(model, x, y, w);
  return ssr_landscape(problem, params, a, b);
}

}  // namespace soma::fit
