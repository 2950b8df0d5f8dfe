// Expression-string models: parsed and differentiated once by soma::expr, then the
// model and its n derivatives lowered together onto one expr::Program
// (fit/model_program.hpp: shared subexpressions, parameter-only values once per run,
// fit's fast arithmetic) that feeds the normal-equation sums a block at a time.
//
// The derivatives stay symbolic (expr::differentiate) rather than forward-mode dual
// numbers: they are expressions of the one language, so the one compiler lowers them,
// derivative(k) prints them, and common-subexpression elimination recovers the
// sharing that dual numbers would give (the model's exp in its own derivative).
#include "soma/fit/expression_model.hpp"

#include <algorithm>

#include "fit/model_program.hpp"
#include "soma/core/error.hpp"
#include "soma/expr/parser.hpp"
#include "soma/expr/symbolic.hpp"
#include "soma/expr/units.hpp"

namespace soma::fit {

struct ExpressionModel::Impl {
  // Rows per program run in normal_equations: one block of expr::Program, so the
  // columns stay in the first-level cache between the program and the sums.
  static constexpr size_t kBlock = expr::Program::kBlock;
  std::string text, x_name;
  std::vector<std::string> names;
  expr::Expr model;
  std::vector<expr::Expr> derivatives;
  // Outputs d/dp_0 .. d/dp_{n-1}, then the model (the residual column last, as
  // GramAccumulator takes it); and the model alone, for residual-only calls.
  detail::ModelProgram all, value;
  std::vector<double> block;  // (n+1) x kBlock
  std::vector<double*> columns;
  detail::GramAccumulator gram;
};

namespace {

// Every name must be a parameter, the variable, a unit or pi. Checked here, on the tree
// parsed from the text, so that the message points into the model as written (the
// compiler only sees the tree and reports against a reprinted expression).
void check_names(const expr::Node& n, const std::string& text, const std::string& x_name,
                 const std::vector<std::string>& names) {
  if (n.kind == expr::NodeKind::symbol && n.name != x_name && n.name != "pi" &&
      std::find(names.begin(), names.end(), n.name) == names.end() &&
      (expr::is_noise_symbol(n.name) || !expr::lookup_unit(n.name)))
    throw error_at("model", 1, n.column,
                   "in \"" + excerpt(text, n.column) + "\": unknown name '" + n.name +
                       "'; expected a parameter (one of the names given with their starting "
                       "values), the variable '" +
                       x_name + "', a unit or pi");
  for (const auto& a : n.args) check_names(*a, text, x_name, names);
}

}  // namespace

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
  m.model = expr::parse_expression(text, {"model"});
  check_names(*m.model, m.text, m.x_name, m.names);
  for (const auto& name : m.names)
    if (!expr::depends_on(m.model, name))
      throw Error("model \"" + m.text + "\": does not use parameter '" + name +
                  "'; expected every parameter to appear in the expression");
  for (const auto& name : m.names) m.derivatives.push_back(expr::differentiate(m.model, name));
  std::vector<expr::Expr> outputs = m.derivatives;
  outputs.push_back(m.model);
  m.all = detail::ModelProgram(outputs, m.x_name, m.names);
  m.value = detail::ModelProgram({m.model}, m.x_name, m.names);
  m.block.assign((m.names.size() + 1) * Impl::kBlock, 0.0);
  m.gram = detail::GramAccumulator(m.names.size());
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
  const size_t n = x.size(), np = m.names.size();
  if (jac.empty()) {
    double* out = values.data();
    m.value.run(x.data(), n, p, &out);
    return;
  }
  m.columns.resize(np + 1);
  for (size_t k = 0; k < np; ++k) m.columns[k] = jac.data() + k * n;
  m.columns[np] = values.data();
  m.all.run(x.data(), n, p, m.columns.data());
}

bool ExpressionModel::normal_equations(std::span<const double> x, std::span<const double> y,
                                       std::span<const double> w, std::span<const double> p,
                                       double& ssr, std::span<double> jtj,
                                       std::span<double> jtr) const {
  Impl& m = *impl_;
  constexpr size_t kBlock = Impl::kBlock;
  const size_t np = m.names.size();
  double* col = m.block.data();
  m.columns.resize(np + 1);
  for (size_t k = 0; k <= np; ++k) m.columns[k] = col + k * kBlock;
  m.gram.reset();
  for (size_t i0 = 0; i0 < x.size(); i0 += kBlock) {
    const size_t len = std::min(kBlock, x.size() - i0), padded = detail::gram_padded(len);
    m.all.run(x.data() + i0, len, p, m.columns.data());
    double* r = col + np * kBlock;
    for (size_t i = 0; i < len; ++i) r[i] -= y[i0 + i];
    if (!w.empty())
      for (size_t k = 0; k <= np; ++k)
        for (size_t i = 0; i < len; ++i) col[k * kBlock + i] *= w[i0 + i];
    for (size_t k = 0; k <= np; ++k)
      std::fill(col + k * kBlock + len, col + k * kBlock + padded, 0.0);
    m.gram.add(col, kBlock, padded);
  }
  m.gram.finish(ssr, jtj, jtr);
  return true;
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
  bool evaluate_normal(std::span<const double> p, double& ssr, std::span<double> jtj,
                       std::span<double> jtr) override {
    return model_.normal_equations(x_, y_, w_, p, ssr, jtj, jtr);
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
