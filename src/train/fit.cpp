#include "soma/train/fit.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "soma/core/progress.hpp"
#include "soma/core/system.hpp"
#include "soma/train/metrics.hpp"

namespace soma::train {

// ---- metrics as fit() sees them
Metric binary_accuracy() {
  return {"accuracy", [](const Tensor& o, const Tensor& y) {
            return accuracy(predicted_labels(o), y.to(kInt64));
          }};
}
Metric multiclass_accuracy() {
  return {"accuracy", [](const Tensor& o, const Tensor& y) { return accuracy(argmax(o, -1), y); }};
}
Metric detection_rate_metric() {
  return {"detection_rate", [](const Tensor& o, const Tensor& y) {
            return detection_rate(predicted_labels(o), y.to(kInt64));
          }};
}
Metric false_positive_rate_metric() {
  return {"false_positive_rate", [](const Tensor& o, const Tensor& y) {
            return false_positive_rate(predicted_labels(o), y.to(kInt64));
          }};
}
Metric mse_metric() {
  return {"mse", [](const Tensor& o, const Tensor& y) { return mse(o, y); }};
}

// ---- history
const EpochRecord& History::last() const {
  if (epochs.empty()) throw Error("history: no epoch has been recorded");
  return epochs.back();
}

std::string History::to_csv() const {
  std::ostringstream out;
  out.precision(10);
  out << "epoch,train_loss,valid_loss";
  std::vector<std::string> names;
  if (!epochs.empty())
    for (auto& [name, value] : epochs.front().metrics) names.push_back(name);
  for (auto& n : names) out << "," << n;
  out << ",seconds\n";
  for (const auto& e : epochs) {
    out << e.epoch << "," << e.train_loss << "," << e.valid_loss;
    for (auto& n : names) {
      auto it = e.metrics.find(n);
      out << "," << (it == e.metrics.end() ? NAN : it->second);
    }
    out << "," << e.seconds << "\n";
  }
  return out.str();
}

// ---- evaluation
Evaluation evaluate(nn::Module& model, data::DataLoader& loader, const LossFn& loss,
                    const std::vector<Metric>& metrics) {
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  std::vector<Tensor> outputs, targets;
  double total = 0;
  int64_t count = 0;
  for (auto& [x, y] : loader) {
    Tensor out = model(x);
    if (loss) total += loss(out, y).item<double>() * static_cast<double>(x.size(0));
    count += x.size(0);
    outputs.push_back(out);
    targets.push_back(y);
  }
  model.train(was_training);
  Evaluation e;
  if (count == 0) return e;
  e.outputs = concat(outputs, 0);
  e.targets = concat(targets, 0);
  if (loss) e.loss = total / static_cast<double>(count);
  for (const auto& m : metrics) e.metrics[m.name] = m.fn(e.outputs, e.targets);
  return e;
}

// ---- the loop
History fit(nn::Module& model, optim::Optimizer& optimizer, data::DataLoader& train_loader,
            data::DataLoader* valid_loader, const FitOptions& options,
            const std::vector<std::shared_ptr<Callback>>& callbacks, History history) {
  if (!options.loss) throw Error("fit: FitOptions.loss is not set");
  if (options.epochs < 0)
    throw Error("fit: epochs must be non-negative, got " + std::to_string(options.epochs));
  FitState state{model, optimizer, train_loader, history, options.start_epoch, options.epochs};
  // A resumed run replays the loader's shuffles of the epochs already done, so the
  // next epoch sees the same batches as in an uninterrupted run.
  if (options.replay_shuffles)
    for (int64_t e = 0; e < options.start_epoch; ++e) (void)train_loader.begin();
  const EpochProgress& resumed = options.start_progress;
  if (resumed.batch < 0 || resumed.batch > train_loader.size())
    throw Error("fit: start_progress.batch is " + std::to_string(resumed.batch) +
                ", expected 0 to " + std::to_string(train_loader.size()));

  const int64_t batches = train_loader.size();
  ProgressBar bar((options.epochs - options.start_epoch) * batches - resumed.batch, options.label,
                  options.progress);
  for (auto& cb : callbacks) cb->on_train_begin(state);
  for (int64_t epoch = options.start_epoch + 1; epoch <= options.epochs && !state.stop; ++epoch) {
    state.epoch = epoch;
    Stopwatch clock;
    model.train();
    // The first epoch of a run resumed mid-epoch continues the order its checkpoint
    // holds; every other epoch starts with a new shuffle.
    const bool mid_epoch = epoch == options.start_epoch + 1 && resumed.batch > 0;
    state.progress = mid_epoch ? resumed : EpochProgress{};
    const double carried_seconds = state.progress.seconds;
    auto it = mid_epoch ? train_loader.resume_at(resumed.batch) : train_loader.begin();
    for (; it != train_loader.end(); ++it) {
      const auto& [x, y] = *it;
      const int64_t b = state.progress.batch + 1;
      optimizer.zero_grad();
      auto check_finite = [&](double value) {
        if (!std::isfinite(value))
          throw Error("training diverged: the loss is " +
                      std::string(std::isnan(value) ? "NaN" : "infinite") + " at epoch " +
                      std::to_string(epoch) + ", batch " + std::to_string(b) +
                      " (try a smaller learning rate or check the inputs for NaN)");
      };
      double value;
      if (options.batch_gradient) {
        value = options.batch_gradient(model, x, y);
        check_finite(value);
      } else {
        Tensor loss = options.loss(model(x), y);
        value = loss.item<double>();
        check_finite(value);
        loss.backward();
      }
      optimizer.step();
      state.progress.batch = b;
      state.progress.loss_sum += value * static_cast<double>(x.size(0));
      state.progress.examples += x.size(0);
      state.progress.seconds = carried_seconds + clock.seconds();
      for (auto& cb : callbacks) cb->on_batch_end(state, b, value);
      if (bar.active()) {
        // The epoch's mean so far, as Keras shows it: one batch's loss jumps about.
        char status[96];
        std::snprintf(status, sizeof status, "epoch %lld/%lld loss %.4f",
                      static_cast<long long>(epoch), static_cast<long long>(options.epochs),
                      state.progress.loss_sum / static_cast<double>(state.progress.examples));
        bar.advance(1, status);
      }
      if (state.interrupt) break;
    }
    // An interrupted epoch gets its record when the resumed run finishes it.
    if (state.interrupt) break;
    EpochRecord record;
    record.epoch = epoch;
    record.train_loss = state.progress.examples
                            ? state.progress.loss_sum / static_cast<double>(state.progress.examples)
                            : NAN;
    if (valid_loader) {
      Evaluation e = evaluate(model, *valid_loader, options.loss, options.metrics);
      record.valid_loss = e.loss;
      for (auto& [name, value] : e.metrics) record.metrics["valid_" + name] = value;
    }
    record.seconds = carried_seconds + clock.seconds();
    history.epochs.push_back(record);
    for (auto& cb : callbacks) cb->on_epoch_end(state, history.epochs.back());
  }
  bar.finish();
  for (auto& cb : callbacks) cb->on_train_end(state);
  return history;
}

}  // namespace soma::train
