// The reference evaluator: walks the tree for one value. The compiled Program
// must agree with it; tests compare the two.
#include <cmath>
#include <numbers>

#include "detail.hpp"
#include "soma/core/error.hpp"
#include "soma/expr/program.hpp"
#include "soma/expr/units.hpp"

namespace soma::expr {

namespace {

double eval(const Node& n, const std::map<std::string, double>& values, Rng* rng) {
  switch (n.kind) {
    case NodeKind::number:
      return n.value;
    case NodeKind::symbol: {
      if (auto it = values.find(n.name); it != values.end()) return it->second;
      if (n.name == "pi") return std::numbers::pi;
      if (is_noise_symbol(n.name))
        throw Error("expression: white noise '" + n.name +
                    "' has no value; split it off with split_stochastic first");
      if (auto q = lookup_unit(n.name)) return q->value;
      throw Error("expression: unknown name '" + n.name + "' at column " +
                  std::to_string(n.column));
    }
    case NodeKind::neg:
      return -eval(*n.args[0], values, rng);
    case NodeKind::logical_not:
      return eval(*n.args[0], values, rng) == 0 ? 1.0 : 0.0;
    case NodeKind::call: {
      int count = 0;
      if (!is_function(n.name, &count))
        throw Error("expression: unknown function '" + n.name + "'");
      if (static_cast<int>(n.args.size()) != count)
        throw Error("expression: " + n.name + "() takes " + std::to_string(count) +
                    " arguments, got " + std::to_string(n.args.size()));
      if (n.name == "rand" || n.name == "randn") {
        if (!rng) throw Error("expression: " + n.name + "() needs a random generator");
        return n.name == "rand" ? rng->uniform() : rng->normal();
      }
      if (n.name == "clip")
        return detail::clip(eval(*n.args[0], values, rng), eval(*n.args[1], values, rng),
                            eval(*n.args[2], values, rng));
      detail::Fn f{};
      detail::function_id(n.name, &f);
      return detail::apply_function(f, eval(*n.args[0], values, rng));
    }
    default: {
      const double a = eval(*n.args[0], values, rng);
      const double b = eval(*n.args[1], values, rng);
      return detail::apply_binary(n.kind, a, b);
    }
  }
}

}  // namespace

double evaluate(const Expr& e, const std::map<std::string, double>& values, Rng* rng) {
  return eval(*e, values, rng);
}

}  // namespace soma::expr
