// ModelProgram (model_program.hpp): one statement per output, `#k = output k`, the
// targets bound as arrays (names no parameter can have) and re-pointed at each run,
// x an array, the parameters scalars read through pointers into this object.
#include "fit/model_program.hpp"

#include <algorithm>

#include "soma/expr/symbolic.hpp"

namespace soma::fit::detail {
namespace {

std::string column_name(size_t k) { return "#" + std::to_string(k); }

}  // namespace

ModelProgram::ModelProgram(const std::vector<expr::Expr>& outputs, const std::string& x_name,
                           const std::vector<std::string>& params)
    : params_(params.size(), 0.0), x_name_(x_name), outputs_(outputs.size()) {
  // The bindings point at placeholders until run() re-points them.
  static double placeholder = 0.0;
  expr::Bindings b;
  std::vector<expr::Statement> statements;
  for (size_t k = 0; k < outputs.size(); ++k) {
    uses_x_ = uses_x_ || expr::depends_on(outputs[k], x_name);
    b.array(column_name(k), &placeholder);
    statements.emplace_back(column_name(k), expr::AssignOp::assign, outputs[k]);
  }
  if (uses_x_) b.array(x_name, &placeholder);
  for (size_t k = 0; k < params.size(); ++k) b.scalar(params[k], &params_[k]);
  program_ = expr::compile(statements, b, options());
}

void ModelProgram::run(const double* x, size_t n, std::span<const double> p,
                       double* const* columns) {
  std::copy_n(p.begin(), params_.size(), params_.begin());
  if (uses_x_) program_.rebind_array(x_name_, const_cast<double*>(x));  // only read
  for (size_t k = 0; k < outputs_; ++k) program_.rebind_array(column_name(k), columns[k]);
  program_.run(n);
}

}  // namespace soma::fit::detail
