// Expression-string models: parsed and differentiated once by soma::expr, then
// the model and its n derivatives compiled together into one FusedModel
// (shared subexpressions, vectorised exp; fused_model.hpp) that feeds the
// normal-equation sums block by block. Models it does not support (clip,
// comparisons...) run as one expr::Program per column instead: parameters
// bound as scalars read through pointers into this object, x as an array
// re-pointed at every call.
#include "soma/fit/expression_model.hpp"

#include <algorithm>

#include "fit/fused_model.hpp"
#include "soma/core/error.hpp"
#include "soma/expr/parser.hpp"
#include "soma/expr/program.hpp"
#include "soma/expr/symbolic.hpp"
#include "soma/expr/units.hpp"

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
  // Outputs d/dp_0 .. d/dp_{n-1}, then the model (the residual column last,
  // as GramAccumulator takes it); and the model alone, for residual-only calls.
  detail::FusedModel fused, fused_value;
  std::vector<double> block;  // (n+1) x FusedModel::kBlock
  detail::GramAccumulator gram;

  Compiled compile(const expr::Expr& e) {
    expr::Bindings b;
    static double placeholder = 0.0;
    const bool uses_x = expr::depends_on(e, x_name);
    if (uses_x) b.array(x_name, &placeholder);
    for (size_t k = 0; k < names.size(); ++k) b.scalar(names[k], &params[k]);
    return {expr::compile(e, b), uses_x};
  }
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
  m.params.assign(m.names.size(), 0.0);
  m.model = expr::parse_expression(text, {"model"});
  check_names(*m.model, m.text, m.x_name, m.names);
  for (const auto& name : m.names)
    if (!expr::depends_on(m.model, name))
      throw Error("model \"" + m.text + "\": does not use parameter '" + name +
                  "'; expected every parameter to appear in the expression");
  m.value = m.compile(m.model);
  for (const auto& name : m.names) {
    m.derivatives.push_back(expr::differentiate(m.model, name));
    m.columns.push_back(m.compile(m.derivatives.back()));
  }
  std::vector<expr::Expr> outputs = m.derivatives;
  outputs.push_back(m.model);
  m.fused = detail::FusedModel(outputs, m.x_name, m.names);
  m.fused_value = detail::FusedModel({m.model}, m.x_name, m.names);
  m.block.assign((m.names.size() + 1) * detail::FusedModel::kBlock, 0.0);
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
  constexpr size_t kBlock = detail::FusedModel::kBlock;
  const size_t np = m.names.size();
  if (jac.empty() && m.fused_value.valid()) {
    m.fused_value.set_parameters(p);
    for (size_t i0 = 0; i0 < x.size(); i0 += kBlock)
      m.fused_value.run(x.data() + i0, std::min(kBlock, x.size() - i0), values.data() + i0, 0);
    return;
  }
  if (m.fused.valid()) {
    m.fused.set_parameters(p);
    for (size_t i0 = 0; i0 < x.size(); i0 += kBlock) {
      const size_t len = std::min(kBlock, x.size() - i0);
      m.fused.run(x.data() + i0, len, m.block.data(), kBlock);
      std::copy_n(m.block.data() + np * kBlock, len, values.data() + i0);
      if (!jac.empty())
        for (size_t k = 0; k < np; ++k)
          std::copy_n(m.block.data() + k * kBlock, len, jac.data() + i0 + k * x.size());
    }
    return;
  }
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

bool ExpressionModel::normal_equations(std::span<const double> x, std::span<const double> y,
                                       std::span<const double> w, std::span<const double> p,
                                       double& ssr, std::span<double> jtj,
                                       std::span<double> jtr) const {
  Impl& m = *impl_;
  if (!m.fused.valid()) return false;
  constexpr size_t kBlock = detail::FusedModel::kBlock;
  const size_t np = m.names.size();
  double* col = m.block.data();
  m.fused.set_parameters(p);
  m.gram.reset();
  for (size_t i0 = 0; i0 < x.size(); i0 += kBlock) {
    const size_t len = std::min(kBlock, x.size() - i0), padded = detail::gram_padded(len);
    m.fused.run(x.data() + i0, len, col, kBlock);
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
