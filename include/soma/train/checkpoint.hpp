#pragma once
// Checkpoints: everything a run needs to continue bit for bit, in one state-dict file
// written atomically — model, optimizer, the history so far, how far into the current
// epoch it is, the loader's shuffling stream and order, every other random stream (the
// generator Dropout draws from) and the callbacks' state (EarlyStopping's).
//
//   Rng rng(seed);  // initialises the model, then drives its Dropout layers
//   train::CheckpointStreams streams{.rngs = {{"model", &rng}}};
//   callbacks.push_back(std::make_shared<train::Checkpoint>(
//       "run/checkpoint.soma", train::CheckpointOptions{.every_seconds = 30, .streams = streams}));
//   ...later, in a new process, with the same model, optimizer and loader rebuilt:
//   train::History h = train::resume("run/checkpoint.soma", model, opt, loader, fo, streams);
//   h = train::fit(model, opt, loader, valid, fo, callbacks, h);  // as if never stopped
//
// Put the Checkpoint last among the callbacks: it saves what the others left after the
// batch or epoch (a learning-rate schedule's rate, EarlyStopping's counters).
//
// File entries: model.*, optimizer.*, history.epoch (epochs done) and history.* (their
// figures), progress.* (inside the next epoch), loader.rng and loader.order,
// rng.<name>, callback.<name>.*.
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "soma/core/random.hpp"
#include "soma/train/fit.hpp"

namespace soma::train {

// The random streams and stateful callbacks a checkpoint holds besides model, optimizer
// and loader, each under a name. Resuming needs the same names.
struct CheckpointStreams {
  std::vector<std::pair<std::string, Rng*>> rngs{};
  std::vector<std::pair<std::string, Callback*>> callbacks{};
};

struct CheckpointOptions {
  int64_t every_epochs = 1;  // at the end of every n-th epoch (0: never)
  // Also after a batch once this long has passed since the last save (0: after every
  // batch), so a long epoch loses little when the process is killed.
  double every_seconds = std::numeric_limits<double>::infinity();
  CheckpointStreams streams{};
};

// Saves at epoch ends, every so often within an epoch, and when training ends by an
// interrupt (FitState::interrupt) or at an epoch no save fell on.
class Checkpoint : public Callback {
 public:
  explicit Checkpoint(std::string path, int64_t every = 1)
      : Checkpoint(std::move(path), CheckpointOptions{.every_epochs = every}) {}
  Checkpoint(std::string path, CheckpointOptions options)
      : path_(std::move(path)), options_(std::move(options)) {}
  void on_train_begin(FitState& s) override;
  void on_batch_end(FitState& s, int64_t batch, double loss) override;
  void on_epoch_end(FitState& s, const EpochRecord& r) override;
  void on_train_end(FitState& s) override;

  // Writes the checkpoint of the state now (after a batch, or after an epoch's record).
  void save(const FitState& s);
  int64_t saves() const { return saves_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  CheckpointOptions options_;
  // When the last save was (monotonic seconds, checkpoint.cpp): a number rather than a
  // Stopwatch, whose <chrono> would cost every includer of soma/train.hpp ~0.04 s.
  double last_save_ = 0;
  int64_t saves_ = 0;
  std::pair<int64_t, int64_t> saved_at_{-1, -1};  // (epochs done, batches into the next)
};

// Restores a Checkpoint file into the model, optimizer, loader and streams; returns the
// history so far and sets options.start_epoch, start_progress and replay_shuffles for
// fit(). Throws soma::Error naming the file and the entry when something does not fit.
History resume(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
               data::DataLoader& loader, FitOptions& options,
               const CheckpointStreams& streams = {});

// Without the loader: fit() replays its shuffles instead, which reaches the same stream
// from an epoch's end only (a checkpoint taken mid-epoch is refused).
History resume(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
               FitOptions& options);

// A generator's state as a tensor and back (6 int64: the four words, the spare normal's
// bits, whether it is set); `what` names the entry in errors.
Tensor rng_state_tensor(const Rng& rng);
void load_rng_state(Rng& rng, const Tensor& state, const std::string& what);

}  // namespace soma::train
