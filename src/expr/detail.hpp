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

}  // namespace soma::expr::detail

#include "soma/expr/functions.hpp"

namespace soma::expr::detail {

// The language's scalar semantics (soma/expr/functions.hpp), shared by constant
// folding, the compiled program's scalar part and the reference evaluator.
using Fn = Function;
using expr::apply_binary;
using expr::apply_function;
using expr::clip;
using expr::python_mod;
inline double sign_of(double x) { return expr::sign(x); }
// The id of a function of one argument; false for clip/rand/randn/unknown names.
bool function_id(const std::string& name, Fn* out);

}  // namespace soma::expr::detail
