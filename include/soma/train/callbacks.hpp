#pragma once
// Ready-made callbacks for train::fit.
#include <limits>
#include <string>

#include "soma/core/std_function.hpp"
#include "soma/nn/state_dict.hpp"
#include "soma/train/checkpoint.hpp"  // Checkpoint and resume(), once declared here
#include "soma/train/fit.hpp"

namespace soma::train {

// Keras' LambdaCallback: plain functions for the hooks you want, e.g. recording the
// weights after every epoch.
class LambdaCallback : public Callback {
 public:
  std::function<void(FitState&, const EpochRecord&)> epoch_end{};
  std::function<void(FitState&, int64_t, double)> batch_end{};
  void on_epoch_end(FitState& s, const EpochRecord& r) override {
    if (epoch_end) epoch_end(s, r);
  }
  void on_batch_end(FitState& s, int64_t b, double loss) override {
    if (batch_end) batch_end(s, b, loss);
  }
};

// Stops when the monitored figure has not improved by min_delta for `patience`
// epochs; with restore_best_weights the model gets the best epoch's weights back.
struct EarlyStoppingOptions {
  std::string monitor = "valid_loss";  // or "train_loss" or a metric name
  int64_t patience = 10;
  double min_delta = 0.0;
  bool maximize = false;  // true for accuracies
  bool restore_best_weights = true;
};

class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {}) : options_(std::move(options)) {}
  void on_epoch_end(FitState& s, const EpochRecord& r) override;
  void on_train_end(FitState& s) override;
  nn::StateDict state_dict() const override;
  void load_state_dict(const nn::StateDict& state) override;
  int64_t best_epoch() const { return best_epoch_; }
  int64_t stopped_epoch() const { return stopped_epoch_; }  // 0 while it has not stopped
  double best() const { return best_; }                     // the best epoch's figure
  const EarlyStoppingOptions& options() const { return options_; }

 private:
  EarlyStoppingOptions options_;
  double best_ = std::numeric_limits<double>::quiet_NaN();
  int64_t best_epoch_ = 0, stopped_epoch_ = 0, waited_ = 0;
  nn::StateDict best_weights_;
};

}  // namespace soma::train
