#pragma once
// dist::DataParallel: one training step of data-parallel SGD, as PyTorch's
// DistributedDataParallel, with a result that does not depend on the number of ranks.
//
//   dist::Context ctx;
//   dist::DataParallel dp(ctx, model, loss, {.shards = 2, .rng = &model_rng});
//   train::FitOptions fo{.epochs = 3, .loss = loss};
//   fo.batch_gradient = dp.batch_gradient();   // fit() now trains data-parallel
//
// Every rank holds the whole model and walks the same global batches (DataLoader with the
// same seed). A step cuts the global batch into `shards` parts (DistributedSampler); each
// rank runs forward and backward on its own parts, one part at a time, and keeps each
// part's gradient, scaled by the part's share of the batch (n_s / n), in a flat float32
// buffer. The gradient of the batch is then the sum of these S buffers, added in shard
// order 0, 1, ..., S-1, element by element.
//
// Why not MPI_Allreduce(MPI_SUM): the order in which MPI adds the ranks' contributions is
// unspecified (it varies with the algorithm, the rank count and the message size), and
// float addition is not associative, so two rank counts would give weights that differ in
// the last bits. The exchange here is a reduce-scatter done as an all-to-all plus an
// ordered local sum, then an all-gather: rank r receives every shard's copy of its 1/R
// slice of the gradient, adds them in shard order, and all ranks gather the summed
// slices. It moves 2 (R-1)/R of the gradient per rank when S = R, the same as a ring
// all-reduce. One rank with S shards runs the same sum over its own buffers, so
// `mpirun -np 2` and `-np 1` with --shards 2 end with the same weights bit for bit.
// The gradient is exchanged in buckets of bucket_elements floats, all posted at once, so
// the sum of one bucket overlaps the transfer of the next (the backward pass is not
// overlapped: it runs per shard before the exchange).
//
// The batch loss is combined the same way (sum over shards of n_s / n times the shard's
// mean loss, in shard order), so every rank sees the same loss and stops on the same
// batch. Random layers (Dropout) draw from `rng`: each step takes one number from it and
// each shard draws from a stream seeded by that number and the shard's index, so a shard's
// masks do not depend on which rank runs it, and every rank's `rng` ends the step in the
// same state (a checkpoint of rank 0 resumes any rank).
//
// Buffers (BatchNorm's running statistics) are state that the forward pass changes but no
// gradient reaches: on R ranks each would follow its own shards. Given in `buffers`, they
// end every step identical on every rank and equal to one rank's with the same shards:
// each shard starts from the buffers as they were before the step, and after it the
// buffers are the mean of the shards' results, added in shard order (in double). For
// BatchNorm's running mean that is momentum times the mean of the shards' batch means,
// one update per step as with one rank and one shard; its running variance averages the
// shards' variances (the spread within shards, not between them: a batch's own variance
// would need a collective inside the forward pass, SyncBatchNorm's). PyTorch's DDP
// instead broadcasts rank 0's buffers, which depend on the rank count.
#include <vector>

#include "soma/core/random.hpp"
#include "soma/core/std_function.hpp"
#include "soma/core/std_memory.hpp"
#include "soma/dist/context.hpp"
#include "soma/dist/sampler.hpp"
#include "soma/nn/module.hpp"
#include "soma/train/fit.hpp"

namespace soma::dist {

// Where this rank's steps went, for bench/dist and docs/DISTRIBUTED.md's cost model.
struct DataParallelStats {
  int64_t steps = 0;
  double compute_seconds = 0;  // forward and backward of this rank's shards
  double exchange_seconds =
      0;                   // the losses' and gradients' exchange, waits for other ranks included
  int64_t bytes_sent = 0;  // gradient bytes this rank sent to other ranks (none on one rank)
};

struct DataParallelOptions {
  int64_t shards = 0;                      // 0: one per rank
  Rng* rng = nullptr;                      // the stream the model's random layers draw from
  int64_t bucket_elements = 1 << 20;       // floats per exchanged bucket (4 MiB)
  std::function<bool()> stop_requested{};  // this rank wants to stop after this batch
  // Buffers the forward pass updates (float32, float64 or int64, contiguous), averaged
  // over the shards after every step (see above); empty: left as each rank's shards
  // leave them.
  std::vector<Tensor> buffers{};
};

// The mean loss over rows [begin, end) of the global batch, as a graph to differentiate
// (a training loop of its own: a VAE's ELBO, a loss that needs the model's internals).
using ShardLossFn = std::function<Tensor(int64_t begin, int64_t end)>;

class DataParallel {
 public:
  DataParallel(const Context& ctx, nn::Module& model, train::LossFn loss,
               DataParallelOptions options = {});
  // For a loop of its own: the parameters to train (float32), and step(n, shard_loss).
  DataParallel(const Context& ctx, std::vector<Tensor> parameters,
               DataParallelOptions options = {});

  // One step's gradient: forward and backward of this rank's shards of the global batch
  // (x, y), the gradients combined over all shards into every parameter's grad(), and
  // the batch's loss returned (the same on every rank).
  double step(const Tensor& x, const Tensor& y);
  // The same for a global batch of n rows whose shards' losses shard_loss computes:
  //   double loss = dp.step(b, [&](int64_t lo, int64_t hi) { return my_loss(x.slice(0, lo, hi));
  //   }); optimizer.step();
  double step(int64_t n, const ShardLossFn& shard_loss);
  // step() as fit()'s FitOptions::batch_gradient.
  train::BatchGradientFn batch_gradient();

  // Whether any rank's stop_requested() said yes at the last step (every rank gets the
  // same answer, so all stop after the same batch).
  bool stop_agreed() const { return stop_agreed_; }
  const DistributedSampler& sampler() const { return sampler_; }
  const DataParallelStats& stats() const { return stats_; }
  int64_t parameter_count() const { return total_; }

 private:
  // buffers_ of every rank -> summed_ (the gradient of a batch of n rows).
  void exchange_ordered(int64_t n);
  // options_.buffers <-> flat doubles (DataParallelOptions::buffers).
  void read_state(double* out) const;
  void write_state(const double* in);

  const Context& ctx_;
  nn::Module* model_ = nullptr;  // with loss_: step(x, y)
  train::LossFn loss_;
  DataParallelOptions options_;
  DistributedSampler sampler_;
  std::vector<Tensor> params_;
  std::vector<int64_t> offsets_;  // of each parameter in the flat gradient
  int64_t total_ = 0;
  std::vector<std::vector<float>> buffers_;  // one per local shard, scaled by n_s / n
  std::vector<float> summed_;
  int64_t state_total_ = 0;  // values in options_.buffers
  // Per bucket of the exchange: what this rank sends and what it receives.
  std::vector<std::vector<float>> send_, recv_;
  bool stop_agreed_ = false;
  DataParallelStats stats_;
};

// The ordered sum every path uses: out = parts[0] + parts[1] + ... element by element,
// left to right (n floats each; at least one part).
void ordered_sum(const std::vector<const float*>& parts, int64_t n, float* out);

}  // namespace soma::dist
