#pragma once
// The fit loop: train for some epochs, validate after each, keep a history, and let
// callbacks watch or stop it (Keras' model.fit, in C++).
//
//   train::FitOptions opts{.epochs = 2000, .loss = nn::bce_loss};
//   opts.metrics = {train::binary_accuracy()};
//   auto history = train::fit(model, opt, train_loader, &valid_loader, opts,
//                             {std::make_shared<train::EarlyStopping>()});
//
// Each epoch: model.train(), one optimizer step per batch, then (if a validation
// loader is given) model.eval() and a no-grad pass over it for valid_loss and the
// metrics. A loss that is not finite stops training with a soma::Error naming the
// epoch and batch. Progress is drawn on a terminal only. A callback may end training
// after the current batch (FitState::interrupt); a Checkpoint (checkpoint.hpp) then
// saves the run mid-epoch and resume() continues it bit for bit.
#include <limits>
#include <string>
#include <vector>

#include "soma/core/std_function.hpp"
#include "soma/core/std_memory.hpp"
#include "soma/core/string_map.hpp"
#include "soma/data/loader.hpp"
#include "soma/nn/module.hpp"
#include "soma/optim/optimizer.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::train {

struct EpochRecord {
  int64_t epoch = 0;  // counted from 1
  double train_loss = std::numeric_limits<double>::quiet_NaN();
  double valid_loss = std::numeric_limits<double>::quiet_NaN();  // NaN without a validation loader
  // "valid_accuracy", ...: by name, in name order (a sorted vector; std::map's lookups).
  StringMap<double> metrics{};
  double seconds = 0;
};

struct History {
  std::vector<EpochRecord> epochs{};
  // epoch,train_loss,valid_loss,<metrics...>,seconds
  std::string to_csv() const;
  const EpochRecord& last() const;
};

using LossFn = std::function<Tensor(const Tensor& output, const Tensor& target)>;
// Computes one batch's gradient into the parameters' grad() and returns the batch's loss
// (fit()'s default: loss(model(x), y).backward()). dist::DataParallel gives one that
// splits the batch across MPI ranks.
using BatchGradientFn = std::function<double(nn::Module& model, const Tensor& x, const Tensor& y)>;
// A metric over a whole pass: all outputs and targets of the validation set.
struct Metric {
  std::string name{};
  std::function<double(const Tensor& output, const Tensor& target)> fn{};
};
Metric binary_accuracy();        // outputs are probabilities, threshold 0.5
Metric multiclass_accuracy();    // outputs are logits or probabilities [N, C]
Metric detection_rate_metric();  // recall of class 1 (outputs are probabilities)
Metric false_positive_rate_metric();
Metric mse_metric();

struct FitState;

// Hooks into the loop; override what you need.
class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(FitState&) {}
  // `batch` counts from 1 within the epoch (also in the first epoch of a resumed run).
  virtual void on_batch_end(FitState&, int64_t /*batch*/, double /*loss*/) {}
  virtual void on_epoch_end(FitState&, const EpochRecord&) {}
  // Also after an interrupt.
  virtual void on_train_end(FitState&) {}
  // What a checkpoint must carry for a resumed run to behave the same (EarlyStopping's
  // best figure and weights); nothing by default.
  virtual nn::StateDict state_dict() const { return {}; }
  virtual void load_state_dict(const nn::StateDict&) {}
};

// How far into an epoch training is: what a checkpoint taken after a batch needs for the
// epoch's record to come out as in an uninterrupted run.
struct EpochProgress {
  int64_t batch = 0;     // batches of the epoch done
  double loss_sum = 0;   // their losses, each times its batch size
  int64_t examples = 0;  // their examples
  double seconds = 0;    // time spent on them
};

struct FitState {
  nn::Module& model;
  optim::Optimizer& optimizer;
  data::DataLoader& train_loader;
  History& history;
  int64_t epoch = 0;         // the epoch running or just finished, from 1
  int64_t epochs = 0;        // the planned total
  EpochProgress progress{};  // within `epoch`
  bool stop = false;         // set by a callback to end training after this epoch
  // Set by a callback to end training right after this batch, before the epoch's record
  // (a signal handler's request to stop); fit() then returns the history so far.
  bool interrupt = false;
};

struct FitOptions {
  int64_t epochs = 10;
  LossFn loss{};
  std::vector<Metric> metrics{};   // computed on the validation set each epoch
  bool progress = true;            // a progress bar on a terminal
  std::string label = "train";     // shown before the bar
  int64_t start_epoch = 0;         // epochs already done (set by resume())
  EpochProgress start_progress{};  // batches of epoch start_epoch + 1 already done (resume())
  // Draw the loader's shuffles of the epochs already done again, to reach the same
  // stream; false when resume() restored the loader's stream and order.
  bool replay_shuffles = true;
  BatchGradientFn batch_gradient{};  // empty: forward, loss and backward on the whole batch
};

History fit(nn::Module& model, optim::Optimizer& optimizer, data::DataLoader& train_loader,
            data::DataLoader* valid_loader, const FitOptions& options,
            const std::vector<std::shared_ptr<Callback>>& callbacks = {}, History history = {});

// Loss and metrics of `model` over a loader, without gradients, in eval mode.
struct Evaluation {
  double loss = std::numeric_limits<double>::quiet_NaN();
  StringMap<double> metrics{};  // by metric name
  Tensor outputs{}, targets{};  // all batches concatenated
};
Evaluation evaluate(nn::Module& model, data::DataLoader& loader, const LossFn& loss,
                    const std::vector<Metric>& metrics = {});

}  // namespace soma::train
