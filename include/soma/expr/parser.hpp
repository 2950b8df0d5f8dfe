#pragma once
// Parsing of single expressions, conditions and statements (Python syntax, as
// Brian2). Grammar, lowest precedence first:
//   or  <  and  <  not  <  comparisons (< <= > >= == !=)  <  + -  <  * / // %
//   <  unary - +  <  ** (right-associative; -2**2 == -4, 2**-1 == 0.5)
// Numbers: 3, 8/3 (= 2.666...), 1e-3, .5; True/False; names; calls f(a, b).
// Errors throw soma::Error "SOURCE:LINE:COLUMN: in \"TEXT\": expected ...".
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "soma/expr/ast.hpp"

namespace soma::expr {

// Where the text came from, for error messages ("threshold", "model.eq"...).
struct SourceInfo {
  SourceInfo() = default;
  SourceInfo(std::string source_name, int line_number = 1, int base = 0, std::string shown = {})
      : source(std::move(source_name)),
        line(line_number),
        column_base(base),
        context(std::move(shown)) {}
  std::string source = "expression";
  int line = 1;           // 0: neither line nor column is shown
  int column_base = 0;    // added to columns (when the text is part of a longer line)
  std::string context{};  // shown in messages instead of the parsed text (the whole equation)
};

// Parses one expression, e.g. a condition "v > -40*mV" or "init*exp(-x/tau)".
Expr parse_expression(std::string_view text, const SourceInfo& where = {});

enum class AssignOp { assign, add, sub, mul, div };  // =  +=  -=  *=  /=

struct Statement {
  Statement() = default;
  Statement(std::string target_name, AssignOp assign_op, Expr value_expr, std::string source = {},
            int line_number = 1, int column_number = 1)
      : target(std::move(target_name)),
        op(assign_op),
        value(std::move(value_expr)),
        text(std::move(source)),
        line(line_number),
        column(column_number) {}
  std::string target;  // "v", "ge_post"...
  AssignOp op = AssignOp::assign;
  Expr value;
  std::string text;  // the statement as written, for messages ("" when built in code)
  int line = 1;
  int column = 1;  // column of the target within its line
};

// Parses statements separated by newlines or ';' ("v = vl; ge_post += w_ge").
// '#' starts a comment. Empty statements are skipped.
std::vector<Statement> parse_statements(std::string_view text,
                                        const SourceInfo& where = SourceInfo("statements"));

}  // namespace soma::expr
