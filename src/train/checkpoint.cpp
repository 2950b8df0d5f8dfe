#include "soma/train/checkpoint.hpp"

#include <bit>
#include <chrono>
#include <cmath>
#include <map>

#include "soma/nn/state_dict.hpp"

namespace soma::train {

namespace {

Tensor doubles(const std::vector<double>& v) { return tensor(std::span<const double>(v)); }

// An entry that must be an int64 scalar or one-element tensor.
int64_t count_entry(const nn::StateDict& all, const std::string& name) {
  const Tensor& t = all.at(name);
  if (t.dtype() != kInt64 || t.numel() != 1)
    throw Error("entry '" + name + "' holds " + t.shape().str() + ", expected one int64");
  return t.item<int64_t>();
}

std::vector<double> figures_entry(const nn::StateDict& all, const std::string& name,
                                  size_t expected) {
  const Tensor& t = all.at(name);
  if (t.dtype() != kFloat64 || t.dim() != 1 || static_cast<size_t>(t.numel()) != expected)
    throw Error("entry '" + name + "' holds " + t.shape().str() + ", expected " +
                std::to_string(expected) + " float64 values (one per epoch done)");
  return t.to_vector<double>();
}

// Model, optimizer, history and progress: what both forms of resume() restore.
History restore_run(const nn::StateDict& all, nn::Module& model, optim::Optimizer& optimizer,
                    FitOptions& options) {
  model.load_state_dict(all.sub("model"));
  optimizer.load_state_dict(all.sub("optimizer"));
  const int64_t done = count_entry(all, "history.epoch");
  if (done < 0) throw Error("entry 'history.epoch' is " + std::to_string(done));
  const auto n = static_cast<size_t>(all.at("history.train_loss").numel());
  const auto train = figures_entry(all, "history.train_loss", n);
  const auto valid = figures_entry(all, "history.valid_loss", n);
  const auto secs = figures_entry(all, "history.seconds", n);
  std::map<std::string, std::vector<double>> metrics;
  for (const auto& [name, t] : all.sub("history.metric"))
    metrics[name] = figures_entry(all, "history.metric." + name, n);
  History h;
  for (size_t i = 0; i < n; ++i) {
    EpochRecord r;
    r.epoch = static_cast<int64_t>(i) + 1;
    r.train_loss = train[i];
    r.valid_loss = valid[i];
    r.seconds = secs[i];
    for (const auto& [name, v] : metrics) r.metrics[name] = v[i];
    h.epochs.push_back(r);
  }
  options.start_epoch = done;
  options.start_progress = {};
  // Checkpoints written before mid-epoch saves existed have no progress entries.
  if (all.contains("progress.batch")) {
    options.start_progress.batch = count_entry(all, "progress.batch");
    options.start_progress.examples = count_entry(all, "progress.examples");
    options.start_progress.loss_sum = all.at("progress.loss_sum").to(kFloat64).item<double>();
    options.start_progress.seconds = all.at("progress.seconds").to(kFloat64).item<double>();
  }
  return h;
}

}  // namespace

Tensor rng_state_tensor(const Rng& rng) {
  const Rng::State st = rng.state();
  std::vector<int64_t> v;
  for (const uint64_t w : st.words) v.push_back(std::bit_cast<int64_t>(w));
  v.push_back(std::bit_cast<int64_t>(st.spare));
  v.push_back(st.has_spare ? 1 : 0);
  return tensor(std::span<const int64_t>(v));
}

void load_rng_state(Rng& rng, const Tensor& state, const std::string& what) {
  if (state.dtype() != kInt64 || state.dim() != 1 || state.numel() != 6)
    throw Error(what + ": holds " + state.shape().str() +
                ", expected 6 int64 values (a generator's state)");
  const auto v = state.to_vector<int64_t>();
  Rng::State st;
  for (size_t i = 0; i < 4; ++i) st.words[i] = std::bit_cast<uint64_t>(v[i]);
  st.spare = std::bit_cast<double>(v[4]);
  st.has_spare = v[5] != 0;
  // xoshiro's all-zero state gives zeros forever: only a damaged file holds it.
  if (st.words == std::array<uint64_t, 4>{} || (v[5] != 0 && v[5] != 1))
    throw Error(what + ": not a generator's state (all-zero words or a flag other than 0/1)");
  rng.set_state(st);
}

namespace {
double monotonic_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

void Checkpoint::on_train_begin(FitState&) { last_save_ = monotonic_seconds(); }

void Checkpoint::on_batch_end(FitState& s, int64_t, double) {
  if (monotonic_seconds() - last_save_ >= options_.every_seconds) save(s);
}

void Checkpoint::on_epoch_end(FitState& s, const EpochRecord& r) {
  if (options_.every_epochs > 0 && r.epoch % options_.every_epochs == 0) save(s);
}

void Checkpoint::on_train_end(FitState& s) {
  // After an interrupt, or when the last epoch was not one of every_epochs.
  const bool epoch_done =
      s.epoch == 0 || (!s.history.epochs.empty() && s.history.epochs.back().epoch == s.epoch);
  const std::pair<int64_t, int64_t> at = epoch_done ? std::pair<int64_t, int64_t>{s.epoch, 0}
                                                    : std::pair{s.epoch - 1, s.progress.batch};
  if (at != saved_at_) save(s);
}

void Checkpoint::save(const FitState& s) {
  // After an epoch's record the next epoch has not begun; otherwise s.epoch is under way.
  const bool epoch_done =
      s.epoch == 0 || (!s.history.epochs.empty() && s.history.epochs.back().epoch == s.epoch);
  const int64_t done = epoch_done ? s.epoch : s.epoch - 1;
  const EpochProgress progress = epoch_done ? EpochProgress{} : s.progress;

  nn::StateDict all;
  all.merge(s.model.state_dict(), "model");
  all.merge(s.optimizer.state_dict(), "optimizer");
  const auto& epochs = s.history.epochs;
  std::vector<double> train, valid, secs;
  for (const auto& e : epochs) {
    train.push_back(e.train_loss);
    valid.push_back(e.valid_loss);
    secs.push_back(e.seconds);
  }
  all.insert("history.epoch", tensor({done}));
  all.insert("history.train_loss", doubles(train));
  all.insert("history.valid_loss", doubles(valid));
  all.insert("history.seconds", doubles(secs));
  if (!epochs.empty())
    for (const auto& [name, value] : epochs.front().metrics) {
      std::vector<double> m;
      for (const auto& e : epochs) {
        auto it = e.metrics.find(name);
        m.push_back(it == e.metrics.end() ? NAN : it->second);
      }
      all.insert("history.metric." + name, doubles(m));
    }
  all.insert("progress.batch", tensor({progress.batch}));
  all.insert("progress.examples", tensor({progress.examples}));
  all.insert("progress.loss_sum", tensor({progress.loss_sum}));
  all.insert("progress.seconds", tensor({progress.seconds}));
  all.insert("loader.rng", rng_state_tensor(s.train_loader.rng()));
  all.insert("loader.order", tensor(std::span<const int64_t>(s.train_loader.order())));
  for (const auto& [name, rng] : options_.streams.rngs)
    all.insert("rng." + name, rng_state_tensor(*rng));
  for (const auto& [name, cb] : options_.streams.callbacks)
    all.merge(cb->state_dict(), "callback." + name);
  nn::save(all, path_);
  ++saves_;
  saved_at_ = {done, progress.batch};
  last_save_ = monotonic_seconds();
}

History resume(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
               data::DataLoader& loader, FitOptions& options, const CheckpointStreams& streams) {
  const nn::StateDict all = nn::load_state_dict_file(path);
  try {
    History h = restore_run(all, model, optimizer, options);
    options.replay_shuffles = !all.contains("loader.rng");
    if (options.replay_shuffles && options.start_progress.batch > 0)
      throw Error("a checkpoint taken mid-epoch needs its loader state (entry 'loader.rng')");
    if (!options.replay_shuffles) {
      load_rng_state(loader.rng(), all.at("loader.rng"), "entry 'loader.rng'");
      const Tensor& order = all.at("loader.order");
      if (order.dtype() != kInt64 || order.dim() != 1)
        throw Error("entry 'loader.order' holds " + order.shape().str() + ", expected int64 [N]");
      loader.set_order(order.to_vector<int64_t>());
      if (options.start_progress.batch > loader.size())
        throw Error("entry 'progress.batch' is " + std::to_string(options.start_progress.batch) +
                    " but an epoch has " + std::to_string(loader.size()) + " batches");
    }
    for (const auto& [name, rng] : streams.rngs) {
      const std::string entry = "rng." + name;
      if (!all.contains(entry))
        throw Error("no entry '" + entry + "' (the run saved no random stream called '" + name +
                    "')");
      load_rng_state(*rng, all.at(entry), "entry '" + entry + "'");
    }
    for (const auto& [name, cb] : streams.callbacks)
      cb->load_state_dict(all.sub("callback." + name));
    return h;
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

History resume(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
               FitOptions& options) {
  const nn::StateDict all = nn::load_state_dict_file(path);
  try {
    History h = restore_run(all, model, optimizer, options);
    if (options.start_progress.batch > 0)
      throw Error("taken mid-epoch (batch " + std::to_string(options.start_progress.batch) +
                  "): resume it with its loader");
    options.replay_shuffles = true;
    return h;
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

}  // namespace soma::train
