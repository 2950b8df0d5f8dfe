#pragma once
// Keras' "callback to store weights" (tutorial 001: LambdaCallback(on_epoch_end=
// save_weights)), kept after every optimizer step rather than every epoch, so that the
// path of the weights through each mini-batch can be drawn or animated as the
// tutorial's hand-written Neuron records it per (epoch, batch).
//
//   auto recorder = std::make_shared<train::WeightRecorder>();
//   train::fit(model, sgd, loader, nullptr, options, {recorder});
//   recorder->records().size()            // == epochs x batches
//   recorder->values("weight").back()     // == the model's final weight, flattened
#include <cstdint>
#include <string>
#include <vector>

#include "soma/train/fit.hpp"

namespace soma::train {

struct WeightRecord {
  int64_t epoch = 0, batch = 0;  // both counted from 1, as FitState and on_batch_end count
  double loss = 0;               // the batch's loss, before its step
  // The parameters after the step, one flattened vector per name in WeightRecorder::names().
  std::vector<std::vector<double>> values{};
};

class WeightRecorder : public Callback {
 public:
  void on_train_begin(FitState& s) override;
  void on_batch_end(FitState& s, int64_t batch, double loss) override;

  // The model's parameter names ("weight", "0.bias", ...), in named_parameters() order.
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<WeightRecord>& records() const { return records_; }
  // One parameter's values per record; throws soma::Error naming the parameter and the
  // names there are when `name` is not one of them.
  std::vector<std::vector<double>> values(const std::string& name) const;

 private:
  std::vector<std::string> names_{};
  std::vector<WeightRecord> records_{};
};

}  // namespace soma::train
