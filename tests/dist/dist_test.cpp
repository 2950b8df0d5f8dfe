// soma::dist on one rank (the tests run without mpirun; tests/cli/dist_train_test.sh runs
// two ranks): the sampler's cut against numpy.array_split's, the ordered sum against
// additions written out, and a sharded step's gradient against the gradients of the
// parts computed one by one and combined by hand, and against the whole batch's (the
// same number: the mean loss's gradient is the share-weighted sum of the parts').
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "soma/core/error.hpp"
#include "soma/dist/context.hpp"
#include "soma/dist/data_parallel.hpp"
#include "soma/dist/sampler.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/batchnorm.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/optim/sgd.hpp"
#include "soma/train/fit.hpp"

using namespace soma;

TEST(DistContext, OneRankWithoutMpirun) {
  const dist::Context ctx;
  EXPECT_EQ(ctx.rank(), 0);
  EXPECT_EQ(ctx.size(), 1);
  EXPECT_FALSE(ctx.distributed());
  std::vector<double> all;
  ctx.allgather({1.5, 2.5}, all, "test");
  EXPECT_EQ(all, (std::vector<double>{1.5, 2.5}));
  EXPECT_THROW(dist::Context({.timeout_seconds = 0}), Error);
}

TEST(DistContext, SlotsGrowToTwiceTheLongestMessageAndShrinkPastEightTimes) {
  // Room for the length and the values, doubled, a power of two, at least kMinSlot.
  EXPECT_EQ(dist::next_slot(16, 0), 16);
  EXPECT_EQ(dist::next_slot(16, 15), 16);       // 16 values needed: it fitted
  EXPECT_EQ(dist::next_slot(16, 16), 64);       // 17 did not: room for 34
  EXPECT_EQ(dist::next_slot(1024, 200), 1024);  // 201 needed, not 8 times less
  EXPECT_EQ(dist::next_slot(1024, 100), 256);   // 101: shrunk to room for 202
  EXPECT_EQ(dist::next_slot(64, -5), 16);
  // One rank: no collective, the message itself.
  const dist::Context ctx;
  std::vector<int32_t> all;
  std::vector<int> counts;
  int slot = dist::kMinSlot;
  EXPECT_EQ(ctx.allgather_slots({4, 5, 6}, all, counts, slot, "test"), 0);
  EXPECT_EQ(all, (std::vector<int32_t>{4, 5, 6}));
  EXPECT_EQ(counts, (std::vector<int>{3}));
}

TEST(DistributedSampler, CutsAsArraySplit) {
  // numpy.array_split(np.arange(10), 4) -> [0 1 2] [3 4 5] [6 7] [8 9]
  const dist::DistributedSampler s(4, 1, 2);
  EXPECT_EQ(s.first_shard(), 2);
  EXPECT_EQ(s.end_shard(), 4);
  const std::pair<int64_t, int64_t> want[] = {{0, 3}, {3, 6}, {6, 8}, {8, 10}};
  for (int64_t k = 0; k < 4; ++k) EXPECT_EQ(s.rows(10, k), want[k]) << k;
  // numpy.array_split(np.arange(1), 2) -> [0] []
  EXPECT_EQ(s.rows(1, 3), (std::pair<int64_t, int64_t>{1, 1}));
  EXPECT_THROW(dist::DistributedSampler(3, 0, 2), Error);  // ranks must divide shards
  EXPECT_THROW(dist::DistributedSampler(2, 2, 2), Error);
}

// --shards as the examples take it: 0 is one per rank; a count must divide among the
// ranks and stay within the batch.
TEST(DistributedSampler, ShardsForRanks) {
  using soma::dist::shards_for_ranks;
  EXPECT_EQ(shards_for_ranks(0, 1), 1);
  EXPECT_EQ(shards_for_ranks(0, 4), 4);
  EXPECT_EQ(shards_for_ranks(6, 2), 6);
  EXPECT_EQ(shards_for_ranks(32, 2, 32), 32);
  EXPECT_THROW(shards_for_ranks(3, 2), soma::Error);
  EXPECT_THROW(shards_for_ranks(-1, 1), soma::Error);
  EXPECT_THROW(shards_for_ranks(34, 2, 32), soma::Error);
  try {
    shards_for_ranks(3, 2);
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--shards 3: expected 0 (one per rank) or a multiple of "
                                         "the 2 ranks"),
              std::string::npos)
        << e.what();
  }
}

TEST(DistributedSampler, IndicesOfTheLoadersOrder) {
  data::DataLoader loader(data::TensorDataset(arange(int64_t{7}), arange(int64_t{7})),
                          {.batch_size = 5, .shuffle = true, .seed = 9});
  (void)loader.begin();
  const auto& order = loader.order();
  // Batch 0 is order[0..5) cut 3 + 2; rank 1 of 2 takes the second part.
  const dist::DistributedSampler s(2, 1, 2);
  EXPECT_EQ(s.indices(loader, 0), (std::vector<int64_t>{order[3], order[4]}));
  // Batch 1 is order[5..7): one row each.
  EXPECT_EQ(s.indices(loader, 1), (std::vector<int64_t>{order[6]}));
}

TEST(OrderedSum, AddsLeftToRight) {
  // In float, 1e8 + 1 rounds to 1e8 (neighbouring floats are 8 apart there): the order
  // of the additions shows in the result, (1e8 + 1) - 1e8 = 0 but (-1e8 + 1e8) + 1 = 1.
  const float a[] = {1e8f}, b[] = {1.0f}, c[] = {-1e8f};
  float out[1];
  dist::ordered_sum({a, b, c}, 1, out);
  EXPECT_EQ(out[0], 0.0f);
  dist::ordered_sum({c, a, b}, 1, out);
  EXPECT_EQ(out[0], 1.0f);
}

namespace {
nn::Sequential net() {
  Rng rng(5);
  return nn::Sequential(nn::Linear(3, 4, true, rng), nn::Tanh(), nn::Linear(4, 2, true, rng));
}
Tensor ce(const Tensor& o, const Tensor& y) { return cross_entropy(o, y); }
}  // namespace

TEST(DataParallel, OneRankSumsThePartsInOrder) {
  Rng rng(1);
  const Tensor x = randn({7, 3}, rng);
  const std::vector<int64_t> labels = {0, 1, 1, 0, 1, 0, 0};
  const Tensor y = tensor(std::span<const int64_t>(labels));
  // By hand: parts of 3, 2 and 2 rows, each part's gradient times its share of 7.
  auto model = net();
  std::vector<std::vector<float>> parts;
  const int64_t cuts[] = {0, 3, 5, 7};
  double want_loss = 0;
  for (int p = 0; p < 3; ++p) {
    for (auto& w : model.parameters()) w.set_grad(Tensor());
    Tensor l = ce(model(x.slice(0, cuts[p], cuts[p + 1])), y.slice(0, cuts[p], cuts[p + 1]));
    const double share = static_cast<double>(cuts[p + 1] - cuts[p]) / 7.0;
    want_loss += share * l.item<double>();
    l.backward();
    std::vector<float> flat;
    for (auto& w : model.parameters())
      for (float g : w.grad().to_vector<float>()) flat.push_back(static_cast<float>(share) * g);
    parts.push_back(flat);
  }
  // The whole batch's gradient, for the closeness check.
  for (auto& w : model.parameters()) w.set_grad(Tensor());
  ce(model(x), y).backward();
  std::vector<float> whole;
  for (auto& w : model.parameters())
    for (float g : w.grad().to_vector<float>()) whole.push_back(g);

  const dist::Context ctx;
  dist::DataParallel dp(ctx, model, ce, {.shards = 3});
  EXPECT_EQ(dp.parameter_count(), static_cast<int64_t>(whole.size()));
  const double loss = dp.step(x, y);
  EXPECT_DOUBLE_EQ(loss, want_loss);
  size_t i = 0;
  for (auto& w : model.parameters())
    for (float g : w.grad().to_vector<float>()) {
      EXPECT_EQ(g, (parts[0][i] + parts[1][i]) + parts[2][i]) << i;  // bit for bit
      EXPECT_NEAR(g, whole[i], 1e-6) << i;
      ++i;
    }
}

TEST(DataParallel, FitTrainsWithTheShardedStep) {
  Rng rng(2);
  const Tensor x = randn({40, 3}, rng);
  const Tensor y = (x.slice(1, 0, 1).reshape({-1}) > 0.0).to(kInt64);
  auto train_once = [&](int64_t shards) {
    auto model = net();
    optim::SGD opt(model.parameters(), {.lr = 0.5});
    data::DataLoader loader(data::TensorDataset(x, y), {.batch_size = 8, .shuffle = true});
    train::FitOptions fo{.epochs = 30, .loss = ce, .progress = false};
    const dist::Context ctx;
    dist::DataParallel dp(ctx, model, ce, {.shards = shards});
    if (shards > 1) fo.batch_gradient = dp.batch_gradient();
    const auto h = train::fit(model, opt, loader, nullptr, fo);
    return std::pair{h.last().train_loss, model.parameters()[0].to_vector<float>()};
  };
  const auto [loss1, w1] = train_once(1);
  const auto [loss4, w4] = train_once(4);
  // The sign of x1 is learnable: both fits get there, by nearly the same path.
  EXPECT_LT(loss1, 0.2);
  EXPECT_LT(loss4, 0.2);
  for (size_t i = 0; i < w1.size(); ++i) EXPECT_NEAR(w1[i], w4[i], 1e-3) << i;
  // And four shards again give the same weights bit for bit.
  EXPECT_EQ(train_once(4).second, w4);
}

TEST(DataParallel, ALoopOfItsOwnGivesTheModelsStep) {
  // step(n, shard_loss) over a parameter list is step(x, y) of the model-and-loss form
  // when the shard loss is the same computation: the same gradients bit for bit.
  Rng rng(3);
  const Tensor x = randn({9, 3}, rng);
  const std::vector<int64_t> labels = {0, 1, 1, 0, 1, 0, 0, 1, 1};
  const Tensor y = tensor(std::span<const int64_t>(labels));
  const dist::Context ctx;
  auto a = net(), b = net();
  dist::DataParallel by_model(ctx, a, ce, {.shards = 2});
  const double la = by_model.step(x, y);
  dist::DataParallel by_loss(ctx, b.parameters(), {.shards = 2});
  const double lb = by_loss.step(
      9, [&](int64_t lo, int64_t hi) { return ce(b(x.slice(0, lo, hi)), y.slice(0, lo, hi)); });
  EXPECT_EQ(la, lb);
  for (size_t p = 0; p < a.parameters().size(); ++p)
    EXPECT_EQ(a.parameters()[p].grad().to_vector<float>(),
              b.parameters()[p].grad().to_vector<float>());
  // The parameter-list form has no model: step(x, y) says so.
  EXPECT_THROW(by_loss.step(x, y), Error);
  // Float64 parameters cannot be exchanged as float32 gradients.
  EXPECT_THROW(dist::DataParallel(ctx, {zeros({2}, kFloat64).requires_grad_()}), Error);
}

// BatchNorm's running statistics as DataParallelOptions::buffers: every shard starts from
// the statistics before the step, and after it they are the mean of the shards' updates,
// so one step moves them as torch's momentum update with the mean of the shards' batch
// means and (unbiased) variances, computed here from the shards' rows by hand.
TEST(DataParallel, BuffersAreTheMeanOfTheShardsUpdates) {
  Rng rng(4);
  const Tensor x = randn({7, 2}, rng) * 3.0 + 1.0;
  const int64_t cuts[] = {0, 3, 5, 7};  // array_split(7, 3)
  const dist::Context ctx;
  nn::BatchNorm1d bn(2);
  const std::vector<Tensor> state = {bn.running_mean, bn.running_var, bn.num_batches_tracked};
  dist::DataParallel dp(ctx, bn.parameters(), {.shards = 3, .buffers = state});
  dp.step(7, [&](int64_t lo, int64_t hi) { return mean(bn(x.slice(0, lo, hi))); });
  const std::vector<float> rm = bn.running_mean.to_vector<float>();
  const std::vector<float> rv = bn.running_var.to_vector<float>();
  const std::vector<float> xs = x.to_vector<float>();
  for (int64_t c = 0; c < 2; ++c) {
    double want_mean = 0, want_var = 0;
    for (int p = 0; p < 3; ++p) {
      const int64_t lo = cuts[p], hi = cuts[p + 1], n = hi - lo;
      double m = 0, ss = 0;
      for (int64_t i = lo; i < hi; ++i) m += xs[size_t(i * 2 + c)];
      m /= double(n);
      for (int64_t i = lo; i < hi; ++i) ss += std::pow(xs[size_t(i * 2 + c)] - m, 2);
      want_mean += 0.1 * m / 3;                                // from 0, momentum 0.1
      want_var += (0.9 * 1.0 + 0.1 * ss / double(n - 1)) / 3;  // from 1
    }
    EXPECT_NEAR(rm[size_t(c)], want_mean, 1e-6) << c;
    EXPECT_NEAR(rv[size_t(c)], want_var, 2e-6) << c;
  }
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);  // one step, not three forwards

  // One shard is the module's own update, bit for bit.
  nn::BatchNorm1d a(2), b(2);
  dist::DataParallel one(ctx, a.parameters(),
                         {.buffers = {a.running_mean, a.running_var, a.num_batches_tracked}});
  one.step(7, [&](int64_t lo, int64_t hi) { return mean(a(x.slice(0, lo, hi))); });
  b(x);
  EXPECT_EQ(a.running_mean.to_vector<float>(), b.running_mean.to_vector<float>());
  EXPECT_EQ(a.running_var.to_vector<float>(), b.running_var.to_vector<float>());
  // Only float and int64 contiguous tensors can be buffers.
  EXPECT_THROW(dist::DataParallel(ctx, a.parameters(), {.buffers = {Tensor()}}), Error);
}
