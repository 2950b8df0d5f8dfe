// Hand-written lexer and recursive-descent parser for Python-style expressions.
// Every failure is a soma::Error with the source, line, column and the text;
// nesting is bounded so no input can exhaust the stack (here or in the tree
// walks that follow).
#include "soma/expr/parser.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "detail.hpp"
#include "soma/core/error.hpp"

namespace soma::expr {

namespace {

constexpr int kMaxDepth = 200;  // tree depth; deeper input is refused, not recursed into

enum class Tok { end, number, name, op };

struct Token {
  Tok kind = Tok::end;
  std::string text;
  double value = 0.0;
  int column = 0;  // 1-based within the parsed text, before column_base
};

class Parser {
 public:
  Parser(std::string_view text, const SourceInfo& where) : text_(text), where_(where) {
    tokenize();
  }

  Expr parse_all() {
    auto [e, d] = parse_or();
    (void)d;
    if (peek().kind != Tok::end) fail(peek(), "expected an operator or the end of the expression");
    return e;
  }

  // For statements: NAME OP= rest.
  const std::vector<Token>& tokens() const { return tokens_; }
  void skip(size_t n) { pos_ = n; }

  [[noreturn]] void fail(const Token& t, const std::string& what) const {
    std::string found = t.kind == Tok::end ? "the end" : "'" + t.text + "'";
    throw error_at(
        where_.source, where_.line, t.column + where_.column_base,
        "in \"" +
            (where_.context.empty() ? excerpt(text_, t.column)
                                    : excerpt(where_.context, t.column + where_.column_base)) +
            "\": " + what + ", found " + found);
  }

 private:
  struct P {
    Expr e;
    int depth;
  };

  void tokenize() {
    size_t i = 0;
    const size_t n = text_.size();
    while (i < n) {
      const unsigned char c = static_cast<unsigned char>(text_[i]);
      if (std::isspace(c)) {
        ++i;
        continue;
      }
      Token t;
      t.column = static_cast<int>(i) + 1;
      if (std::isdigit(c) || (c == '.' && i + 1 < n && std::isdigit((unsigned char)text_[i + 1]))) {
        size_t j = i;
        while (j < n && std::isdigit((unsigned char)text_[j])) ++j;
        if (j < n && text_[j] == '.') {
          ++j;
          while (j < n && std::isdigit((unsigned char)text_[j])) ++j;
        }
        if (j < n && (text_[j] == 'e' || text_[j] == 'E')) {
          size_t k = j + 1;
          if (k < n && (text_[k] == '+' || text_[k] == '-')) ++k;
          if (k < n && std::isdigit((unsigned char)text_[k])) {
            while (k < n && std::isdigit((unsigned char)text_[k])) ++k;
            j = k;
          }
        }
        t.kind = Tok::number;
        t.text = std::string(text_.substr(i, j - i));
        t.value = std::strtod(t.text.c_str(), nullptr);
        if (j < n && (std::isalpha((unsigned char)text_[j]) || text_[j] == '_')) {
          t.text = std::string(text_.substr(i, j - i + 1));
          fail(t, "expected a number or an operator (a name cannot start with a digit)");
        }
        i = j;
      } else if (std::isalpha(c) || c == '_' || c >= 0x80) {
        // Bytes >= 0x80 belong to UTF-8 names such as µF.
        size_t j = i;
        while (j < n && (std::isalnum((unsigned char)text_[j]) || text_[j] == '_' ||
                         (unsigned char)text_[j] >= 0x80))
          ++j;
        t.kind = Tok::name;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else {
        static const char* ops[] = {
            "**", "//", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "+",
            "-",  "*",  "/",  "%",  "<",  ">",  "=",  "(",  ")",  ",",  ":"};
        t.kind = Tok::op;
        for (const char* op : ops) {
          const std::string_view o(op);
          if (text_.substr(i, o.size()) == o) {
            t.text = op;
            break;
          }
        }
        if (t.text.empty()) {
          t.text = std::string(1, static_cast<char>(c));
          fail(t, "expected a number, a name, an operator or a parenthesis");
        }
        i += t.text.size();
      }
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.column = static_cast<int>(n) + 1;
    tokens_.push_back(end);
  }

  const Token& peek() const { return tokens_[pos_]; }
  bool is_op(const char* op) const { return peek().kind == Tok::op && peek().text == op; }
  bool is_word(const char* w) const { return peek().kind == Tok::name && peek().text == w; }

  Expr node(NodeKind kind, std::vector<Expr> args, int column) {
    auto n = std::make_shared<Node>();
    n->kind = kind;
    n->args = std::move(args);
    n->column = column + where_.column_base;
    return Expr(std::move(n));
  }

  P check(P p, const Token& at) {
    if (p.depth > kMaxDepth) fail(at, "expression nested too deeply (more than 200 levels)");
    return p;
  }

  P binary_node(NodeKind k, P a, P b, const Token& op) {
    return check({node(k, {a.e, b.e}, op.column), std::max(a.depth, b.depth) + 1}, op);
  }

  P parse_or() {
    P a = parse_and();
    while (is_word("or")) {
      const Token op = tokens_[pos_++];
      a = binary_node(NodeKind::logical_or, a, parse_and(), op);
    }
    return a;
  }

  P parse_and() {
    P a = parse_not();
    while (is_word("and")) {
      const Token op = tokens_[pos_++];
      a = binary_node(NodeKind::logical_and, a, parse_not(), op);
    }
    return a;
  }

  P parse_not() {
    if (is_word("not")) {
      const Token op = tokens_[pos_++];
      ++depth_;
      if (depth_ > kMaxDepth) fail(op, "expression nested too deeply (more than 200 levels)");
      P a = parse_not();
      --depth_;
      return check({node(NodeKind::logical_not, {a.e}, op.column), a.depth + 1}, op);
    }
    return parse_comparison();
  }

  P parse_comparison() {
    P a = parse_sum();
    static const std::pair<const char*, NodeKind> cmp[] = {
        {"<", NodeKind::lt},  {"<=", NodeKind::le}, {">", NodeKind::gt},
        {">=", NodeKind::ge}, {"==", NodeKind::eq}, {"!=", NodeKind::ne}};
    for (const auto& [text, kind] : cmp) {
      if (is_op(text)) {
        const Token op = tokens_[pos_++];
        P r = binary_node(kind, a, parse_sum(), op);
        for (const auto& [t2, k2] : cmp) {
          (void)k2;
          if (is_op(t2))
            fail(peek(),
                 "expected one comparison (chains such as a < b < c are not supported; "
                 "write a < b and b < c)");
        }
        return r;
      }
    }
    return a;
  }

  // A chain of one precedence level, a + b - c + ..., as written: terms[0] ops[0] terms[1]...
  struct Chain {
    std::vector<P> terms;
    std::vector<Token> ops;
  };

  // Python evaluates a chain left to right, a tree as deep as the chain is long, and the
  // tree walks after parsing recurse through that depth. A chain within the depth limit
  // keeps Python's order (and its rounding); a longer one, such as a generated sum of
  // hundreds of terms, is grouped pairwise (depth log2 of its length) where the operators
  // allow it: `plus` with its inverse `minus` (+ and -, or * and /).
  P fold(const Chain& c, NodeKind plus, NodeKind minus, const char* plus_text) {
    int depth = c.terms[0].depth;
    bool regroupable = true;
    for (size_t i = 1; i < c.terms.size(); ++i) {
      depth = std::max(depth, c.terms[i].depth) + 1;
      regroupable =
          regroupable && (c.ops[i - 1].text == plus_text || kind_of(c.ops[i - 1]) == minus);
    }
    if (depth <= kMaxDepth || !regroupable) {
      P a = c.terms[0];
      for (size_t i = 1; i < c.terms.size(); ++i)
        a = binary_node(kind_of(c.ops[i - 1]), a, c.terms[i], c.ops[i - 1]);
      return a;
    }
    return balanced(c, 0, c.terms.size(), plus, minus);
  }

  // terms[first] combined with terms (first, last) by their signs relative to terms[first]'s
  // (inverse(m): term m is subtracted or divided by in the chain as written).
  P balanced(const Chain& c, size_t first, size_t last, NodeKind plus, NodeKind minus) {
    if (last - first == 1) return c.terms[first];
    const size_t mid = first + (last - first) / 2;
    auto inverse = [&](size_t m) { return m > 0 && kind_of(c.ops[m - 1]) == minus; };
    const NodeKind k = inverse(mid) != inverse(first) ? minus : plus;
    return binary_node(k, balanced(c, first, mid, plus, minus), balanced(c, mid, last, plus, minus),
                       c.ops[mid - 1]);
  }

  static NodeKind kind_of(const Token& op) {
    if (op.text == "+") return NodeKind::add;
    if (op.text == "-") return NodeKind::sub;
    if (op.text == "*") return NodeKind::mul;
    if (op.text == "/") return NodeKind::div;
    if (op.text == "//") return NodeKind::floordiv;
    return NodeKind::mod;
  }

  P parse_sum() {
    Chain c;
    c.terms.push_back(parse_term());
    while (is_op("+") || is_op("-")) {
      c.ops.push_back(tokens_[pos_++]);
      c.terms.push_back(parse_term());
    }
    return fold(c, NodeKind::add, NodeKind::sub, "+");
  }

  P parse_term() {
    Chain c;
    c.terms.push_back(parse_unary());
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      c.ops.push_back(tokens_[pos_++]);
      c.terms.push_back(parse_unary());
    }
    return fold(c, NodeKind::mul, NodeKind::div, "*");
  }

  P parse_unary() {
    if (is_op("-") || is_op("+")) {
      const Token op = tokens_[pos_++];
      ++depth_;
      if (depth_ > kMaxDepth) fail(op, "expression nested too deeply (more than 200 levels)");
      P a = parse_unary();
      --depth_;
      if (op.text == "+") return a;
      return check({node(NodeKind::neg, {a.e}, op.column), a.depth + 1}, op);
    }
    return parse_power();
  }

  P parse_power() {
    P base = parse_atom();
    if (is_op("**")) {
      const Token op = tokens_[pos_++];
      ++depth_;
      if (depth_ > kMaxDepth) fail(op, "expression nested too deeply (more than 200 levels)");
      P exponent = parse_unary();  // right-associative, and 2**-1 is allowed
      --depth_;
      return binary_node(NodeKind::pow, base, exponent, op);
    }
    return base;
  }

  P parse_atom() {
    const Token t = peek();
    if (t.kind == Tok::number) {
      ++pos_;
      Expr e = node(NodeKind::number, {}, t.column);
      const_cast<Node&>(*e).value = t.value;
      return {e, 1};
    }
    if (t.kind == Tok::name) {
      if (t.text == "and" || t.text == "or" || t.text == "not")
        fail(t, "expected a value before '" + t.text + "'");
      ++pos_;
      if (t.text == "True" || t.text == "False") {
        Expr e = node(NodeKind::number, {}, t.column);
        const_cast<Node&>(*e).value = t.text == "True" ? 1.0 : 0.0;
        return {e, 1};
      }
      if (is_op("(")) {
        ++pos_;
        ++depth_;
        if (depth_ > kMaxDepth) fail(t, "expression nested too deeply (more than 200 levels)");
        std::vector<Expr> args;
        int depth = 1;
        if (!is_op(")")) {
          while (true) {
            P a = parse_or();
            depth = std::max(depth, a.depth + 1);
            args.push_back(a.e);
            if (is_op(",")) {
              ++pos_;
              continue;
            }
            break;
          }
        }
        if (!is_op(")")) fail(peek(), "expected ',' or ')' in the call to " + t.text + "()");
        ++pos_;
        --depth_;
        Expr e = node(NodeKind::call, std::move(args), t.column);
        const_cast<Node&>(*e).name = t.text;
        return check({e, depth}, t);
      }
      Expr e = node(NodeKind::symbol, {}, t.column);
      const_cast<Node&>(*e).name = t.text;
      return {e, 1};
    }
    if (t.kind == Tok::op && t.text == "(") {
      ++pos_;
      ++depth_;
      if (depth_ > kMaxDepth) fail(t, "expression nested too deeply (more than 200 levels)");
      P inner = parse_or();
      if (!is_op(")"))
        fail(peek(), "expected ')' to close the '(' at column " +
                         std::to_string(t.column + where_.column_base));
      ++pos_;
      --depth_;
      return inner;
    }
    fail(t, "expected a number, a name or '('");
  }

  std::string_view text_;
  SourceInfo where_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;  // recursion depth of the descent itself (parentheses, unary chains)
};

}  // namespace

Expr parse_expression(std::string_view text, const SourceInfo& where) {
  Parser p(text, where);
  return p.parse_all();
}

std::vector<Statement> parse_statements(std::string_view text, const SourceInfo& where) {
  std::vector<Statement> out;
  for (const auto& piece : detail::split_pieces(text)) {
    SourceInfo at = where;
    at.line = where.line > 0 ? where.line + piece.line - 1 : piece.line;
    at.column_base = where.column_base + piece.column - 1;
    Parser p(piece.text, at);
    const auto& toks = p.tokens();
    if (toks[0].kind != Tok::name) p.fail(toks[0], "expected the name of the variable to assign");
    static const std::pair<const char*, AssignOp> ops[] = {{"=", AssignOp::assign},
                                                           {"+=", AssignOp::add},
                                                           {"-=", AssignOp::sub},
                                                           {"*=", AssignOp::mul},
                                                           {"/=", AssignOp::div}};
    const Token& op = toks[1];
    Statement s;
    bool found = false;
    for (const auto& [t, o] : ops)
      if (op.kind == Tok::op && op.text == t) {
        s.op = o;
        found = true;
      }
    if (!found) p.fail(op, "expected '=', '+=', '-=', '*=' or '/=' after '" + toks[0].text + "'");
    p.skip(2);
    if (toks[2].kind == Tok::end) p.fail(toks[2], "expected an expression after '" + op.text + "'");
    s.target = toks[0].text;
    s.value = p.parse_all();
    s.text = piece.text;
    s.line = at.line;
    s.column = at.column_base + 1;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace soma::expr
