#include "detail.hpp"

#include <cctype>
#include <cmath>

namespace soma::expr::detail {

std::vector<Piece> split_pieces(std::string_view text) {
  std::vector<Piece> out;
  int line = 1;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    if (const size_t hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
    size_t from = 0;
    while (from <= l.size()) {
      size_t semi = l.find(';', from);
      if (semi == std::string_view::npos) semi = l.size();
      size_t a = from, b = semi;
      while (a < b && std::isspace(static_cast<unsigned char>(l[a]))) ++a;
      while (b > a && std::isspace(static_cast<unsigned char>(l[b - 1]))) --b;
      if (b > a) out.push_back({std::string(l.substr(a, b - a)), line, static_cast<int>(a) + 1});
      from = semi + 1;
    }
    ++line;
    start = end + 1;
  }
  return out;
}

bool function_id(const std::string& name, Fn* out) {
  const FunctionInfo* f = find_function(name);
  if (!f || f->arity != 1) return false;
  *out = f->id;
  return true;
}

}  // namespace soma::expr::detail
