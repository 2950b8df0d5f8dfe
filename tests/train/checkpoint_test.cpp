// Checkpoints taken mid-epoch and resumed in fresh objects reproduce an uninterrupted run
// bit for bit — with Dropout drawing from its own generator, a shuffling loader and
// EarlyStopping's counters — and only when every stream is restored.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "soma/data/loader.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/dropout.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/nn/state_dict.hpp"
#include "soma/optim/adam.hpp"
#include "soma/train.hpp"

using namespace soma;
namespace fs = std::filesystem;

namespace {

struct Data {
  Tensor x, y;
};
Data noisy_line(int64_t n, uint64_t seed) {
  Rng rng(seed);
  Tensor x = rand({n, 1}, rng) * 4.0 - 2.0;
  return {x, x * 2.0 - 1.0 + randn({n, 1}, rng) * 0.1};
}

// Ends training right after batch `batch` of epoch `epoch`, as a signal handler would.
class InterruptAt : public train::Callback {
 public:
  InterruptAt(int64_t epoch, int64_t batch) : epoch_(epoch), batch_(batch) {}
  void on_batch_end(train::FitState& s, int64_t b, double) override {
    if (s.epoch == epoch_ && b == batch_) s.interrupt = true;
  }

 private:
  int64_t epoch_, batch_;
};

// One process's worth of training: everything built from the seeds, as `soma train` does.
struct Process {
  Data train = noisy_line(64, 5), valid = noisy_line(30, 6);
  Rng rng{11};  // initialises the layers, then drives Dropout
  nn::Sequential model{nn::Linear(1, 16, true, rng), nn::ReLU(), nn::Dropout(0.3, rng),
                       nn::Linear(16, 1, true, rng)};
  optim::Adam opt{model.parameters(), {.lr = 0.01}};
  data::DataLoader loader{data::TensorDataset(train.x, train.y),
                          {.batch_size = 10, .shuffle = true, .seed = 3}};
  data::DataLoader valid_loader{data::TensorDataset(valid.x, valid.y), {.batch_size = 30}};
  std::shared_ptr<train::EarlyStopping> stopper =
      std::make_shared<train::EarlyStopping>(train::EarlyStoppingOptions{.patience = 100});
  train::FitOptions options{
      .epochs = 6, .loss = [](const Tensor& a, const Tensor& b) { return mse_loss(a, b); }};
  train::CheckpointStreams streams{.rngs = {{"model", &rng}},
                                   .callbacks = {{"early", stopper.get()}}};

  Process() { options.progress = false; }
  train::History fit(std::vector<std::shared_ptr<train::Callback>> extra, train::History h = {}) {
    std::vector<std::shared_ptr<train::Callback>> cbs = {stopper};
    cbs.insert(cbs.end(), extra.begin(), extra.end());
    return train::fit(model, opt, loader, &valid_loader, options, cbs, std::move(h));
  }
  std::string weights() const { return nn::serialize(model.state_dict()); }
};

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("soma-ckpt-" + std::to_string(::getpid()) + "-" + name);
}

void expect_same_history(const train::History& a, const train::History& b) {
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (size_t i = 0; i < a.epochs.size(); ++i) {
    EXPECT_EQ(a.epochs[i].train_loss, b.epochs[i].train_loss) << "epoch " << i + 1;
    EXPECT_EQ(a.epochs[i].valid_loss, b.epochs[i].valid_loss) << "epoch " << i + 1;
  }
}

}  // namespace

TEST(Checkpoint, MidEpochInterruptResumesBitForBitWithDropout) {
  Process full;
  const train::History full_history = full.fit({});

  const fs::path path = temp_path("mid.soma");
  {
    Process first;
    auto ckpt = std::make_shared<train::Checkpoint>(
        path, train::CheckpointOptions{.streams = first.streams});
    const train::History h = first.fit({std::make_shared<InterruptAt>(3, 4), ckpt});
    EXPECT_EQ(h.epochs.size(), 2u);  // epoch 3 was cut short: no record yet
    EXPECT_EQ(ckpt->saves(), 3);     // epochs 1, 2 and the interrupt
  }
  Process second;
  train::History h =
      train::resume(path, second.model, second.opt, second.loader, second.options, second.streams);
  EXPECT_EQ(second.options.start_epoch, 2);
  EXPECT_EQ(second.options.start_progress.batch, 4);
  EXPECT_EQ(second.options.start_progress.examples, 40);
  h = second.fit({}, h);
  EXPECT_EQ(second.weights(), full.weights());
  expect_same_history(h, full_history);
  fs::remove(path);
}

// Without dropout's generator the resumed run draws other masks: the test above would
// notice a checkpoint that forgot it.
TEST(Checkpoint, ForgettingTheDropoutStreamChangesTheResult) {
  Process full;
  full.fit({});
  const fs::path path = temp_path("forget.soma");
  {
    Process first;
    first.fit({std::make_shared<InterruptAt>(2, 3),
               std::make_shared<train::Checkpoint>(
                   path, train::CheckpointOptions{.streams = first.streams})});
  }
  Process second;
  train::CheckpointStreams without_rng{.callbacks = second.streams.callbacks};
  train::History h =
      train::resume(path, second.model, second.opt, second.loader, second.options, without_rng);
  second.fit({}, h);
  EXPECT_NE(second.weights(), full.weights());
  fs::remove(path);
}

TEST(Checkpoint, EverySecondsZeroSavesAfterEveryBatch) {
  Process r;
  r.options.epochs = 2;
  const fs::path path = temp_path("every.soma");
  auto ckpt = std::make_shared<train::Checkpoint>(
      path, train::CheckpointOptions{.every_epochs = 0, .every_seconds = 0});
  r.fit({ckpt});
  // One per batch, and one at the end: the last batch's save came before epoch 2's record.
  EXPECT_EQ(ckpt->saves(), 2 * r.loader.size() + 1);
  Process again;
  again.options.epochs = 2;
  const train::History h = train::resume(path, again.model, again.opt, again.loader, again.options);
  EXPECT_EQ(again.options.start_epoch, 2);
  EXPECT_EQ(again.options.start_progress.batch, 0);
  EXPECT_EQ(h.epochs.size(), 2u);
  fs::remove(path);
}

TEST(Checkpoint, MissingStreamIsNamed) {
  const fs::path path = temp_path("missing.soma");
  {
    Process first;
    first.options.epochs = 1;
    first.fit({std::make_shared<train::Checkpoint>(path)});  // no streams saved
  }
  Process second;
  try {
    train::resume(path, second.model, second.opt, second.loader, second.options, second.streams);
    FAIL() << "resumed without the model's random stream";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string() + ": no entry 'rng.model'"),
              std::string::npos)
        << e.what();
  }
  fs::remove(path);
}

TEST(Checkpoint, RngStateRoundTripsAndRefusesDamage) {
  Rng a(5);
  (void)a.normal();  // leaves a spare normal behind, which the state must carry
  const Tensor st = train::rng_state_tensor(a);
  Rng b(99);
  train::load_rng_state(b, st, "test");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a.normal(), b.normal());
  EXPECT_THROW(train::load_rng_state(b, zeros({6}, kInt64), "zeros"), Error);
  EXPECT_THROW(train::load_rng_state(b, zeros({5}, kInt64), "short"), Error);
}
