#pragma once
// Models written as expression strings in soma's equation language:
//
//   soma::fit::ExpressionModel model("init*exp(-x/tau)", {"tau", "init"});
//   auto r = soma::fit::curve_fit(model, x, y, {1.0, 1.0});
//   // r.names == {"tau", "init"}; the Jacobian columns are the symbolic
//   // derivatives d/dtau and d/dinit, compiled once like the model itself.
//
// Any symbol other than the parameters and the independent variable must be a
// unit name (mV, ms...) or pi; anything else is an error naming it.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "soma/core/std_memory.hpp"
#include "soma/fit/curve_fit.hpp"

namespace soma::fit {

class ExpressionModel {
 public:
  // Throws soma::Error on a syntax error, an unknown symbol or function, or a
  // parameter the expression does not use (the data could not determine it).
  ExpressionModel(std::string_view text, std::vector<std::string> parameters,
                  std::string x_name = "x");
  ~ExpressionModel();
  ExpressionModel(ExpressionModel&&) noexcept;
  ExpressionModel& operator=(ExpressionModel&&) noexcept;

  const std::vector<std::string>& parameters() const;
  const std::string& text() const;
  // The simplified derivative d model / d parameters()[k], as text.
  std::string derivative(size_t k) const;

  // values[i] = model(x[i]; p); when jac is non-empty also the m x n Jacobian
  // (column-major). Not thread-safe (compiled programs own scratch space).
  void evaluate(std::span<const double> x, std::span<const double> p, std::span<double> values,
                std::span<double> jac) const;
  // For the residuals r_i = (model(x_i; p) - y_i) * w_i (w empty: all 1), in
  // one pass without storing J: ssr = r^T r, jtj = J^T J (n x n, column-major)
  // and jtr = J^T r. Returns true: every model has this form (the bool is
  // Residuals::evaluate_normal's). Not thread-safe either.
  bool normal_equations(std::span<const double> x, std::span<const double> y,
                        std::span<const double> w, std::span<const double> p, double& ssr,
                        std::span<double> jtj, std::span<double> jtr) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

CurveFitResult curve_fit(const ExpressionModel& model, std::span<const double> x,
                         std::span<const double> y, std::span<const double> p0,
                         const CurveFitOptions& options = {});

// The parameter names and starting values together, as the CLI takes them
// ("tau=1,init=1"): the model's parameters are the names in this order.
CurveFitResult curve_fit(std::string_view model, std::span<const double> x,
                         std::span<const double> y,
                         const std::vector<std::pair<std::string, double>>& p0,
                         const CurveFitOptions& options = {}, const std::string& x_name = "x");

Landscape ssr_landscape(const ExpressionModel& model, std::span<const double> x,
                        std::span<const double> y, std::span<const double> params,
                        const GridAxis& a, const std::optional<GridAxis>& b = std::nullopt,
                        const std::vector<double>& sigma = {});

}  // namespace soma::fit
