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

double python_mod(double a, double b) {
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

double sign_of(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }

}  // namespace soma::expr::detail

namespace soma::expr::detail {

bool function_id(const std::string& name, Fn* out) {
  static const std::pair<const char*, Fn> table[] = {
      {"exp", Fn::exp},  {"log", Fn::log},   {"log10", Fn::log10}, {"sqrt", Fn::sqrt},
      {"sin", Fn::sin},  {"cos", Fn::cos},   {"tan", Fn::tan},     {"tanh", Fn::tanh},
      {"abs", Fn::abs},  {"int", Fn::trunc}, {"floor", Fn::floor}, {"ceil", Fn::ceil},
      {"sign", Fn::sign}};
  for (const auto& [n, f] : table)
    if (name == n) {
      *out = f;
      return true;
    }
  return false;
}

double apply_function(Fn f, double x) {
  switch (f) {
    case Fn::exp:
      return std::exp(x);
    case Fn::log:
      return std::log(x);
    case Fn::log10:
      return std::log10(x);
    case Fn::sqrt:
      return std::sqrt(x);
    case Fn::sin:
      return std::sin(x);
    case Fn::cos:
      return std::cos(x);
    case Fn::tan:
      return std::tan(x);
    case Fn::tanh:
      return std::tanh(x);
    case Fn::abs:
      return std::fabs(x);
    case Fn::trunc:
      return std::trunc(x);
    case Fn::floor:
      return std::floor(x);
    case Fn::ceil:
      return std::ceil(x);
    case Fn::sign:
      return sign_of(x);
  }
  return x;
}

double apply_binary(NodeKind k, double a, double b) {
  switch (k) {
    case NodeKind::add:
      return a + b;
    case NodeKind::sub:
      return a - b;
    case NodeKind::mul:
      return a * b;
    case NodeKind::div:
      return a / b;
    case NodeKind::floordiv:
      return std::floor(a / b);
    case NodeKind::mod:
      return python_mod(a, b);
    case NodeKind::pow:
      return std::pow(a, b);
    case NodeKind::lt:
      return a < b ? 1.0 : 0.0;
    case NodeKind::le:
      return a <= b ? 1.0 : 0.0;
    case NodeKind::gt:
      return a > b ? 1.0 : 0.0;
    case NodeKind::ge:
      return a >= b ? 1.0 : 0.0;
    case NodeKind::eq:
      return a == b ? 1.0 : 0.0;
    case NodeKind::ne:
      return a != b ? 1.0 : 0.0;
    case NodeKind::logical_and:
      return (a != 0 && b != 0) ? 1.0 : 0.0;
    case NodeKind::logical_or:
      return (a != 0 || b != 0) ? 1.0 : 0.0;
    default:
      return 0.0;
  }
}

// numpy.clip: NaN stays NaN.
double clip(double x, double lo, double hi) {
  x = x < lo ? lo : x;
  return x > hi ? hi : x;
}

}  // namespace soma::expr::detail
