#pragma once
// Helpers shared by the expr sources (not installed).
#include <string>
#include <string_view>
#include <vector>

#include "soma/expr/parser.hpp"
#include "soma/expr/units.hpp"

namespace soma::expr::detail {

// Parses a unit declaration with errors placed at `where` (source, line, columns).
Quantity parse_unit_at(std::string_view text, const SourceInfo& where);

// A statement or equation cut from a longer text: lines split at '\n', '#'
// comments removed, then split at ';'; surrounding blanks trimmed; empty pieces dropped.
struct Piece {
  std::string text;
  int line = 1;    // 1-based line in the whole text
  int column = 1;  // 1-based column of text[0] within that line
};
std::vector<Piece> split_pieces(std::string_view text);

// Scalar semantics of every operator and function, shared by constant folding,
// the compiled program's scalar part and the reference evaluator, so all three agree.
double python_mod(double a, double b);
double sign_of(double x);

}  // namespace soma::expr::detail

#include "soma/expr/ast.hpp"

namespace soma::expr::detail {

// One-argument functions by id (the order of kFunctionNames).
enum class Fn { exp, log, log10, sqrt, sin, cos, tan, tanh, abs, trunc, floor, ceil, sign };
bool function_id(const std::string& name, Fn* out);  // false for clip/rand/randn/unknown
double apply_function(Fn f, double x);
// Binary operators (add ... logical_or); comparisons and logic give 1.0 / 0.0.
double apply_binary(NodeKind k, double a, double b);
double clip(double x, double lo, double hi);

}  // namespace soma::expr::detail
