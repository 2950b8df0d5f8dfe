#include "soma/train/callbacks.hpp"

#include <cmath>

namespace soma::train {

namespace {
double monitored(const EpochRecord& r, const std::string& name) {
  if (name == "valid_loss") return r.valid_loss;
  if (name == "train_loss") return r.train_loss;
  auto it = r.metrics.find(name);
  if (it == r.metrics.end())
    throw Error("EarlyStopping: no figure called '" + name + "' in the epoch record");
  return it->second;
}
}  // namespace

void EarlyStopping::on_epoch_end(FitState& s, const EpochRecord& r) {
  const double v = monitored(r, options_.monitor);
  const bool better = std::isnan(best_) || (options_.maximize ? v > best_ + options_.min_delta
                                                              : v < best_ - options_.min_delta);
  if (better) {
    best_ = v;
    best_epoch_ = r.epoch;
    waited_ = 0;
    if (options_.restore_best_weights) {
      best_weights_ = nn::StateDict();
      for (const auto& [name, t] : s.model.state_dict()) best_weights_.insert(name, t.clone());
    }
    return;
  }
  if (++waited_ >= options_.patience) {
    s.stop = true;
    stopped_epoch_ = r.epoch;
  }
}

void EarlyStopping::on_train_end(FitState& s) {
  if (options_.restore_best_weights && !best_weights_.empty() && stopped_epoch_ > 0)
    s.model.load_state_dict(best_weights_);
}

// A resumed run must stop at the same epoch and restore the same weights.
nn::StateDict EarlyStopping::state_dict() const {
  nn::StateDict s;
  s.insert("best", tensor({best_}));
  s.insert("counters", tensor({best_epoch_, stopped_epoch_, waited_}));
  s.merge(best_weights_, "weights");
  return s;
}

void EarlyStopping::load_state_dict(const nn::StateDict& state) {
  const Tensor& counters = state.at("counters");
  if (counters.dtype() != kInt64 || counters.numel() != 3)
    throw Error("EarlyStopping: the entry 'counters' holds " + counters.shape().str() +
                ", expected 3 int64 values");
  best_ = state.at("best").to(kFloat64).item<double>();
  const auto c = counters.to_vector<int64_t>();
  best_epoch_ = c[0];
  stopped_epoch_ = c[1];
  waited_ = c[2];
  best_weights_ = state.sub("weights");
}

}  // namespace soma::train
