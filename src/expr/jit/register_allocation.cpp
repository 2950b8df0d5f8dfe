// Linear-scan register allocation (Poletto & Sarkar 1999) over the loop body,
// which is straight-line code: a value lives from its node to its last use.
// When more values are live than there are registers, the one whose last use is
// farthest goes to a stack slot for its whole life (most operations can read
// their second operand straight from memory, so a spill costs little).
// Loop invariants (scalars, constants) live in memory unless registers are left
// over, in which case the most used ones are loaded once before the loop.
#include <algorithm>
#include <bit>
#include <map>

#include "expr/jit/compile_steps.hpp"

namespace soma::expr::jit {

namespace {
bool is_invariant(Op op) { return op == Op::scalar || op == Op::constant; }
}  // namespace

Allocation allocate(const Spec& spec, const std::vector<bool>& live, int registers) {
  const size_t count = spec.nodes.size();
  Allocation out;
  out.where.assign(count, Location{});

  // Last use of each value, and how often each is read (for hoisting).
  std::vector<int> last_use(count, -1), uses(count, 0);
  for (size_t i = 0; i < count; ++i) {
    if (!live[i]) continue;
    const Node& node = spec.nodes[i];
    const int32_t operands[3] = {node.a, node.b, node.c};
    for (int k = 0; k < operand_count(node.op); ++k) {
      last_use[operands[k]] = static_cast<int>(i);
      ++uses[operands[k]];
    }
  }

  // Invariants: one pool entry per distinct constant, one slot per scalar.
  std::map<uint64_t, int> constant_entry;
  std::map<int32_t, int> scalar_slot;
  std::vector<int> slot_free_after;  // per slot: last node that uses it (-1: forever busy)
  for (size_t i = 0; i < count; ++i) {
    if (!live[i]) continue;
    const Node& node = spec.nodes[i];
    if (node.op == Op::constant) {
      const auto bits = std::bit_cast<uint64_t>(node.value);
      auto [it, added] = constant_entry.emplace(bits, static_cast<int>(out.pool.size()));
      if (added) out.pool.push_back(node.value);
      out.where[i] = {Location::pool, it->second};
    } else if (node.op == Op::scalar) {
      auto [it, added] = scalar_slot.emplace(node.index, static_cast<int>(slot_free_after.size()));
      if (added) {
        out.scalar_slots.push_back({node.index, it->second});
        slot_free_after.push_back(-1);
      }
      out.where[i] = {Location::slot, it->second};
    }
  }

  // The scan. `owner[r]` is the node whose value holds register r (-1: free).
  std::vector<int> owner(static_cast<size_t>(registers), -1);
  std::vector<bool> ever_used(static_cast<size_t>(registers), false);
  for (size_t i = 0; i < count; ++i) {
    if (!live[i] || spec.nodes[i].op == Op::store || is_invariant(spec.nodes[i].op)) continue;
    const int at = static_cast<int>(i);
    // Values last read by this node free their registers: an emitter reads its
    // operands before it writes its result, or goes through scratch registers.
    for (int& o : owner) {
      if (o >= 0 && last_use[o] <= at) o = -1;
    }
    // A slot for `node`'s whole life: one whose values all died before `node`
    // was computed (a victim's life began before now, so "free now" is not enough).
    // slot_free_after only grows per slot, so it is the last use of all its values.
    auto take_slot = [&](int node) {
      int s = 0;
      while (s < static_cast<int>(slot_free_after.size()) &&
             (slot_free_after[s] < 0 || slot_free_after[s] >= node)) {
        ++s;
      }
      if (s == static_cast<int>(slot_free_after.size())) slot_free_after.push_back(0);
      slot_free_after[s] = last_use[node];
      out.where[node] = {Location::slot, s};
    };
    const auto free_reg = std::find(owner.begin(), owner.end(), -1);
    if (free_reg != owner.end()) {
      const int r = static_cast<int>(free_reg - owner.begin());
      *free_reg = at;
      ever_used[r] = true;
      out.where[i] = {Location::reg, r};
      continue;
    }
    int victim = 0;  // the register whose value is needed last
    for (int r = 1; r < registers; ++r) {
      if (last_use[owner[r]] > last_use[owner[victim]]) victim = r;
    }
    if (last_use[owner[victim]] > last_use[at]) {
      // The victim lives in a slot from its start: its register then held
      // nothing before now (no one else was given it), so this node can take it.
      take_slot(owner[victim]);
      owner[victim] = at;
      out.where[i] = {Location::reg, victim};
    } else {
      take_slot(at);
    }
  }
  out.slots = static_cast<int>(slot_free_after.size());

  // Hoisting: registers no value ever needed hold the most used invariants.
  std::vector<int> spare;
  for (int r = 0; r < registers; ++r) {
    if (!ever_used[r]) spare.push_back(r);
  }
  std::vector<int> invariants;  // one node per distinct invariant
  std::map<std::pair<int, int>, int> first_of;
  std::map<int, int> total_uses;
  for (size_t i = 0; i < count; ++i) {
    if (!live[i] || !is_invariant(spec.nodes[i].op)) continue;
    const Location loc = out.where[i];
    auto [it, added] = first_of.emplace(std::make_pair(int(loc.kind), loc.index), int(i));
    if (added) invariants.push_back(static_cast<int>(i));
    total_uses[it->second] += uses[i];
  }
  std::stable_sort(invariants.begin(), invariants.end(),
                   [&](int x, int y) { return total_uses[x] > total_uses[y]; });
  for (size_t k = 0; k < invariants.size() && k < spare.size(); ++k) {
    const int node = invariants[k];
    const Location from = out.where[node];
    out.hoisted.push_back({node, from});
    const Location to{Location::reg, spare[k]};
    for (size_t i = 0; i < count; ++i) {
      if (live[i] && is_invariant(spec.nodes[i].op) && out.where[i].kind == from.kind &&
          out.where[i].index == from.index) {
        out.where[i] = to;
      }
    }
  }
  return out;
}

}  // namespace soma::expr::jit
