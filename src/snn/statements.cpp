// Statement lists (reset, on_pre, on_post) and per-element initial values.
#include "snn/internal.hpp"
#include "soma/core/error.hpp"

namespace soma::snn {

std::vector<CompiledStatement> compile_statements(
    const std::vector<expr::Statement>& statements, const Resolver& resolve,
    const std::function<TargetRef(const expr::Statement&)>& target_of, const std::string& where) {
  std::vector<CompiledStatement> out;
  for (const auto& s : statements) {
    const TargetRef ref = target_of(s);
    CompiledStatement c;
    c.value = compile_program({{"_value", s.value}}, resolve, where + ": \"" + s.text + "\"");
    c.target = ref.array;
    c.role = ref.role;
    c.op = s.op;
    c.only_where = ref.only_where;
    out.push_back(std::move(c));
  }
  return out;
}

namespace {
void apply_one(expr::AssignOp op, double& x, double v) {
  switch (op) {
    case expr::AssignOp::assign:
      x = v;
      break;
    case expr::AssignOp::add:
      x += v;
      break;
    case expr::AssignOp::sub:
      x -= v;
      break;
    case expr::AssignOp::mul:
      x *= v;
      break;
    case expr::AssignOp::div:
      x /= v;
      break;
  }
}
}  // namespace

void run_statements(std::vector<CompiledStatement>& statements, int64_t n, const Indices& indices,
                    Rng& rng) {
  for (auto& s : statements) {
    const int32_t* idx = s.role == IndexRole::self  ? indices.self
                         : s.role == IndexRole::pre ? indices.pre
                                                    : indices.post;
    double* target = s.target;
    const expr::AssignOp op = s.op;
    Program& p = s.value;
    const double* only_where = s.only_where;
    // Elements are applied one after another, so `ge_post += w` from two synapses onto
    // one neuron adds both.
    p.run_blocks(0, n, {.lists = &indices, .rng = &rng}, [&](int64_t first, int count) {
      const Program::Value v = p.result(0);
      const int32_t* at = idx + first;
      if (only_where) {  // rare (refractory targets): one element at a time
        for (int k = 0; k < count; ++k)
          if (only_where[at[k]] != 0.0) apply_one(op, target[at[k]], v[k]);
        return;
      }
      switch (op) {
        case expr::AssignOp::assign:
          for (int k = 0; k < count; ++k) target[at[k]] = v[k];
          break;
        case expr::AssignOp::add:
          for (int k = 0; k < count; ++k) target[at[k]] += v[k];
          break;
        case expr::AssignOp::sub:
          for (int k = 0; k < count; ++k) target[at[k]] -= v[k];
          break;
        case expr::AssignOp::mul:
          for (int k = 0; k < count; ++k) target[at[k]] *= v[k];
          break;
        case expr::AssignOp::div:
          for (int k = 0; k < count; ++k) target[at[k]] /= v[k];
          break;
      }
    });
  }
}

expr::Expr parse_value(const std::string& variable, const std::string& expression,
                       const expr::SymbolUnits& units, const std::string& where) {
  expr::Expr e = expr::parse_expression(expression, source_info(where));
  expr::check_statements(
      {expr::Statement(variable, expr::AssignOp::assign, e, variable + " = " + expression)}, units,
      where);
  return e;
}

std::vector<double> evaluate_per_element(const expr::Expr& value, int64_t n,
                                         const Resolver& resolve, const ElementStreams& streams,
                                         const std::string& where) {
  Program p = compile_program({{"_value", value}}, resolve, where);
  std::vector<double> out(static_cast<size_t>(n));
  p.run_blocks(0, n, {.streams = &streams}, [&](int64_t first, int count) {
    const Program::Value v = p.result(0);
    for (int k = 0; k < count; ++k) out[static_cast<size_t>(first + k)] = v[k];
  });
  return out;
}

}  // namespace soma::snn
