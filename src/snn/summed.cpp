// (summed) variables: Brian2's SummedVariableUpdater. A Synapses model line
//   Igap_post = w*(v_pre - v_post) : amp (summed)
// makes the target group's parameter Igap, at every step of its clock and before any
// group integrates, the sum of the expression over each neuron's incoming synapses
// (zero for a neuron without any), computed from the values the step starts with.
#include <algorithm>
#include <numeric>

#include "snn/internal.hpp"
#include "soma/core/error.hpp"

namespace soma::snn {
namespace {

// The group a summed name refers to, and the parameter in it: X_post -> (target, X).
struct SummedTarget {
  const Subgroup* range = nullptr;
  std::string variable;
  IndexRole role = IndexRole::post;
};

std::optional<SummedTarget> summed_target(const Synapses::Impl& s, const std::string& name) {
  auto has = [&](const char* suffix) {
    const std::string_view x(suffix);
    return name.size() > x.size() && name.ends_with(x);
  };
  if (has("_post"))
    return SummedTarget{&s.target, name.substr(0, name.size() - 5), IndexRole::post};
  if (has("_pre")) return SummedTarget{&s.source, name.substr(0, name.size() - 4), IndexRole::pre};
  return std::nullopt;
}

std::string line_of(const Synapses::Impl& s, const expr::Equation& eq) {
  return s.name + " model:" + std::to_string(eq.line) + ": \"" + eq.text + "\"";
}

}  // namespace

void check_summed(const Synapses::Impl& s) {
  for (const auto& eq : s.model.list) {
    if (!eq.has_flag("summed")) continue;
    const std::string where = line_of(s, eq);
    if (eq.kind != expr::EquationKind::subexpression)
      throw Error(where +
                  ": only a subexpression can be (summed) (expected 'X_post = "
                  "expression : unit (summed)')");
    const auto to = summed_target(s, eq.name);
    if (!to)
      throw Error(where +
                  ": a summed variable's name must end in _post or _pre (the group "
                  "it sums into), as Igap_post");
    const NeuronGroup::Impl& g = to->range->group->impl();
    const expr::Equation* param = g.eqs.find(to->variable);
    if (!param || param->kind != expr::EquationKind::parameter)
      throw Error(where + ": " + g.name + " has no parameter '" + to->variable +
                  "' to sum into (expected a line '" + to->variable + " : " + eq.unit_text +
                  "' in its equations)");
    if (param->unit != eq.unit)
      throw Error(where + ": the sum is declared in " + eq.unit.str() + ", but " + g.name + "." +
                  to->variable + " in " + param->unit.str() + " (expected the same units)");
  }
}

void SummedVariable::prepare() {
  auto& s = *synapses;
  const expr::Equation& eq = *s.model.find(name);
  const std::string where = line_of(s, eq);
  // The expression's own units against the declaration (and so the target's).
  const auto units = expr::model_units(s.model, s.net->unit_constants(), s.units());
  const expr::Expr e = s.model.substituted(eq.expr);
  const expr::Dimension d = expr::infer_dimension(e, units, eq.text, s.name + " model", eq.line);
  const expr::Dimension declared = group->eqs.find(variable)->unit;
  if (d != declared)
    throw Error(where + ": the sum has units " + d.str() + ", but " + group->name + "." + variable +
                " is declared in " + declared.str() + " (expected the same units)");
  value = compile_program(
      {{"_summed", e}}, [&s](const std::string& x) { return s.resolve(x); },
      s.name + " (summed) " + name);
  out = group->vars.at(variable).data();
  s.ensure_pre();
  self.resize(s.count());
  std::iota(self.begin(), self.end(), 0);
}

void SummedVariable::apply(Rng& rng) {
  auto& s = *synapses;
  std::fill(out + start, out + stop, 0.0);
  const auto n = static_cast<int64_t>(s.count());
  if (n == 0) return;
  const int32_t* to = role == IndexRole::post ? s.post.data() : s.pre.data();
  const Indices idx{self.data(), s.pre.data(), s.post.data()};
  // In synapse order, as Brian2's bincount adds them.
  value.run_blocks(0, n, {.lists = &idx, .rng = &rng}, [&](int64_t first, int count) {
    const Program::Value v = value.result(0);
    const int32_t* dest = to + first;
    for (int k = 0; k < count; ++k) out[dest[k]] += v[k];
  });
}

void Network::Impl::prepare_summed() {
  summed.clear();
  for (auto& sp : synapses) {
    auto& s = sp->impl();
    for (const auto& eq : s.model.list) {
      if (!eq.has_flag("summed")) continue;
      const auto to = summed_target(s, eq.name);  // check_summed made sure of it
      auto v = std::make_unique<SummedVariable>();
      v->synapses = &s;
      v->name = eq.name;
      v->group = &to->range->group->impl();
      v->variable = to->variable;
      v->start = to->range->start;
      v->stop = to->range->stop;
      v->role = to->role;
      // Two sums into one variable would each overwrite the other's (Brian2 refuses).
      for (const auto& o : summed)
        if (o->group == v->group && o->variable == v->variable && v->start < o->stop &&
            o->start < v->stop)
          throw Error(s.name + ": (summed) " + v->name + " sums into " + v->group->name + "." +
                      v->variable + ", which " + o->synapses->name + "'s " + o->name +
                      " sums into already (expected one summed variable per parameter: give "
                      "each its own parameter and add them in the equations)");
      v->prepare();
      summed.push_back(std::move(v));
    }
  }
}

void Network::Impl::run_summed(int64_t step) {
  for (auto& v : summed)
    if (v->group->ticks(step)) v->apply(rng);
}

}  // namespace soma::snn
