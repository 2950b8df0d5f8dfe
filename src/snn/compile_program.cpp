#include "snn/compile_program.hpp"

#include <set>

#include "soma/core/error.hpp"
#include "soma/expr/units.hpp"

namespace soma::snn {

namespace {

// Binds every name the code reads before assigning it, as the owner resolves it.
class NameBinder {
 public:
  NameBinder(const Resolver& resolve, const std::string& where)
      : resolve_(resolve), where_(where) {}

  void visit(const expr::Node& n) {
    if (n.kind == expr::NodeKind::symbol && !assigned_.count(n.name) && seen_.insert(n.name).second)
      bind_symbol(n);
    if (n.kind == expr::NodeKind::call && n.name != "rand" && n.name != "randn" &&
        n.name != "clip" && seen_.insert(n.name + "()").second)
      if (auto b = resolve_(n.name + "()"); b && b->kind == Binding::Kind::table)
        bindings_.table(n.name, b->table);
    for (const auto& a : n.args) visit(*a);
  }
  void assigned(const std::string& name) { assigned_.insert(name); }
  const expr::Bindings& bindings() const { return bindings_; }

 private:
  void bind_symbol(const expr::Node& n) {
    if (expr::is_noise_symbol(n.name))
      throw Error(where_ + (n.column > 0 ? ":" + std::to_string(n.column) : std::string()) +
                  ": stochastic term '" + n.name + "' is not supported by the snn integrators");
    const auto b = resolve_(n.name);
    if (!b) return;  // a unit, True, False, or unknown: the compiler says which
    switch (b->kind) {
      case Binding::Kind::scalar:
        // Read only: value programs never assign to a bound name.
        bindings_.scalar(n.name, const_cast<double*>(b->scalar));
        break;
      case Binding::Kind::array:
        bindings_.indexed(n.name, b->array, b->role);
        break;
      case Binding::Kind::index:
        bindings_.indexed_position(n.name, b->role, b->index_offset);
        break;
      case Binding::Kind::table:
        bindings_.table(n.name, b->table);
        break;
    }
  }

  const Resolver& resolve_;
  const std::string& where_;
  expr::Bindings bindings_;
  std::set<std::string> assigned_, seen_;
};

}  // namespace

Program compile_program(const std::vector<Assignment>& code, const Resolver& resolve,
                        const std::string& where) {
  NameBinder binder(resolve, where);
  std::vector<expr::Statement> statements;
  for (const auto& a : code) {
    binder.visit(*a.value);
    binder.assigned(a.name);
    expr::Statement s;
    s.target = a.name;
    s.value = a.value;
    statements.push_back(std::move(s));
  }
  return expr::compile_values(statements, binder.bindings(),
                              {.fused_multiply_add = true, .source = where.c_str()});
}

}  // namespace soma::snn
