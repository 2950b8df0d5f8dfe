// A neuron group's step as one loop of machine code (expr/jit): the refractory
// test, the state update with its `(unless refractory)` selection, and the
// threshold. The interpreter (expr::Program::run_blocks) makes one pass over a block per
// operation plus one per copy and selection, a dozen for exponential Euler; this
// makes one pass over the neurons in all, each value kept in a register from its
// computation to its last use. It computes what the interpreter computes, operation
// for operation with the same roundings, so the two give the same numbers.
#include <bit>

#include "snn/internal.hpp"
#include "soma/expr/jit.hpp"

namespace soma::snn {

struct NeuronGroup::Impl::StepKernel {
  std::unique_ptr<expr::jit::Kernel> kernel;
  std::vector<double*> arrays;  // run()'s arrays, in the spec's numbering
  // The update's, then the threshold's, then the latest step of a last spike that
  // no longer makes a neuron refractory.
  std::vector<double> scalars;
  size_t threshold_base = 0, step_index = 0;
  bool thresholds = false;    // the kernel also evaluates the threshold into `flags`
  std::vector<double> flags;  // per neuron: nonzero where it spikes this step
};

NeuronGroup::Impl::Impl() = default;
NeuronGroup::Impl::~Impl() = default;

namespace {

struct Built {
  expr::jit::Spec spec;
  std::vector<double*> arrays;
  size_t threshold_base = 0, step_index = 0;
};

}  // namespace

void NeuronGroup::Impl::compile_step_kernel() {
  using expr::jit::Op;
  step_kernel.reset();
  if (!net->options.jit || !expr::jit::available()) return;
  const bool refr = refractory >= 0;
  if (update_targets.empty() && !refr && options.threshold.empty()) return;  // nothing to do
  auto sk = std::make_unique<StepKernel>();
  sk->flags.assign(static_cast<size_t>(n), 0.0);

  // The spec in the order the interpreter works (node order is evaluation order,
  // and a load after a store sees the stored value): not_refractory first, then
  // the update from the values at the start of the step, then its stores, then the
  // threshold on the new values.
  auto build = [&](bool with_threshold) -> std::optional<Built> {
    Built b;
    auto& s = b.spec;
    const size_t update_scalars = update.scalar_values().size();
    b.threshold_base = update_scalars;
    b.step_index = update_scalars + (with_threshold ? threshold.scalar_values().size() : 0);
    auto number = [&](const double* array) {
      for (size_t k = 0; k < b.arrays.size(); ++k)
        if (b.arrays[k] == array) return static_cast<int32_t>(k);
      b.arrays.push_back(const_cast<double*>(array));
      return static_cast<int32_t>(b.arrays.size()) - 1;
    };
    // Arrays whose values are nodes already: loaded, or just stored.
    Program::KnownArrays known;
    auto set_known = [&](const double* array, int32_t value) {
      for (auto& k : known)
        if (k.first == array) return void(k.second = value);
      known.emplace_back(array, value);
    };
    int32_t not_ref = -1;
    if (refr) {
      // (step - lastspike_step) >= refractory_steps, as state_update computes it, as
      // lastspike_step <= step - refractory_steps: the same on whole numbers below 2^53.
      const int32_t last = s.add({.op = Op::load, .index = number(lastspike_step.data())});
      const int32_t latest = s.add({.op = Op::scalar, .index = static_cast<int32_t>(b.step_index)});
      not_ref = s.add({.op = Op::le, .a = last, .b = latest});
      s.add({.op = Op::store, .a = not_ref, .index = number(vars["not_refractory"].data())});
      set_known(vars["not_refractory"].data(), not_ref);
    }
    if (!update_targets.empty()) {
      const auto out = update.lower(s, b.arrays, 0, known);
      if (!out) return std::nullopt;
      std::vector<int32_t> value(update_targets.size());
      for (size_t v = 0; v < update_targets.size(); ++v) {
        value[v] = (*out)[update_outputs[v]];
        if (update_frozen[v] && refr) {  // new where not refractory, else the old value
          int32_t old = -1;
          for (const auto& k : known)
            if (k.first == update_targets[v]) old = k.second;
          if (old < 0) old = s.add({.op = Op::load, .index = number(update_targets[v])});
          value[v] = s.add({.op = Op::select, .a = not_ref, .b = value[v], .c = old});
        }
      }
      for (size_t v = 0; v < update_targets.size(); ++v) {
        s.add({.op = Op::store, .a = value[v], .index = number(update_targets[v])});
        set_known(update_targets[v], value[v]);
      }
    }
    if (with_threshold) {
      const auto cond = threshold.lower(s, b.arrays, static_cast<int32_t>(b.threshold_base), known);
      if (!cond) return std::nullopt;
      int32_t flag = (*cond)[0];
      if (refr) {  // no spike while refractory
        const int32_t zero = s.add({.op = Op::constant, .value = 0.0});
        flag = s.add({.op = Op::select, .a = flag, .b = not_ref, .c = zero});
      }
      s.add({.op = Op::store, .a = flag, .index = number(sk->flags.data())});
    }
    b.spec.arrays = static_cast<int32_t>(b.arrays.size());
    b.spec.scalars = static_cast<int32_t>(b.step_index) + 1;
    return b;
  };

  // With the threshold where it can be; else the update alone (the threshold may use
  // what the update does not, or an operation the machine code lacks).
  for (const bool with_threshold : {true, false}) {
    if (with_threshold && options.threshold.empty()) continue;
    auto built = build(with_threshold);
    if (!built || (update_targets.empty() && !refr && !with_threshold)) continue;  // no stores
    sk->kernel = expr::jit::Kernel::compile(built->spec);
    if (!sk->kernel) continue;
    sk->thresholds = with_threshold;
    sk->arrays = std::move(built->arrays);
    sk->threshold_base = built->threshold_base;
    sk->step_index = built->step_index;
    sk->scalars.assign(sk->step_index + 1, 0.0);
    step_kernel = std::move(sk);
    return;
  }
}

void NeuronGroup::Impl::run_step_kernel(int64_t step) {
  StepKernel& k = *step_kernel;
  update.update_scalars();
  std::copy(update.scalar_values().begin(), update.scalar_values().end(), k.scalars.begin());
  if (k.thresholds) {
    threshold.update_scalars();
    std::copy(threshold.scalar_values().begin(), threshold.scalar_values().end(),
              k.scalars.begin() + static_cast<std::ptrdiff_t>(k.threshold_base));
  }
  k.scalars[k.step_index] = static_cast<double>(step - refractory_steps);
  if (lo == 0 && hi == n) return k.kernel->run(k.arrays.data(), k.scalars.data(), n);
  // A rank's share (ranks.hpp): every array is per neuron, so all start at lo.
  std::vector<double*> shifted(k.arrays.size());
  for (size_t a = 0; a < shifted.size(); ++a) shifted[a] = k.arrays[a] + lo;
  k.kernel->run(shifted.data(), k.scalars.data(), hi - lo);
}

bool NeuronGroup::Impl::kernel_thresholds() const { return step_kernel && step_kernel->thresholds; }

bool NeuronGroup::Impl::collect_kernel_spikes() {
  if (!step_kernel || !step_kernel->thresholds) return false;
  // A few neurons spike per step: test 32 flags at a time by ORing their bit
  // patterns (integer work the compiler vectorises; a -0.0 only costs a closer
  // look), then the four groups of eight of a hit, then single flags.
  const double* f = step_kernel->flags.data();
  const int64_t count = hi;  // a local: spikes.push_back could alias a member
  auto any = [f](int64_t from, int width) {
    uint64_t bits = 0;
    for (int q = 0; q < width; ++q) bits |= std::bit_cast<uint64_t>(f[from + q]);
    return bits != 0;
  };
  auto look = [&](int64_t from, int64_t to) {
    for (int64_t k = from; k < to; ++k)
      if (f[k] != 0.0) spikes.push_back(static_cast<int32_t>(k));
  };
  int64_t k = lo;
  for (; k + 32 <= count; k += 32) {
    if (!any(k, 32)) continue;
    for (int64_t g = k; g < k + 32; g += 8)
      if (any(g, 8)) look(g, g + 8);
  }
  look(k, count);
  return true;
}

}  // namespace soma::snn
