#include "soma/dist/sampler.hpp"

#include <algorithm>
#include <string>

#include "soma/core/error.hpp"
#include "soma/data/loader.hpp"

namespace soma::dist {

int64_t shards_for_ranks(int64_t shards, int ranks, int64_t most) {
  const std::string ranks_text = std::to_string(ranks) + (ranks == 1 ? " rank" : " ranks");
  if (shards < 0 || shards > most || (shards != 0 && shards % ranks != 0))
    throw Error("--shards " + std::to_string(shards) +
                ": expected 0 (one per rank) or a multiple of the " + ranks_text +
                " mpirun started, at most " + std::to_string(most));
  return shards == 0 ? ranks : shards;
}

DistributedSampler::DistributedSampler(int64_t shards, int rank, int ranks)
    : shards_(shards), rank_(rank), ranks_(ranks) {
  if (ranks < 1 || rank < 0 || rank >= ranks)
    throw Error("DistributedSampler: rank " + std::to_string(rank) + " of " +
                std::to_string(ranks) + " ranks (expected 0 <= rank < ranks)");
  if (shards < 1 || shards % ranks != 0)
    throw Error("DistributedSampler: " + std::to_string(shards) + " shards for " +
                std::to_string(ranks) + " ranks (expected a positive multiple of the ranks)");
  first_ = static_cast<int64_t>(rank) * (shards / ranks);
}

std::pair<int64_t, int64_t> DistributedSampler::rows(int64_t n, int64_t shard) const {
  if (shard < 0 || shard >= shards_)
    throw Error("DistributedSampler: shard " + std::to_string(shard) + " of " +
                std::to_string(shards_));
  const int64_t base = n / shards_, extra = n % shards_;
  const int64_t begin = shard * base + std::min(shard, extra);
  return {begin, begin + base + (shard < extra ? 1 : 0)};
}

std::vector<int64_t> DistributedSampler::indices(const data::DataLoader& loader,
                                                 int64_t batch) const {
  if (batch < 0 || batch >= loader.size())
    throw Error("DistributedSampler: batch " + std::to_string(batch) + " of " +
                std::to_string(loader.size()));
  const auto& order = loader.order();
  const int64_t bs = loader.options().batch_size;
  const int64_t start = batch * bs;
  const int64_t n = std::min<int64_t>(bs, static_cast<int64_t>(order.size()) - start);
  const int64_t begin = rows(n, first_).first, end = rows(n, end_shard() - 1).second;
  return {order.begin() + start + begin, order.begin() + start + end};
}

}  // namespace soma::dist
