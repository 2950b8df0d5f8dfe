// A network shared by the ranks of an MPI job (soma/snn/ranks.hpp): which groups are
// split, the synapses each rank keeps, the spike exchange (every step, or once per
// minimum delay) and the gathering of state and records when a run ends.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <limits>
#include <set>

#include "snn/internal.hpp"
#include "soma/core/error.hpp"

namespace soma::snn {

std::pair<int64_t, int64_t> block_range(int64_t n, int rank, int size, int64_t align) {
  if (n < 0 || size < 1 || rank < 0 || rank >= size || align < 1)
    throw Error("block_range: n = " + std::to_string(n) + ", rank " + std::to_string(rank) +
                " of " + std::to_string(size) + ", align " + std::to_string(align) +
                " (expected n >= 0, 0 <= rank < size, align >= 1)");
  // Whole units of `align` neurons (the last one perhaps short), dealt out evenly.
  const int64_t units = (n + align - 1) / align;
  const int64_t a = units * rank / size, b = units * (rank + 1) / size;
  return {std::min(n, a * align), std::min(n, b * align)};
}

void pack_spikes(const std::vector<const std::vector<int32_t>*>& groups,
                 std::vector<int32_t>& message) {
  message.clear();
  append_spikes(groups, message);
}

void append_spikes(const std::vector<const std::vector<int32_t>*>& groups,
                   std::vector<int32_t>& message) {
  for (const auto* g : groups) {
    message.push_back(static_cast<int32_t>(g->size()));
    message.insert(message.end(), g->begin(), g->end());
  }
}

void unpack_spikes(const std::vector<int32_t>& messages, const std::vector<int>& counts,
                   const std::vector<std::vector<int32_t>*>& groups) {
  for (auto* g : groups) g->clear();
  size_t at = 0;
  for (size_t r = 0; r < counts.size(); ++r) {
    const size_t end = at + static_cast<size_t>(counts[r]);
    if (counts[r] < 0 || end > messages.size())
      throw Error("spike exchange: rank " + std::to_string(r) + "'s message of " +
                  std::to_string(counts[r]) + " values overruns the " +
                  std::to_string(messages.size()) + " received");
    for (auto* g : groups) {
      if (at >= end || messages[at] < 0 || static_cast<size_t>(messages[at]) > end - at - 1)
        throw Error("spike exchange: rank " + std::to_string(r) +
                    "'s message does not have one count and its spikes per group");
      const auto k = static_cast<size_t>(messages[at++]);
      g->insert(g->end(), messages.begin() + static_cast<std::ptrdiff_t>(at),
                messages.begin() + static_cast<std::ptrdiff_t>(at + k));
      at += k;
    }
    if (at != end)
      throw Error("spike exchange: rank " + std::to_string(r) + " sent " +
                  std::to_string(end - at) + " values more than its groups' spikes");
  }
}

namespace {

// The names in code: identifiers, as the expression parser reads them.
std::vector<std::string> names_in(const std::string& code) {
  std::vector<std::string> out;
  for (size_t k = 0; k < code.size();) {
    const auto c = static_cast<unsigned char>(code[k]);
    if (std::isalpha(c) || c == '_') {
      size_t e = k;
      while (e < code.size() &&
             (std::isalnum(static_cast<unsigned char>(code[e])) || code[e] == '_'))
        ++e;
      // A name glued to a number (the e of 1e-3) is none; counting it is harmless.
      out.push_back(code.substr(k, e - k));
      k = e;
    } else {
      ++k;
    }
  }
  return out;
}

std::string group_code(const NeuronGroup::Impl& g) {
  std::string code = g.options.threshold + "\n" + g.options.reset + "\n";
  for (const auto& eq : g.eqs.list) code += eq.text + "\n";
  for (const auto& r : g.regular) code += r.code + "\n";
  return code;
}

std::string synapse_code(const Synapses::Impl& s) {
  std::string code = s.options.on_pre + "\n" + s.options.on_post + "\n";
  for (const auto& eq : s.model.list) code += eq.text + "\n";
  return code;
}

// Whether synapse code names a variable of the source group (v_pre, X_pre (summed)):
// values a rank holds only for its own neurons while a run goes on.
bool uses_source(const Synapses::Impl& s) {
  const auto& vars = s.source.group->impl().vars;
  for (const auto& name : names_in(synapse_code(s)))
    if (name.size() > 4 && name.ends_with("_pre") && vars.count(name.substr(0, name.size() - 4)))
      return true;
  return false;
}

}  // namespace

bool expression_draws_random(const std::string& code) {
  for (const auto& name : names_in(code))
    if (name == "rand" || name == "randn" || name == "xi" || name.starts_with("xi_")) return true;
  return false;
}

void Network::Impl::split_between_ranks() {
  const Ranks& r = *options.ranks;
  // Groups every rank runs whole (ranks.hpp): their random draws, and the values their
  // synapses read, are then the same on every rank.
  std::set<const NeuronGroup::Impl*> whole;
  for (const auto& g : groups)
    if (expression_draws_random(group_code(g->impl()))) whole.insert(&g->impl());
  for (const auto& p : poisson_inputs) whole.insert(&p->target.group->impl());
  for (const auto& s : synapses) {
    const auto& si = s->impl();
    // Random code draws once per event: all of a target's events must be on every rank.
    if (expression_draws_random(synapse_code(si))) whole.insert(&si.target.group->impl());
    // Code on the source's variables needs them current, and writes to them (or sums
    // into them) must see all of a source's synapses.
    if (uses_source(si)) {
      whole.insert(&si.source.group->impl());
      whole.insert(&si.target.group->impl());
    }
  }
  split_groups.clear();
  for (auto& g : groups) {
    auto& gi = g->impl();
    if (whole.count(&gi)) continue;
    std::tie(gi.lo, gi.hi) = block_range(gi.n, r.rank, r.size, Program::kBlock);
    split_groups.push_back(&gi);
  }
  // Synapses live on the rank of their target. Those still to be made (recorded under
  // several ranks: Synapses::Impl::build) are made for this rank's targets only, from
  // the same counter-based streams one rank draws them from; those made already are
  // made whole on every rank, and each keeps its share.
  std::vector<Synapses::Impl*> built;
  for (auto& s : synapses) {
    auto& si = s->impl();
    const auto& target = si.target.group->impl();
    if (whole.count(&target)) {
      si.build_all();
    } else if (si.pending.empty()) {
      si.keep_targets(target.lo, target.hi);
    } else {
      si.build(target.lo, target.hi);
      built.push_back(&si);
    }
  }
  // How many synapses one rank would have (Synapses::size()): the sum over the ranks,
  // each count sent as two 31-bit halves, in one collective for all of them.
  if (!built.empty()) {
    std::vector<int32_t> mine, all;
    std::vector<int> from;
    for (const auto* si : built) {
      const auto n = static_cast<int64_t>(si->count());
      mine.push_back(static_cast<int32_t>(n & 0x7fffffff));
      mine.push_back(static_cast<int32_t>(n >> 31));
    }
    r.gather_ints(mine, all, from);
    if (all.size() != mine.size() * static_cast<size_t>(r.size))
      throw Error("network: splitting between ranks, " + std::to_string(all.size()) +
                  " synapse counts came (expected " +
                  std::to_string(mine.size() * static_cast<size_t>(r.size)) + ")");
    for (size_t k = 0; k < built.size(); ++k) {
      int64_t total = 0;
      for (size_t q = 0; q < static_cast<size_t>(r.size); ++q)
        total += static_cast<int64_t>(all[q * mine.size() + 2 * k]) +
                 (static_cast<int64_t>(all[q * mine.size() + 2 * k + 1]) << 31);
      built[k]->global_count = total;
      built[k]->global_id.clear();
    }
  }
  split = true;
}

namespace {

// A split group's index in `split`, or -1.
int index_in(const std::vector<NeuronGroup::Impl*>& split, const NeuronGroup::Impl* g) {
  const auto it = std::find(split.begin(), split.end(), g);
  return it == split.end() ? -1 : static_cast<int>(it - split.begin());
}

// CPU seconds this thread has run.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The longest window: beyond it the exchanges' latency is lost in the steps' work
// anyway, and the spikes held between exchanges stay few.
constexpr int64_t kMaxWindow = 256;

}  // namespace

void Network::Impl::plan_exchange() {
  window = 0;
  deferred = false;
  spike_monitor_group.assign(spike_monitors.size(), -1);
  rate_monitor_group.assign(rate_monitors.size(), -1);
  for (auto& s : synapses) s->impl().deferred_pre = false;
  if (split_groups.empty()) {
    exchange.every = 0;
    return;
  }
  // The shortest delay, in steps, of the pathways that carry split groups' spikes:
  // their spikes may travel that many steps before they act. Each rank sees the delays
  // of the synapses it kept, so the ranks agree on the minimum over all of them (one
  // collective per run), and on none where no such pathway has a synapse.
  constexpr int32_t kNone = std::numeric_limits<int32_t>::max();
  int32_t shortest = kNone;
  for (auto& s : synapses) {
    const auto& si = s->impl();
    // A pathway without synapses on this rank (all its targets elsewhere) carries nothing.
    if (si.on_pre.empty() || si.count() == 0 ||
        index_in(split_groups, &si.source.group->impl()) < 0)
      continue;
    if (si.homogeneous)
      shortest = std::min(shortest, si.common_delay);
    else
      for (int32_t d : si.delay_steps) shortest = std::min(shortest, d);
  }
  message.assign(1, shortest);
  exchange.collectives += options.ranks->gather_ints(message, messages, counts);
  if (messages.size() != static_cast<size_t>(options.ranks->size))
    throw Error("spike exchange: " + std::to_string(messages.size()) +
                " ranks' shortest delays came (expected " + std::to_string(options.ranks->size) +
                ")");
  for (int32_t d : messages) shortest = std::min(shortest, d);
  message.clear();
  window_steps = 0;
  if (shortest == 0) {  // an undelayed pathway: every step, before the pathways run
    window = 1;
    exchange.every = 1;
    return;
  }
  deferred = true;
  window = std::min<int64_t>(shortest, kMaxWindow);
  exchange.every = window;
  for (auto& s : synapses) {
    auto& si = s->impl();
    si.deferred_pre = !si.on_pre.empty() && index_in(split_groups, &si.source.group->impl()) >= 0;
  }
  for (size_t k = 0; k < spike_monitors.size(); ++k)
    spike_monitor_group[k] = index_in(split_groups, &spike_monitors[k]->source.group->impl());
  for (size_t k = 0; k < rate_monitors.size(); ++k)
    rate_monitor_group[k] = index_in(split_groups, &rate_monitors[k]->source.group->impl());
}

void Network::Impl::exchange_spikes() {
  const auto start = std::chrono::steady_clock::now();
  const double cpu = thread_cpu_seconds();
  std::vector<const std::vector<int32_t>*> mine;
  std::vector<std::vector<int32_t>*> all;
  for (auto* g : split_groups) {
    mine.push_back(&g->spikes);
    all.push_back(&g->spikes);
  }
  pack_spikes(mine, message);
  send_message(all, start, cpu);
}

void Network::Impl::send_message(const std::vector<std::vector<int32_t>*>& into,
                                 std::chrono::steady_clock::time_point start, double cpu) {
  exchange.collectives += options.ranks->gather_ints(message, messages, counts);
  unpack_spikes(messages, counts, into);
  exchange.seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  exchange.cpu_seconds += thread_cpu_seconds() - cpu;
  exchange.exchanges += 1;
  exchange.values += static_cast<int64_t>(message.size());
}

void Network::Impl::hold_spikes(int64_t step) {
  if (window_steps == 0) {
    window_first = step;
    message.clear();
  }
  std::vector<const std::vector<int32_t>*> mine;
  for (auto* g : split_groups) mine.push_back(&g->spikes);
  append_spikes(mine, message);
  ++window_steps;
}

void Network::Impl::deliver_window(int64_t step) {
  const auto start = std::chrono::steady_clock::now();
  const double cpu = thread_cpu_seconds();
  const size_t n_groups = split_groups.size(), n_steps = static_cast<size_t>(window_steps);
  window_spikes.resize(n_steps * n_groups);
  std::vector<std::vector<int32_t>*> all;
  for (auto& v : window_spikes) all.push_back(&v);
  // One message per rank: the window's steps in order, each its groups' counts and
  // spikes; unpacked per (step, group), rank after rank, so ascending.
  send_message(all, start, cpu);
  // Each step of the window in order, as one rank met them: the monitors record it,
  // and its spikes are queued as if by that step's pathways (push_spikes: a spike of
  // step s with delay d >= window acts at s + d > step, so none is late). The queues
  // then hold each slot's events in the order of their spikes' steps, as on one rank.
  for (size_t w = 0; w < n_steps; ++w) {
    const int64_t s = window_first + static_cast<int64_t>(w);
    const double t = static_cast<double>(s) * dt;
    const auto spikes_of = [&](const NeuronGroup::Impl& g) -> const std::vector<int32_t>& {
      return window_spikes[w * n_groups + static_cast<size_t>(index_in(split_groups, &g))];
    };
    for (size_t k = 0; k < spike_monitors.size(); ++k)
      if (spike_monitor_group[k] >= 0)
        record_spikes(*spike_monitors[k], spikes_of(spike_monitors[k]->source.group->impl()), t);
    for (size_t k = 0; k < rate_monitors.size(); ++k) {
      const auto& g = rate_monitors[k]->source.group->impl();
      if (rate_monitor_group[k] >= 0 && g.ticks(s)) record_rate(*rate_monitors[k], spikes_of(g), t);
    }
    for (auto& syn : synapses) {
      auto& si = syn->impl();
      if (si.deferred_pre) si.push_spikes(spikes_of(si.source.group->impl()), step - s);
    }
  }
  window_steps = 0;
  message.clear();
}

void Network::Impl::gather_after_run(const std::vector<size_t>& records_before) {
  const Ranks& r = *options.ranks;
  std::vector<double> send, recv;
  std::vector<int> got;
  // Each split group's variables (and the steps of the last spikes): rank r's block of
  // each, one variable after another, rank after rank.
  for (auto* g : split_groups) {
    std::vector<double*> arrays;
    for (auto& [name, v] : g->vars) arrays.push_back(v.data());
    if (!g->lastspike_step.empty()) arrays.push_back(g->lastspike_step.data());
    send.clear();
    for (double* a : arrays) send.insert(send.end(), a + g->lo, a + g->hi);
    r.gather_doubles(send, recv, got);
    if (recv.size() != arrays.size() * static_cast<size_t>(g->n))
      throw Error("network: gathering " + g->name + " after the run, " +
                  std::to_string(recv.size()) + " values came (expected " +
                  std::to_string(arrays.size() * static_cast<size_t>(g->n)) + ")");
    size_t at = 0;
    for (int q = 0; q < r.size; ++q) {
      const auto [lo, hi] = block_range(g->n, q, r.size, Program::kBlock);
      for (double* a : arrays) {
        std::copy(recv.begin() + static_cast<std::ptrdiff_t>(at),
                  recv.begin() + static_cast<std::ptrdiff_t>(at) + (hi - lo), a + lo);
        at += static_cast<size_t>(hi - lo);
      }
    }
  }
  // The state monitors of split groups: each rank recorded its own neurons.
  for (size_t k = 0; k < state_monitors.size(); ++k) {
    auto& m = *state_monitors[k];
    const auto* g = &m.source.group->impl();
    if (std::find(split_groups.begin(), split_groups.end(), g) == split_groups.end()) continue;
    const size_t from = records_before[k], steps = m.t.size() - from;
    auto owner = [&](int64_t index) {
      const int64_t a = m.source.start + index;
      for (int q = 0; q < r.size; ++q) {
        const auto [lo, hi] = block_range(g->n, q, r.size, Program::kBlock);
        if (a >= lo && a < hi) return q;
      }
      return r.size - 1;
    };
    send.clear();
    for (const auto& v : m.variables)
      for (size_t i = 0; i < m.indices.size(); ++i)
        if (owner(m.indices[i]) == r.rank) {
          const auto& rec = m.values[v][i];
          send.insert(send.end(), rec.begin() + static_cast<std::ptrdiff_t>(from), rec.end());
        }
    r.gather_doubles(send, recv, got);
    if (recv.size() != steps * m.variables.size() * m.indices.size())
      throw Error("network: gathering " + m.name + " after the run, " +
                  std::to_string(recv.size()) + " values came (expected " +
                  std::to_string(steps * m.variables.size() * m.indices.size()) + ")");
    size_t at = 0;
    for (int q = 0; q < r.size; ++q)
      for (const auto& v : m.variables)
        for (size_t i = 0; i < m.indices.size(); ++i)
          if (owner(m.indices[i]) == q) {
            auto& rec = m.values[v][i];
            std::copy(recv.begin() + static_cast<std::ptrdiff_t>(at),
                      recv.begin() + static_cast<std::ptrdiff_t>(at + steps),
                      rec.begin() + static_cast<std::ptrdiff_t>(from));
            at += steps;
          }
  }
}

const ExchangeStats& Network::exchange_stats() const { return impl_->exchange; }

}  // namespace soma::snn
