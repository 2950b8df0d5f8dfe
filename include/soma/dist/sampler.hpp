#pragma once
// DistributedSampler: which part of every global batch each rank takes.
//
//   dist::DistributedSampler sampler(/*shards=*/4, ctx.rank(), ctx.size());
//   for (int64_t s = sampler.first_shard(); s < sampler.end_shard(); ++s) {
//     auto [begin, end] = sampler.rows(x.size(0), s);   // rows of the global batch x
//     ...
//   }
//
// Every rank iterates the same DataLoader (same seed, so the same shuffles and the same
// global batches as a one-rank run). A global batch of n rows is cut into `shards`
// contiguous parts as numpy.array_split cuts it (the first n % shards parts one row
// longer), and rank r of R takes the shards/R consecutive parts starting at r * shards/R.
// The result of training depends on the number of shards, never on the number of ranks:
// R ranks with S shards compute what one rank with S shards computes.
#include <cstdint>
#include <utility>
#include <vector>

namespace soma::data {
class DataLoader;
}

namespace soma::dist {

// A --shards value as a program takes it from its user: 0 means one shard per rank, and
// any other count must be a multiple of the ranks and at most `most` (a batch cannot be
// cut into more parts than it has rows). Returns the shard count to use; soma::Error
// naming --shards and what was expected otherwise.
int64_t shards_for_ranks(int64_t shards, int ranks, int64_t most = 4096);

class DistributedSampler {
 public:
  // shards >= 1 and a multiple of ranks; soma::Error otherwise.
  DistributedSampler(int64_t shards, int rank, int ranks);

  int64_t shards() const { return shards_; }
  int rank() const { return rank_; }
  int ranks() const { return ranks_; }
  // This rank's shards: [first_shard(), end_shard()).
  int64_t first_shard() const { return first_; }
  int64_t end_shard() const { return first_ + shards_ / ranks_; }
  // Rows [begin, end) of a global batch of n rows that shard s takes.
  std::pair<int64_t, int64_t> rows(int64_t n, int64_t shard) const;
  // The dataset indices this rank takes of global batch b in the loader's current epoch
  // (after loader.begin()), for loops that load only their own examples.
  std::vector<int64_t> indices(const data::DataLoader& loader, int64_t batch) const;

 private:
  int64_t shards_;
  int rank_, ranks_;
  int64_t first_;
};

}  // namespace soma::dist
