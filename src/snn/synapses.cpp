// Synapses: connectivity stored by source (CSR), so that a spike touches only the
// spiking neuron's own synapses; on_pre / on_post statements; delays by a ring of
// per-step event lists.
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "snn/block_gaps.hpp"
#include "snn/internal.hpp"
#include "soma/core/error.hpp"
#include "soma/core/vecmath.hpp"

namespace soma::snn {
namespace {

expr::SymbolUnits group_units(const NeuronGroup::Impl& g) {
  expr::SymbolUnits out;
  for (const auto& eq : g.eqs.list)
    if (eq.kind == expr::EquationKind::differential || eq.kind == expr::EquationKind::parameter)
      out[eq.name] = eq.unit;
  if (g.refractory >= 0) {
    out["lastspike"] = expr::dim::second();
    out["not_refractory"] = expr::dim::one();
  }
  return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Delays are held as a ring of per-step event lists, one slot per step of the longest
// delay, so a delay is checked before that ring is sized from it: a slip of units
// (0.5*Ms for 0.5*ms) must not ask for billions of slots. A million steps is 100 s at
// dt = 0.1 ms, far beyond any axonal delay.
constexpr int64_t kMaxDelaySteps = 1'000'000;

int32_t delay_in_steps(double seconds, double dt, const std::string& what) {
  const double steps = std::round(seconds / dt);
  if (!(steps >= 0.0) || steps > static_cast<double>(kMaxDelaySteps))
    throw Error(what + " is " + std::to_string(seconds) + " s (expected between 0 and " +
                std::to_string(kMaxDelaySteps) + " steps of dt = " + std::to_string(dt) + " s)");
  return static_cast<int32_t>(steps);
}

// A ring of per-step event lists made `slots` long (or kept longer), the events already
// in flight kept at their remaining delay; the current step's slot becomes slot 0.
void resize_ring(std::vector<std::vector<int32_t>>& ring, int64_t& head, size_t slots) {
  if (ring.size() == slots) return;
  std::vector<std::vector<int32_t>> out(std::max(slots, ring.size()));
  for (size_t k = 0; k < ring.size(); ++k)
    out[k] = std::move(ring[(static_cast<size_t>(head) + k) % ring.size()]);
  ring = std::move(out);
  head = 0;
}

}  // namespace

Synapses::Synapses(Network& net, Subgroup source, Subgroup target, const SynapsesOptions& options,
                   std::string name)
    : impl_(std::make_unique<Impl>()), name_(std::move(name)) {
  auto& im = *impl_;
  im.net = &net.impl();
  im.name = name_;
  im.source = source;
  im.target = target;
  im.options = options;
  im.n_pre = static_cast<double>(source.size());
  im.n_post = static_cast<double>(target.size());
  im.model = expr::parse_equations(options.model, model_options(name_ + " model"));
  for (const auto& eq : im.model.list)
    if (eq.kind == expr::EquationKind::parameter) im.vars[eq.name] = {};
  im.declare_dynamics();
  // A pathway's delay: a time with units, >= 0.
  auto delay_of = [&](const std::string& text, const std::string& what) {
    const auto q =
        expr::evaluate_constant(expr::parse_expression(text, source_info(name_ + " " + what)),
                                im.net->unit_constants(), text);
    if (!(q.dimension == expr::dim::second()))
      throw Error(name_ + " " + what + ": expected a time such as 2*ms, got units of " +
                  q.dimension.str());
    if (!(q.value >= 0.0)) throw Error(name_ + " " + what + ": " + text + " (expected >= 0)");
    return q.value;
  };
  if (!options.delay.empty()) im.default_delay = delay_of(options.delay, "delay");
  if (!options.post_delay.empty())
    im.default_post_delay = delay_of(options.post_delay, "post_delay");
  check_summed(im);
  im.pre_offsets.assign(static_cast<size_t>(source.size()) + 1, 0);
  im.queue.resize(1);
  im.post_queue.resize(1);
  // Statements compile when a run starts: constants may be set after this.
}

Synapses::~Synapses() = default;

std::optional<Binding> Synapses::Impl::resolve(const std::string& s) const {
  if (auto it = vars.find(s); it != vars.end())
    return Binding{Binding::Kind::array, nullptr, it->second.data(), IndexRole::self};
  if (s == "delay") {
    if (delay.empty()) return Binding{Binding::Kind::scalar, &default_delay};
    return Binding{Binding::Kind::array, nullptr, delay.data(), IndexRole::self};
  }
  if (s == "i")
    return Binding{Binding::Kind::index, nullptr, nullptr, IndexRole::pre,
                   -static_cast<double>(source.start)};
  if (s == "j")
    return Binding{Binding::Kind::index, nullptr, nullptr, IndexRole::post,
                   -static_cast<double>(target.start)};
  if (s == "N_pre") return Binding{Binding::Kind::scalar, &n_pre};
  if (s == "N_post") return Binding{Binding::Kind::scalar, &n_post};
  if (s == "N") return Binding{Binding::Kind::scalar, &n_syn};
  auto in_group = [&](const NeuronGroup::Impl& g, const std::string& var,
                      IndexRole role) -> std::optional<Binding> {
    if (auto it = g.vars.find(var); it != g.vars.end())
      return Binding{Binding::Kind::array, nullptr, it->second.data(), role};
    return std::nullopt;
  };
  if (ends_with(s, "_pre"))
    return in_group(source.group->impl(), s.substr(0, s.size() - 4), IndexRole::pre);
  if (ends_with(s, "_post"))
    return in_group(target.group->impl(), s.substr(0, s.size() - 5), IndexRole::post);
  // Brian2: an unsuffixed name that is no synaptic variable is the postsynaptic one.
  if (auto b = in_group(target.group->impl(), s, IndexRole::post)) return b;
  return net->resolve_common(s);
}

expr::SymbolUnits Synapses::Impl::units() const {
  expr::SymbolUnits out = group_units(target.group->impl());  // unsuffixed: postsynaptic
  for (const auto& [k, d] : group_units(source.group->impl())) out[k + "_pre"] = d;
  for (const auto& [k, d] : group_units(target.group->impl())) out[k + "_post"] = d;
  for (const char* k : {"i", "j", "N", "N_pre", "N_post"}) out[k] = expr::dim::one();
  out["delay"] = expr::dim::second();
  for (const auto& [k, v] : vars) out.erase(k);  // synaptic variables come from the model
  if (!event_driven.empty()) out["lastupdate"] = expr::dim::second();
  net->add_table_units(out);
  return out;
}

void Synapses::Impl::ensure_pre() {
  if (pre.size() == post.size()) return;
  pre.resize(post.size());
  for (size_t local = 0; local + 1 < pre_offsets.size(); ++local)
    std::fill(pre.begin() + pre_offsets[local], pre.begin() + pre_offsets[local + 1],
              static_cast<int32_t>(static_cast<int64_t>(local) + source.start));
}

void Synapses::Impl::add(IndexArray new_pre, IndexArray new_post) {
  if (global_count >= 0)
    throw Error(name +
                ".connect: the network is split between ranks since its first run "
                "(expected every connect before it)");
  ensure_pre();
  const size_t old = pre.size(), total = old + new_pre.size();
  if (pre.empty()) {  // the common case: one connect call; no second copy of the arrays
    pre = std::move(new_pre);
    post = std::move(new_post);
  } else {
    pre.insert(pre.end(), new_pre.begin(), new_pre.end());
    post.insert(post.end(), new_post.begin(), new_post.end());
  }
  for (auto& [k, v] : vars) v.resize(total, 0.0);
  if (!delay.empty()) delay.resize(total, default_delay);
  // Keep synapses sorted by source (stable: a source's synapses stay in creation order).
  if (!std::is_sorted(pre.begin() + static_cast<std::ptrdiff_t>(old > 0 ? old - 1 : 0),
                      pre.end())) {
    std::vector<int32_t> order(total);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
      return pre[static_cast<size_t>(a)] < pre[static_cast<size_t>(b)];
    });
    auto permute = [&](auto& v) {
      if (v.empty()) return;
      auto copy = v;
      for (size_t k = 0; k < total; ++k) v[k] = copy[static_cast<size_t>(order[k])];
    };
    permute(pre);
    permute(post);
    permute(delay);
    for (auto& [k, v] : vars) permute(v);
  }
  std::fill(pre_offsets.begin(), pre_offsets.end(), 0);
  for (int32_t p : pre) ++pre_offsets[static_cast<size_t>(p - source.start) + 1];
  std::partial_sum(pre_offsets.begin(), pre_offsets.end(), pre_offsets.begin());
  n_syn = static_cast<double>(total);
  post_offsets.clear();  // rebuilt when a run needs it (on_post)
}

void Synapses::Impl::rebuild_post_index() {
  post_offsets.assign(static_cast<size_t>(target.size()) + 1, 0);
  for (int32_t q : post) ++post_offsets[static_cast<size_t>(q - target.start) + 1];
  std::partial_sum(post_offsets.begin(), post_offsets.end(), post_offsets.begin());
  by_post.assign(post.size(), 0);
  auto fill = post_offsets;
  for (size_t s = 0; s < post.size(); ++s)
    by_post[static_cast<size_t>(fill[static_cast<size_t>(post[s] - target.start)]++)] =
        static_cast<int32_t>(s);
}

void Synapses::Impl::prepare() {
  auto resolver = [this](const std::string& s) { return resolve(s); };
  const auto constants = net->unit_constants();
  expr::check_units(model, constants, units());
  const auto all = expr::model_units(model, constants, units());
  auto target_of = [&](const expr::Statement& s) -> TargetRef {
    auto b = resolve(s.target);
    if (!b || b->kind != Binding::Kind::array || s.target == "delay" ||
        (b->role == IndexRole::self && !vars.count(s.target)))
      throw Error(name + ": \"" + s.text + "\": cannot assign to '" + s.target +
                  "' (expected a synaptic variable or a neuron variable with _pre/_post)");
    // Brian2 writes a neuron's `(unless refractory)` variable only while it is not
    // refractory (conditional write), from on_pre and on_post alike.
    const double* only_where = nullptr;
    if (b->role == IndexRole::pre)
      only_where = source.group->impl().conditional_write(s.target.substr(0, s.target.size() - 4));
    else if (b->role == IndexRole::post)
      only_where = target.group->impl().conditional_write(
          ends_with(s.target, "_post") ? s.target.substr(0, s.target.size() - 5) : s.target);
    return {const_cast<double*>(b->array), b->role, only_where};
  };
  auto compile = [&](const std::string& text, const std::string& what) {
    if (text.empty()) return std::vector<CompiledStatement>{};
    auto statements = expr::parse_statements(text, source_info(name + " " + what));
    for (auto& s : statements) s.value = model.substituted(s.value);
    expr::check_statements(statements, all, name + " " + what);
    return compile_statements(statements, resolver, target_of, name + " " + what);
  };
  on_pre = compile(options.on_pre, "on_pre");
  on_post = compile(options.on_post, "on_post");

  // Delays in whole steps (Brian2 rounds to the nearest step) of the clock on_pre runs
  // on, the source's: a source with its own dt delivers at its own steps.
  const auto& clock = source.group->impl();
  auto on_clock = [&](double d) {
    return clock.every == 1 ? d : std::round(d / clock.dt) * clock.dt;
  };
  int32_t max_delay = 0;
  homogeneous = delay.empty();
  // Per-synapse delays replace the common one (which then only seeds new synapses).
  common_delay =
      homogeneous ? delay_in_steps(on_clock(default_delay), net->dt, name + ": delay") : 0;
  delay_steps.clear();
  if (!homogeneous) {
    delay_steps.resize(delay.size());
    for (size_t s = 0; s < delay.size(); ++s) {
      delay_steps[s] = delay_in_steps(on_clock(delay[s]), net->dt,
                                      name + ": delay of synapse " + std::to_string(s));
      max_delay = std::max(max_delay, delay_steps[s]);
    }
  }
  max_delay = std::max(max_delay, common_delay);
  if (!on_post.empty() && post_offsets.empty()) rebuild_post_index();
  // Delayed events and on_post look synapses' pre up; undelayed on_pre does not.
  if (!on_post.empty() || !homogeneous || common_delay > 0) ensure_pre();
  resize_ring(queue, queue_head, static_cast<size_t>(max_delay) + 1);
  post_delay_steps = delay_in_steps(default_post_delay, net->dt, name + ": post_delay");
  resize_ring(post_queue, post_head, static_cast<size_t>(post_delay_steps) + 1);
  prepare_dynamics();
}

namespace {

// target[index(s)] op= value for the synapses s of the spiking rows, in order.
template <class Index, class Apply>
void apply_rows(const std::vector<int32_t>& spikes, const std::vector<int64_t>& pre_offsets,
                int64_t source_start, int64_t source_stop, Index index, Apply apply) {
  auto first = std::lower_bound(spikes.begin(), spikes.end(), static_cast<int32_t>(source_start));
  for (auto it = first; it != spikes.end() && *it < source_stop; ++it) {
    const auto local = static_cast<size_t>(*it - source_start);
    for (int64_t s = pre_offsets[local]; s < pre_offsets[local + 1]; ++s) apply(index(s, *it));
  }
}

}  // namespace

bool Synapses::Impl::propagate_uniform() {
  // Only for what needs no event list: every synapse of a spiking row acts now
  // (no delays, nothing queued from earlier runs) with a value that is the same
  // for all of them (ge += 0.6). The statements run in the same order over the
  // same synapses as through run_statements, so the sums are the same.
  if (!homogeneous || common_delay != 0 || !queue[static_cast<size_t>(queue_head)].empty() ||
      !event_driven.empty())
    return false;
  for (const auto& st : on_pre)
    if (!st.value.is_scalar(0) || st.only_where) return false;
  const auto& spikes = source.group->impl().spikes;
  const int32_t* post_of = post.data();
  // The rows are far apart in memory (cache misses): ask for all of them at once.
  if (std::any_of(on_pre.begin(), on_pre.end(),
                  [](const CompiledStatement& st) { return st.role == IndexRole::post; })) {
    auto first = std::lower_bound(spikes.begin(), spikes.end(), static_cast<int32_t>(source.start));
    for (auto it = first; it != spikes.end() && *it < source.stop; ++it) {
      const auto local = static_cast<size_t>(*it - source.start);
      for (int64_t k = pre_offsets[local]; k < pre_offsets[local + 1]; k += 16)
        __builtin_prefetch(post_of + k);
    }
  }
  for (auto& st : on_pre) {
    st.value.update_scalars();
    const double v = st.value.result(0).scalar;
    double* x = st.target;
    auto run = [&](auto index) {
      switch (st.op) {
        case expr::AssignOp::assign:
          return apply_rows(spikes, pre_offsets, source.start, source.stop, index,
                            [&](int64_t e) { x[e] = v; });
        case expr::AssignOp::add:
          return apply_rows(spikes, pre_offsets, source.start, source.stop, index,
                            [&](int64_t e) { x[e] += v; });
        case expr::AssignOp::sub:
          return apply_rows(spikes, pre_offsets, source.start, source.stop, index,
                            [&](int64_t e) { x[e] -= v; });
        case expr::AssignOp::mul:
          return apply_rows(spikes, pre_offsets, source.start, source.stop, index,
                            [&](int64_t e) { x[e] *= v; });
        case expr::AssignOp::div:
          return apply_rows(spikes, pre_offsets, source.start, source.stop, index,
                            [&](int64_t e) { x[e] /= v; });
      }
    };
    switch (st.role) {
      case IndexRole::self:
        run([](int64_t s, int32_t) { return s; });
        break;
      case IndexRole::pre:
        run([](int64_t, int32_t from) { return static_cast<int64_t>(from); });
        break;
      case IndexRole::post:
        run([post_of](int64_t s, int32_t) { return static_cast<int64_t>(post_of[s]); });
        break;
    }
  }
  return true;
}

void Synapses::Impl::push_spikes(const std::vector<int32_t>& spikes, int64_t ago) {
  const auto slots = static_cast<int64_t>(queue.size());
  auto first = std::lower_bound(spikes.begin(), spikes.end(), static_cast<int32_t>(source.start));
  for (auto it = first; it != spikes.end() && *it < source.stop; ++it) {
    const size_t local = static_cast<size_t>(*it - source.start);
    for (int64_t s = pre_offsets[local]; s < pre_offsets[local + 1]; ++s) {
      const int64_t ahead =
          (homogeneous ? common_delay : delay_steps[static_cast<size_t>(s)]) - ago;
      // plan_exchange's window is at most the shortest delay: never due yet.
      if (ahead < 1 || ahead >= slots)
        throw Error(name + ": a spike exchanged " + std::to_string(ago) +
                    " steps late for its delay (internal error in the spike exchange)");
      queue[static_cast<size_t>((queue_head + ahead) % slots)].push_back(static_cast<int32_t>(s));
    }
  }
}

void Synapses::Impl::propagate() {
  if (!on_pre.empty() && (deferred_pre || !propagate_uniform())) {
    // Deferred: this step's spikes come later, through push_spikes.
    static const std::vector<int32_t> none;
    const auto& spikes = deferred_pre ? none : source.group->impl().spikes;
    events.clear();
    ev_pre.clear();
    ev_post.clear();
    // Events due now from earlier spikes first, then this step's undelayed ones.
    // A spike's own synapses are one CSR row: their pre is the spiking neuron and
    // their post a contiguous run, so no random reads of pre[] / post[] here.
    auto& due = queue[static_cast<size_t>(queue_head)];
    for (int32_t s : due) {
      events.push_back(s);
      ev_pre.push_back(pre[static_cast<size_t>(s)]);
      ev_post.push_back(post[static_cast<size_t>(s)]);
    }
    due.clear();
    auto first = std::lower_bound(spikes.begin(), spikes.end(), static_cast<int32_t>(source.start));
    // The rows are far apart in memory (cache misses): ask for all of them at once.
    for (auto it = first; it != spikes.end() && *it < source.stop; ++it) {
      const size_t local = static_cast<size_t>(*it - source.start);
      const int32_t* row = post.data() + pre_offsets[local];
      for (int64_t k = 0; k < pre_offsets[local + 1] - pre_offsets[local]; k += 16)
        __builtin_prefetch(row + k);
    }
    for (auto it = first; it != spikes.end() && *it < source.stop; ++it) {
      const size_t local = static_cast<size_t>(*it - source.start);
      const int64_t a = pre_offsets[local], b = pre_offsets[local + 1];
      for (int64_t s = a; s < b; ++s) {
        const int32_t d = homogeneous ? common_delay : delay_steps[static_cast<size_t>(s)];
        if (d == 0) {
          events.push_back(static_cast<int32_t>(s));
          ev_pre.push_back(*it);
          ev_post.push_back(post[static_cast<size_t>(s)]);
        } else {
          queue[(static_cast<size_t>(queue_head) + static_cast<size_t>(d)) % queue.size()]
              .push_back(static_cast<int32_t>(s));
        }
      }
    }
    if (!events.empty()) {
      Indices idx{events.data(), ev_pre.data(), ev_post.data()};
      run_pathway(on_pre, static_cast<int64_t>(events.size()), idx);
    }
  }
  queue_head = (queue_head + 1) % static_cast<int64_t>(queue.size());
  if (!on_post.empty()) {
    const auto& spikes = target.group->impl().spikes;
    post_events.clear();
    auto first = std::lower_bound(spikes.begin(), spikes.end(), static_cast<int32_t>(target.start));
    for (auto it = first; it != spikes.end() && *it < target.stop; ++it) {
      const size_t local = static_cast<size_t>(*it - target.start);
      for (int64_t k = post_offsets[local]; k < post_offsets[local + 1]; ++k)
        post_events.push_back(by_post[static_cast<size_t>(k)]);
    }
    if (post_delay_steps > 0) {
      // This step's spikes wait their delay; those due now act instead.
      const size_t n = post_queue.size(), head = static_cast<size_t>(post_head);
      auto& later = post_queue[(head + static_cast<size_t>(post_delay_steps)) % n];
      later.insert(later.end(), post_events.begin(), post_events.end());
      post_events.swap(post_queue[head]);
      post_queue[head].clear();
    }
    post_head = (post_head + 1) % static_cast<int64_t>(post_queue.size());
    if (!post_events.empty()) {
      ev_pre.resize(post_events.size());
      ev_post.resize(post_events.size());
      for (size_t k = 0; k < post_events.size(); ++k) {
        ev_pre[k] = pre[static_cast<size_t>(post_events[k])];
        ev_post[k] = post[static_cast<size_t>(post_events[k])];
      }
      Indices idx{post_events.data(), ev_pre.data(), ev_post.data()};
      run_pathway(on_post, static_cast<int64_t>(post_events.size()), idx);
    }
  }
}

// ---- connect ----

void Synapses::connect(const std::vector<int64_t>& i, const std::vector<int64_t>& j) {
  auto& im = *impl_;
  if (i.size() != j.size())
    throw Error(name_ + ".connect: i has " + std::to_string(i.size()) + " entries, j has " +
                std::to_string(j.size()) + " (expected the same number)");
  IndexArray p, q;
  for (size_t k = 0; k < i.size(); ++k) {
    if (i[k] < 0 || i[k] >= im.source.size())
      throw Error(name_ + ".connect: i[" + std::to_string(k) + "] = " + std::to_string(i[k]) +
                  " (expected 0 <= i < " + std::to_string(im.source.size()) + ")");
    if (j[k] < 0 || j[k] >= im.target.size())
      throw Error(name_ + ".connect: j[" + std::to_string(k) + "] = " + std::to_string(j[k]) +
                  " (expected 0 <= j < " + std::to_string(im.target.size()) + ")");
    p.push_back(static_cast<int32_t>(i[k] + im.source.start));
    q.push_back(static_cast<int32_t>(j[k] + im.target.start));
  }
  im.build_all();
  im.add(std::move(p), std::move(q));
}

namespace {

// The candidates of a block of targets: those of the target group's neurons
// [b * kBlock, (b + 1) * kBlock) that are in the target subgroup. Blocks are the unit
// of a rank's share (block_range), so a rank holds whole blocks.
constexpr int64_t kTargetBlock = Program::kBlock;

// The gaps of synapse row i in target block b: the number of rejected candidates
// before the next kept one, when each is kept with probability p, is geometric,
// floor(log(1-u)/log(1-p)), its d-th u drawn from the stream {d / 2, i, b, 0} (two per
// Philox block). A row's first K gaps of every block are drawn at once (block_gaps.hpp:
// the draws and the logarithms vectorise; K covers the mean number a block needs); a
// block that needs more draws them two at a time.
class BlockGaps {
 public:
  BlockGaps(const PhiloxKey& key, double p, int64_t b0, int64_t b1, double per_block)
      : key_(key), inv_log1mp_(1.0 / std::log1p(-p)), b0_(b0), blocks_(b1 - b0) {
    // A block needs one draw per synapse and one more: the mean, rounded up to whole
    // Philox blocks of two.
    const double want = std::ceil(per_block + 1.0);
    k_ = 2 * static_cast<int64_t>(std::ceil(std::clamp(want, 2.0, 64.0) / 2.0));
    buf_.resize(static_cast<size_t>(blocks_ * k_));
  }
  void row(int64_t i) {
    row_ = static_cast<uint32_t>(i);
    block_gap_kernels().gaps(key_.data(), row_, static_cast<uint32_t>(b0_), blocks_, 0, k_ / 2,
                             inv_log1mp_, buf_.data());
  }
  double gap(int64_t b, int64_t d) const {
    if (d < k_) return buf_[static_cast<size_t>(d * blocks_ + (b - b0_))];
    double g[2];
    block_gap_kernels().gaps(key_.data(), row_, static_cast<uint32_t>(b), 1,
                             static_cast<uint32_t>(d / 2), 1, inv_log1mp_, g);
    return g[d % 2];
  }

 private:
  PhiloxKey key_;
  double inv_log1mp_;
  int64_t b0_, blocks_, k_ = 2;
  uint32_t row_ = 0;
  std::vector<double> buf_;
};

// The words of a draw that is not a program's: the pair's own test of a conditional
// connect with p < 1 (a program's sites are its operations, far below this).
constexpr uint32_t kPairSite = 0xffffffffu;

}  // namespace

void Synapses::Impl::connect_probability(double p, const PhiloxKey& key, int64_t lo, int64_t hi) {
  IndexArray new_pre, new_post;
  const int64_t t0 = std::max(lo, target.start), t1 = std::min(hi, target.stop);
  // The first connection of these synapses: rows come out in order, so the CSR
  // offsets say everything pre would, and pre is not stored (see ensure_pre).
  const bool implicit_pre = post.empty();
  std::vector<int64_t> row_end;
  if (p > 0.0 && t0 < t1) {
    // Geometric skipping: the cost is the number of synapses made, not N_pre * N_post.
    const double expected = p * static_cast<double>(source.size()) * static_cast<double>(t1 - t0);
    new_post.reserve(static_cast<size_t>(expected + 6 * std::sqrt(expected) + 16));
    if (!implicit_pre) new_pre.reserve(new_post.capacity());
    row_end.reserve(static_cast<size_t>(source.size()));
    const int64_t b0 = t0 / kTargetBlock, b1 = (t1 - 1) / kTargetBlock + 1;
    BlockGaps gaps(key, p, b0, b1, p * static_cast<double>(kTargetBlock));
    for (int64_t i = 0; i < source.size(); ++i) {
      const auto from = static_cast<int32_t>(i + source.start);
      if (p >= 1.0) {
        for (int64_t j = t0; j < t1; ++j) {
          if (!implicit_pre) new_pre.push_back(from);
          new_post.push_back(static_cast<int32_t>(j));
        }
      } else {
        gaps.row(i);
        for (int64_t b = b0; b < b1; ++b) {
          const int64_t c0 = std::max(b * kTargetBlock, target.start);
          const int64_t c1 = std::min((b + 1) * kTargetBlock, target.stop);
          const auto limit = static_cast<double>(c1 - c0);
          int64_t j = -1;
          for (int64_t d = 0;; ++d) {
            const double gap = gaps.gap(b, d);
            if (gap >= limit) break;
            j += 1 + static_cast<int64_t>(gap);
            if (j >= c1 - c0) break;
            if (!implicit_pre) new_pre.push_back(from);
            new_post.push_back(static_cast<int32_t>(c0 + j));
          }
        }
      }
      if (implicit_pre) row_end.push_back(static_cast<int64_t>(new_post.size()));
    }
  }
  if (!implicit_pre) {
    add(std::move(new_pre), std::move(new_post));
    return;
  }
  post = std::move(new_post);
  pre_offsets.assign(1, 0);
  if (row_end.empty()) row_end.assign(static_cast<size_t>(source.size()), 0);  // none made
  pre_offsets.insert(pre_offsets.end(), row_end.begin(), row_end.end());
  const size_t total = post.size();
  for (auto& [k, v] : vars) v.resize(total, 0.0);
  if (!delay.empty()) delay.resize(total, default_delay);
  n_syn = static_cast<double>(total);
  post_offsets.clear();
}

void Synapses::connect_probability(double p) {
  auto& im = *impl_;
  if (im.global_count >= 0) im.add({}, {});  // refused after the split, as connect()
  if (!(p >= 0.0 && p <= 1.0))
    throw Error(name_ + ".connect: p = " + std::to_string(p) + " (expected 0 <= p <= 1)");
  const PhiloxKey key = im.net->next_stream();
  if (im.defers()) {
    im.pending.push_back({Impl::Pending::Kind::probability, p, {}, {}, key, {}});
    return;
  }
  im.build_all();
  im.connect_probability(p, key, 0, im.target.group->size());
}

void Synapses::Impl::connect_condition(const std::string& condition, double p, const PhiloxKey& key,
                                       int64_t lo, int64_t hi) {
  const auto cond = expr::parse_expression(condition, source_info(name + " connect condition"));
  auto symbol_units = units();
  symbol_units["t"] = expr::dim::second();
  symbol_units["dt"] = expr::dim::second();
  for (const auto& [k, q] : net->unit_constants()) symbol_units[k] = q.dimension;
  expr::check_condition(cond, symbol_units, condition);
  // Pairs have no synaptic variables yet: resolve without them.
  auto resolver = [&](const std::string& s) -> std::optional<Binding> {
    if (vars.count(s))
      throw Error(name + " connect condition: \"" + condition + "\": synaptic variable '" + s +
                  "' does not exist before the synapse is made");
    return resolve(s);
  };
  Program prog = compile_program({{"_cond", cond}}, resolver, name + " connect condition");
  const int64_t t0 = std::max(lo, target.start), t1 = std::min(hi, target.stop);
  if (t0 >= t1) return;  // nothing here (or only checking the condition)
  const auto n = static_cast<size_t>(t1 - t0);
  std::vector<int32_t> row(n), cols(n);
  std::iota(cols.begin(), cols.end(), static_cast<int32_t>(t0));
  IndexArray new_pre, new_post;
  // rand() in the condition and the pair's test draw from the pair's own stream.
  const ElementStreams streams{.key = key, .a = row.data(), .b = cols.data()};
  for (int64_t i = 0; i < source.size(); ++i) {
    const auto from = static_cast<int32_t>(i + source.start);
    std::fill(row.begin(), row.end(), from);
    Indices idx{cols.data(), row.data(), cols.data()};
    prog.run_blocks(
        0, static_cast<int64_t>(n), {.lists = &idx, .streams = &streams},
        [&](int64_t first, int count) {
          const Program::Value c = prog.result(0);
          for (int k = 0; k < count; ++k) {
            if (c[k] == 0.0) continue;
            const int32_t to = cols[static_cast<size_t>(first + k)];
            if (p >= 1.0 || philox_uniform(philox_u64x2({kPairSite, static_cast<uint32_t>(from),
                                                         static_cast<uint32_t>(to), 0},
                                                        key)[0]) < p) {
              new_pre.push_back(from);
              new_post.push_back(to);
            }
          }
        });
  }
  add(std::move(new_pre), std::move(new_post));
}

void Synapses::connect_condition(const std::string& condition, double p) {
  auto& im = *impl_;
  if (im.global_count >= 0) im.add({}, {});  // refused after the split, as connect()
  if (!(p >= 0.0 && p <= 1.0))
    throw Error(name_ + ".connect: p = " + std::to_string(p) + " (expected 0 <= p <= 1)");
  const PhiloxKey key = im.net->next_stream();
  const bool defer = im.defers() && im.reads_only_indices(expr::parse_expression(
                                        condition, source_info(name_ + " connect condition")));
  if (defer) {
    im.connect_condition(condition, p, key, 0, 0);  // checks it now, makes nothing
    im.pending.push_back({Impl::Pending::Kind::condition, p, condition, {}, key, {}});
    return;
  }
  im.build_all();
  im.connect_condition(condition, p, key, 0, im.target.group->size());
}

bool Synapses::Impl::defers() const {
  return net->options.ranks && net->options.ranks->size > 1 && global_count < 0 &&
         (!pending.empty() || post.empty());
}

bool Synapses::Impl::reads_only_indices(const expr::Expr& e) const {
  // i, j, N_pre, N_post, numbers and units keep their values until the split; anything
  // else (a variable, a constant, t, N, a TimedArray) may change in between.
  if (e->kind == expr::NodeKind::symbol) {
    const auto b = resolve(e->name);
    if (b && b->kind != Binding::Kind::index &&
        !(b->kind == Binding::Kind::scalar && (b->scalar == &n_pre || b->scalar == &n_post)))
      return false;
  }
  if (e->kind == expr::NodeKind::call && resolve(e->name + "()")) return false;
  for (const auto& a : e->args)
    if (!reads_only_indices(a)) return false;
  return true;
}

void Synapses::Impl::build(int64_t lo, int64_t hi) {
  const auto ops = std::move(pending);
  pending.clear();
  for (const auto& op : ops) switch (op.kind) {
      case Pending::Kind::probability:
        connect_probability(op.p, op.key, lo, hi);
        break;
      case Pending::Kind::condition:
        connect_condition(op.text, op.p, op.key, lo, hi);
        break;
      case Pending::Kind::expression:
        set_expression(op.variable, op.value, op.key);
        break;
      case Pending::Kind::value:
        if (op.variable == "delay")
          delay.assign(count(), op.p);
        else
          vars[op.variable].assign(count(), op.p);
        break;
    }
}

void Synapses::Impl::build_all() {
  if (!pending.empty()) build(0, target.group->size());
}

// On several ranks (ranks.hpp) the synapses one rank would have, of which this rank
// keeps those whose target it holds.
int64_t Synapses::size() const {
  impl_->build_all();
  return impl_->global_count >= 0 ? impl_->global_count : static_cast<int64_t>(impl_->count());
}

void Synapses::Impl::keep_targets(int64_t lo, int64_t hi) {
  ensure_pre();
  const size_t total = post.size();
  global_count = static_cast<int64_t>(total);
  global_id.clear();
  for (size_t s = 0; s < total; ++s)
    if (post[s] >= lo && post[s] < hi) global_id.push_back(static_cast<int64_t>(s));
  // Kept in storage order: each target sees its synapses' events in one rank's order,
  // so its sums are the same, bit for bit.
  auto keep = [&](auto& v) {
    if (v.empty()) return;
    for (size_t k = 0; k < global_id.size(); ++k) v[k] = v[static_cast<size_t>(global_id[k])];
    v.resize(global_id.size());
    v.shrink_to_fit();
  };
  keep(pre);
  keep(post);
  keep(delay);
  for (auto& [k, v] : vars) keep(v);
  std::fill(pre_offsets.begin(), pre_offsets.end(), 0);
  for (int32_t p : pre) ++pre_offsets[static_cast<size_t>(p - source.start) + 1];
  std::partial_sum(pre_offsets.begin(), pre_offsets.end(), pre_offsets.begin());
  pre = IndexArray();    // the rows say it; ensure_pre() rebuilds it where needed
  post_offsets.clear();  // rebuilt when a run needs it (on_post)
  by_post.clear();
}

std::vector<int64_t> Synapses::sources() const {
  std::vector<int64_t> out;
  impl_->build_all();
  impl_->ensure_pre();
  for (int32_t p : impl_->pre) out.push_back(p - impl_->source.start);
  return out;
}
std::vector<int64_t> Synapses::targets() const {
  std::vector<int64_t> out;
  impl_->build_all();
  for (int32_t q : impl_->post) out.push_back(q - impl_->target.start);
  return out;
}

void Synapses::set(const std::string& variable, double value) {
  auto& im = *impl_;
  if (im.defers()) {
    if (!im.vars.count(variable) && variable != "delay")
      throw Error(name_ + ": no synaptic variable '" + variable + "'");
    im.pending.push_back({Impl::Pending::Kind::value, value, {}, variable, {}, {}});
    return;
  }
  set(variable, std::vector<double>(static_cast<size_t>(size()), value));
}

void Synapses::set(const std::string& variable, const std::vector<double>& values) {
  impl_->build_all();
  if (impl_->global_count >= 0 && values.size() == static_cast<size_t>(impl_->global_count) &&
      values.size() != impl_->count()) {
    // A rank that made only its own synapses (build) does not know where they are
    // among one rank's; a value that is the same for all of them it can set.
    if (impl_->global_id.empty() && !values.empty() &&
        std::all_of(values.begin(), values.end(), [&](double x) { return x == values[0]; }))
      return set(variable, std::vector<double>(impl_->count(), values[0]));
    if (impl_->global_id.empty() && impl_->count() > 0)
      throw Error(name_ + ": setting '" + variable + "' from " + std::to_string(values.size()) +
                  " values (one per synapse of the whole network) after the network was split "
                  "between ranks, each of which made only its own synapses (expected the values "
                  "before the first run, or this rank's " +
                  std::to_string(impl_->count()) + ")");
    // Split between ranks: one rank's values, of which this rank takes its synapses'.
    std::vector<double> mine(impl_->global_id.size());
    for (size_t k = 0; k < mine.size(); ++k)
      mine[k] = values[static_cast<size_t>(impl_->global_id[k])];
    return set(variable, mine);
  }
  if (variable == "delay") {
    if (values.size() != impl_->count())
      throw Error(name_ + ": setting 'delay' expected " + std::to_string(impl_->count()) +
                  " values, got " + std::to_string(values.size()));
    impl_->delay = values;
    return;
  }
  auto it = impl_->vars.find(variable);
  if (it == impl_->vars.end()) throw Error(name_ + ": no synaptic variable '" + variable + "'");
  if (values.size() != it->second.size())
    throw Error(name_ + ": setting '" + variable + "' expected " +
                std::to_string(it->second.size()) + " values, got " +
                std::to_string(values.size()));
  std::copy(values.begin(), values.end(), it->second.begin());
}

void Synapses::set_si(const std::string& variable, const std::vector<double>& values,
                      const std::array<int, 7>& dimension) {
  const expr::Dimension given = expr::Dimension::from_exponents(dimension);
  expr::Dimension declared;
  if (variable == "delay")
    declared = expr::dim::second();
  else if (const expr::Equation* eq = impl_->model.find(variable))
    declared = eq->unit;
  else
    throw Error(name_ + ": no synaptic variable '" + variable + "'");
  if (given != declared)
    throw Error(name_ + ": setting '" + variable + "', declared in " + declared.str() +
                ", to a value in " + given.str());
  set(variable, values);
}

void Synapses::set(const std::string& variable, const std::string& expression) {
  auto& im = *impl_;
  if (!im.vars.count(variable) && variable != "delay")
    throw Error(name_ + ": no synaptic variable '" + variable + "'");
  const auto e = parse_value(variable, expression,
                             expr::model_units(im.model, im.net->unit_constants(), im.units()),
                             name_ + "." + variable);
  const PhiloxKey key = im.net->next_stream();
  if (im.defers() && im.reads_only_indices(e)) {
    // Checked now (the names resolve), made when the network is split.
    Program check = compile_program(
        {{"_value", e}}, [&](const std::string& s) { return im.resolve(s); },
        name_ + "." + variable);
    im.pending.push_back({Impl::Pending::Kind::expression, 1.0, expression, variable, key, e});
    return;
  }
  im.build_all();
  im.set_expression(variable, e, key);
}

void Synapses::Impl::set_expression(const std::string& variable, const expr::Expr& value,
                                    const PhiloxKey& key) {
  ensure_pre();
  const size_t n = pre.size();
  // A synapse's draws come from the stream of (source, target, how many synapses of
  // the same pair come before it): the same on whichever rank holds the target, all of
  // whose synapses it holds. Rows are ascending (no repeated pair) unless several
  // connects made them.
  std::vector<int32_t> self(n), repeat(n, 0);
  std::iota(self.begin(), self.end(), 0);
  for (size_t r = 0; r + 1 < pre_offsets.size(); ++r) {
    const auto a = static_cast<size_t>(pre_offsets[r]), b = static_cast<size_t>(pre_offsets[r + 1]);
    bool ascending = true;
    for (size_t k = a + 1; k < b && ascending; ++k) ascending = post[k - 1] < post[k];
    if (ascending) continue;
    std::vector<std::pair<int32_t, size_t>> order;
    for (size_t k = a; k < b; ++k) order.emplace_back(post[k], k);
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    for (size_t k = 1; k < order.size(); ++k)
      if (order[k].first == order[k - 1].first)
        repeat[order[k].second] = repeat[order[k - 1].second] + 1;
  }
  Indices idx{self.data(), pre.data(), post.data()};
  const ElementStreams streams{.key = key, .a = pre.data(), .b = post.data(), .c = repeat.data()};
  Program p = compile_program(
      {{"_value", value}}, [&](const std::string& s) { return resolve(s); }, name + "." + variable);
  std::vector<double> out(n);
  p.run_blocks(0, static_cast<int64_t>(n), {.lists = &idx, .streams = &streams},
               [&](int64_t first, int count) {
                 const Program::Value v = p.result(0);
                 for (int k = 0; k < count; ++k) out[static_cast<size_t>(first + k)] = v[k];
               });
  if (variable == "delay")
    delay = std::move(out);
  else
    vars[variable] = std::move(out);
}

const std::vector<double>& Synapses::get(const std::string& variable) const {
  impl_->build_all();
  if (variable == "delay") {
    if (!impl_->delay.empty()) return impl_->delay;
    impl_->delay_view.assign(impl_->count(), impl_->default_delay);
    return impl_->delay_view;
  }
  auto it = impl_->vars.find(variable);
  if (it == impl_->vars.end()) throw Error(name_ + ": no synaptic variable '" + variable + "'");
  return it->second;
}

}  // namespace soma::snn
