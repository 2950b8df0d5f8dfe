// NeuronGroup::run_regularly: Brian2's regular operations on a group.
#include <cmath>

#include "snn/internal.hpp"
#include "soma/core/error.hpp"

namespace soma::snn {

void NeuronGroup::run_regularly(const std::string& code, const std::string& dt) {
  auto& im = *impl_;
  const std::string where = name_ + " run_regularly";
  // Statements are parsed now (syntax errors name the call); they compile when a run
  // starts, as the reset does, so they may use constants set later.
  expr::parse_statements(code, source_info(where));
  int64_t every = im.every;  // without a dt: the group's clock (Brian2)
  if (!dt.empty()) {
    const auto q = expr::evaluate_constant(expr::parse_expression(dt, source_info(where + " dt")),
                                           im.net->unit_constants(), dt);
    if (!(q.dimension == expr::dim::second()))
      throw Error(where + ": dt \"" + dt + "\" has units " + q.dimension.str() +
                  ", expected a time such as 1*ms");
    const double steps = q.value / im.net->dt;
    // One clock: an interval that is not a whole number of steps would need another.
    if (!(steps >= 0.5 && steps < 0x1p53) || std::fabs(steps - std::round(steps)) > 1e-6 * steps)
      throw Error(where + ": dt \"" + dt + "\" is not a whole number of the network's steps (" +
                  std::to_string(im.net->dt) + " s)");
    every = static_cast<int64_t>(std::llround(steps));
  }
  im.regular.push_back({code, every, {}});
}

void NeuronGroup::Impl::prepare_regular() {
  if (regular.empty()) return;
  auto resolver = [this](const std::string& s) { return resolve(s); };
  const auto all_units = expr::model_units(eqs, net->unit_constants(), units());
  const std::string where = name + " run_regularly";
  for (auto& r : regular) {
    auto statements = expr::parse_statements(r.code, source_info(where));
    for (auto& s : statements) s.value = eqs.substituted(s.value);
    expr::check_statements(statements, all_units, where);
    r.statements = compile_statements(
        statements, resolver,
        [&](const expr::Statement& s) {
          auto it = vars.find(s.target);
          if (it == vars.end() || s.target == "lastspike" || s.target == "not_refractory")
            throw Error(where + ": \"" + s.text + "\": cannot assign to '" + s.target +
                        "' (expected a state variable or parameter of " + name + ")");
          return TargetRef{it->second.data(), IndexRole::self, conditional_write(s.target)};
        },
        where);
  }
  all_neurons.resize(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) all_neurons[static_cast<size_t>(k)] = static_cast<int32_t>(k);
}

void NeuronGroup::Impl::run_regular(int64_t step) {
  for (auto& r : regular)
    if (step % r.every == 0) {
      // This rank's neurons (ranks.hpp): all of them on one rank.
      const int32_t* mine = all_neurons.data() + lo;
      const Indices idx{mine, mine, mine};
      run_statements(r.statements, hi - lo, idx, net->rng);
    }
}

}  // namespace soma::snn
