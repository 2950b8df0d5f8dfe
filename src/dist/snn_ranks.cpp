#include "soma/dist/snn_ranks.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "soma/core/error.hpp"

namespace soma::dist {

std::shared_ptr<const snn::Ranks> snn_ranks(const dist::Context& ctx) {
  if (!ctx.distributed()) return nullptr;
  auto r = std::make_shared<snn::Ranks>();
  r->rank = ctx.rank();
  r->size = ctx.size();
  // The context outlives the network: both live for the command's run.
  const dist::Context* c = &ctx;
  // The spike exchange in one collective where its message fits the ranks' slots
  // (Context::allgather_slots); the slot's size lives as long as the network's ranks.
  auto slot = std::make_shared<int>(kMinSlot);
  r->gather_ints = [c, slot](const std::vector<int32_t>& send, std::vector<int32_t>& recv,
                             std::vector<int>& counts) {
    return c->allgather_slots(send, recv, counts, *slot, "the spike exchange");
  };
  r->gather_doubles = [c](const std::vector<double>& send, std::vector<double>& recv,
                          std::vector<int>& counts) {
    c->allgatherv(send, recv, counts, "gathering the network's state after a run");
  };
  return r;
}

std::string spike_lines(const std::vector<int64_t>& i, const std::vector<double>& t) {
  if (i.size() != t.size())
    throw Error("spike_lines: " + std::to_string(i.size()) + " neurons but " +
                std::to_string(t.size()) + " times (expected one time per spike)");
  std::vector<size_t> order(i.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return t[a] != t[b] ? t[a] < t[b] : i[a] < i[b]; });
  std::string out;
  out.reserve(i.size() * 24);
  char line[64];
  for (size_t k : order) {
    std::snprintf(line, sizeof line, "%lld,%.17g\n", static_cast<long long>(i[k]), t[k]);
    out += line;
  }
  return out;
}

}  // namespace soma::dist
