#pragma once
// fit's lowering of expression models onto expr::Program: the model and its symbolic
// derivatives as one program with one output array each, compiled with common
// subexpressions shared (d/dinit of init*exp(-x/tau) is the exp the model computes),
// parameter-only values computed once per run, and fit's fast arithmetic (integer
// powers as products, divisions by parameters as multiplications by reciprocals;
// soma/expr/program.hpp, CompileOptions). Used by ExpressionModel and by
// tests/language (the fit path of every function).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "soma/expr/program.hpp"

namespace soma::fit::detail {

class ModelProgram {
 public:
  // The compile options of fit's models.
  static expr::CompileOptions options() {
    return {.share_subexpressions = true, .fast_arithmetic = true};
  }

  ModelProgram() = default;
  // outputs: expressions of x_name and params. Throws soma::Error as expr::compile does.
  ModelProgram(const std::vector<expr::Expr>& outputs, const std::string& x_name,
               const std::vector<std::string>& params);

  size_t outputs() const { return outputs_; }
  // columns[k][i] = output k at x[i] for i < n, with the parameters p.
  void run(const double* x, size_t n, std::span<const double> p, double* const* columns);

 private:
  expr::Program program_;
  std::vector<double> params_;  // the program reads the parameters here
  std::string x_name_;
  size_t outputs_ = 0;
  bool uses_x_ = false;
};

}  // namespace soma::fit::detail
