#pragma once
// Several expressions of one variable x and the fitted parameters, compiled
// together for fitting (internal to ExpressionModel): the model and its
// symbolic derivatives share most of their work (d/dinit of init*exp(-x/tau)
// is the exp itself, d/dtau reuses the model value), so common subexpressions
// are computed once; parts that depend on parameters only (1/tau**2) once per
// call; the rest per block of x, one tight loop per operation that the
// compiler vectorises (exp without a library call, integer powers as
// products). Comparisons, clip, rand... are not supported here: valid() is
// then false and the caller uses expr::Program instead.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "soma/expr/ast.hpp"

namespace soma::fit::detail {

class FusedModel {
 public:
  static constexpr size_t kBlock = 128;

  FusedModel() = default;
  FusedModel(const std::vector<expr::Expr>& outputs, const std::string& x_name,
             const std::vector<std::string>& params);
  bool valid() const { return valid_; }

  // Runs the parameter-only part; call before run().
  void set_parameters(std::span<const double> p);
  // Output k for x[0..len) (len <= kBlock) goes to out[k * stride + i].
  void run(const double* x, size_t len, double* out, size_t stride);

  enum class Op : uint8_t {
    add,
    sub,
    mul,
    div,
    neg,
    pow,
    powi,  // integer exponent (ipow) as repeated products
    exp,
    log,
    log10,
    sqrt,
    sin,
    cos,
    tan,
    tanh,
    abs,
    sign,
    trunc,
    floor,
    ceil
  };
  struct Operand {
    enum Kind : uint8_t { x, reg, slot, out } kind = slot;  // out: an output column
    uint32_t index = 0;
  };
  struct Instr {
    Op op = Op::add;
    Operand a, b;
    uint32_t out = 0;  // a register or output column (body), or a slot (prologue)
    int ipow = 0;
    bool to_output = false;
  };

 private:
  const double* pointer(const Operand& o, const double* x, const double* out, size_t stride) const;

  std::vector<double> slots_;  // parameters first, then constants and parameter-only values
  std::vector<Instr> prologue_, body_;
  struct Copy {
    uint32_t output;
    Operand from;
  };
  std::vector<Copy> copies_;  // outputs not computed in place (x, a slot, a repeat)
  std::vector<double> regs_;  // registers x kBlock
  // Per body instruction: the reciprocal of a division's parameter-only divisor, set by
  // set_parameters() where it is a normal number (run() then multiplies), else 0.
  std::vector<double> reciprocal_;
  size_t n_params_ = 0;
  bool valid_ = false;
};

}  // namespace soma::fit::detail
