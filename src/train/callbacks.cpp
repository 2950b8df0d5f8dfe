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

// The checkpoint: model.*, optimizer.*, and the history as tensors.
void Checkpoint::on_epoch_end(FitState& s, const EpochRecord& r) {
  if (every_ <= 0 || r.epoch % every_ != 0) return;
  nn::StateDict all;
  all.merge(s.model.state_dict(), "model");
  all.merge(s.optimizer.state_dict(), "optimizer");
  const auto& epochs = s.history.epochs;
  const int64_t n = static_cast<int64_t>(epochs.size());
  Tensor train = empty({n}, kFloat64), valid = empty({n}, kFloat64), secs = empty({n}, kFloat64);
  for (int64_t i = 0; i < n; ++i) {
    train.data_ptr<double>()[i] = epochs[i].train_loss;
    valid.data_ptr<double>()[i] = epochs[i].valid_loss;
    secs.data_ptr<double>()[i] = epochs[i].seconds;
  }
  all.insert("history.epoch", tensor({r.epoch}));
  all.insert("history.train_loss", train);
  all.insert("history.valid_loss", valid);
  all.insert("history.seconds", secs);
  if (n > 0)
    for (const auto& [name, value] : epochs.front().metrics) {
      Tensor m = empty({n}, kFloat64);
      for (int64_t i = 0; i < n; ++i) {
        auto it = epochs[i].metrics.find(name);
        m.data_ptr<double>()[i] = it == epochs[i].metrics.end() ? NAN : it->second;
      }
      all.insert("history.metric." + name, m);
    }
  nn::save(all, path_);
}

History resume(const std::filesystem::path& path, nn::Module& model, optim::Optimizer& optimizer,
               FitOptions& options) {
  const nn::StateDict all = nn::load_state_dict_file(path);
  model.load_state_dict(all.sub("model"));
  optimizer.load_state_dict(all.sub("optimizer"));
  History h;
  const int64_t done = all.at("history.epoch").item<int64_t>();
  const auto train = all.at("history.train_loss").to_vector<double>();
  const auto valid = all.at("history.valid_loss").to_vector<double>();
  const auto secs = all.at("history.seconds").to_vector<double>();
  const nn::StateDict metrics = all.sub("history.metric");
  for (size_t i = 0; i < train.size(); ++i) {
    EpochRecord r;
    r.epoch = static_cast<int64_t>(i) + 1;
    r.train_loss = train[i];
    r.valid_loss = valid[i];
    r.seconds = secs[i];
    for (const auto& [name, t] : metrics) r.metrics[name] = t.to_vector<double>().at(i);
    h.epochs.push_back(r);
  }
  options.start_epoch = done;
  return h;
}

}  // namespace soma::train
