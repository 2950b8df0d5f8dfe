// soma train: trains a network described by a TOML file (default: a small CNN on
// Fashion-MNIST, a tenth of its training images held out for validation), evaluates it on
// the test set and saves model, configuration, history, report and figures into a new
// directory under runs/.
//
//   soma train                          # the default CNN on Fashion-MNIST, 3 epochs
//   soma train --epochs 3 --json        # last line: {"test_accuracy": ..., "weights_sha256": ...}
//   soma train --config examples/titanic.toml
//   soma train --resume runs/titanic-20261123-104000-1   # after Ctrl-C, a kill or a crash
//
// The log follows Keras and Lightning: the model's summary (layers, output shapes,
// parameters) before training, a bar with the epoch's mean loss and an ETA on a terminal,
// one line per epoch that stays (also in a pipe), early stopping announced, and a summary
// naming the best epoch. --json's last line holds the same figures.
//
// The run directory is made (and written to) before the data is read. Training saves
// checkpoint.soma after every epoch and every --checkpoint-seconds within one, holding
// every random stream, so a resumed run ends with the same weights as one never stopped.
// SIGINT/SIGTERM end it after the current batch with a checkpoint, status "interrupted"
// and exit status 130/143. status.json says how the run stands (run_status.hpp).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <numbers>
#include <optional>
#include <sstream>
#include <string>

#include "example_live.hpp"
#include "flags.hpp"
#include "live_dashboard.hpp"
#include "registry.hpp"
#include "run_status.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/system.hpp"
#include "soma/core/threads.hpp"
#include "soma/data/column.hpp"
#include "soma/data/fashion_mnist.hpp"
#include "soma/data/loader.hpp"
#include "soma/data/split.hpp"
#include "soma/dist/context.hpp"
#include "soma/dist/data_parallel.hpp"
#include "soma/nn/state_dict.hpp"
#include "soma/nn/summary.hpp"
#include "soma/optim/adam.hpp"
#include "soma/optim/sgd.hpp"
#include "soma/train/callbacks.hpp"
#include "soma/train/checkpoint.hpp"
#include "soma/train/config.hpp"
#include "soma/train/fit.hpp"
#include "soma/train/metrics.hpp"
#include "soma/train/model_factory.hpp"
#include "soma/train/prepare.hpp"
#include "stop_signals.hpp"
#include "train_figures.hpp"

namespace {

using namespace soma;
using nlohmann::json;

// Evaluation batches: large enough to keep the GEMMs efficient, small enough that the
// activations of a conv network stay small (1000 28x28 images through the default CNN:
// ~300 MB).
constexpr int64_t kEvalBatch = 256;

// What status.json, report.json and report.md call the configuration without --config.
constexpr const char* kDefaultConfigName = "the default CNN (Fashion-MNIST)";

// "0.001", "5": as a person writes a threshold.
std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// "1 epoch", "3 epochs".
std::string count_of(int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// A figure of an epoch record by its column name ("valid_accuracy" -> "valid accuracy").
std::string figure_name(std::string column) {
  std::replace(column.begin(), column.end(), '_', ' ');
  return column;
}

// "train loss 0.4512, valid loss 0.3822, valid accuracy 0.8610": the record's finite figures.
std::string epoch_figures(const train::EpochRecord& r) {
  std::string out;
  char buf[96];
  auto add = [&](const std::string& name, double v) {
    if (!std::isfinite(v)) return;
    std::snprintf(buf, sizeof buf, "%s%s %.4f", out.empty() ? "" : ", ", name.c_str(), v);
    out += buf;
  };
  add("train loss", r.train_loss);
  add("valid loss", r.valid_loss);
  for (const auto& [name, v] : r.metrics) add(figure_name(name), v);
  return out;
}

// The figure a run is judged by in an epoch record (EarlyStopping's "monitor").
double monitored(const train::EpochRecord& r, const std::string& monitor) {
  if (monitor == "valid_loss") return r.valid_loss;
  if (monitor == "train_loss") return r.train_loss;
  const auto it = r.metrics.find(monitor);
  return it == r.metrics.end() ? NAN : it->second;
}

// The best epoch of a run: early stopping's, or else the lowest validation loss (the
// lowest training loss without a validation set), and whose weights were saved.
struct BestEpoch {
  int64_t epoch = 0;
  std::string monitor;
  double value = NAN;
  bool restored = false;  // early stopping gave the model this epoch's weights back
};

BestEpoch best_epoch(const train::History& h, const train::EarlyStopping* stopper) {
  BestEpoch b;
  if (stopper && stopper->best_epoch() > 0) {
    b.epoch = stopper->best_epoch();
    b.monitor = stopper->options().monitor;
    b.value = stopper->best();
    b.restored = stopper->stopped_epoch() > 0 && stopper->options().restore_best_weights;
    return b;
  }
  const bool validated = !h.epochs.empty() && std::isfinite(h.epochs.front().valid_loss);
  b.monitor = validated ? "valid_loss" : "train_loss";
  for (const auto& r : h.epochs) {
    const double v = monitored(r, b.monitor);
    if (std::isfinite(v) && (b.epoch == 0 || v < b.value)) b.value = v, b.epoch = r.epoch;
  }
  return b;
}

struct Options {
  std::string config, data_dir, runs = "runs";
  int64_t epochs = 0;  // 0: the configuration's
  int threads = 0;     // 0: the global --threads (default OMP_NUM_THREADS, else all cores)
  bool json = false;
  cli::LiveOption live;  // stream the run to a dashboard page, held open after it
  std::string resume;    // a run directory to continue
  double checkpoint_seconds = 30;
  int64_t shards = 0;         // parts of every batch whose gradients are summed; 0: the ranks
  double dist_timeout = 300;  // seconds a rank waits for the others under mpirun
};

std::unique_ptr<optim::Optimizer> make_optimizer(const train::Config& c, nn::Module& model) {
  if (c.optimizer == "sgd")
    return std::make_unique<optim::SGD>(
        model.parameters(),
        optim::SGDOptions{.lr = c.lr, .momentum = c.momentum, .weight_decay = c.weight_decay});
  if (c.optimizer == "adamw")
    return std::make_unique<optim::AdamW>(
        model.parameters(), optim::AdamWOptions{.lr = c.lr, .weight_decay = c.weight_decay});
  return std::make_unique<optim::Adam>(
      model.parameters(), optim::AdamOptions{.lr = c.lr, .weight_decay = c.weight_decay});
}

train::LossFn make_loss(const std::string& name) {
  if (name == "bce") return [](const Tensor& o, const Tensor& y) { return bce_loss(o, y); };
  if (name == "bce_with_logits")
    return [](const Tensor& o, const Tensor& y) { return bce_with_logits(o, y); };
  if (name == "mse") return [](const Tensor& o, const Tensor& y) { return mse_loss(o, y); };
  return [](const Tensor& o, const Tensor& y) { return cross_entropy(o, y); };
}

// Class labels from outputs, for the loss the model was trained with (logits of
// bce_with_logits are positive exactly where the probability exceeds 0.5).
Tensor labels_of(const std::string& loss, const Tensor& out) {
  if (loss == "bce_with_logits") return train::predicted_labels(sigmoid(out));
  return train::predicted_labels(out);
}

std::vector<train::Metric> metrics_for(const std::string& loss) {
  if (loss == "mse") return {train::mse_metric()};
  return {{"accuracy", [loss](const Tensor& o, const Tensor& y) {
             return train::accuracy(labels_of(loss, o), y.to(kInt64).reshape({-1}));
           }}};
}

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

// The network must accept the data's shape and give one output per class; checked on
// one example before training so a wrong layer size is reported against the config.
void check_model(nn::Module& model, const train::Config& c, const train::PreparedData& d) {
  Tensor out;
  try {
    NoGradGuard guard;
    model.eval();
    out = model(d.train_x.index_select(0, tensor({int64_t{0}})));
    model.train();
  } catch (const Error& e) {
    throw Error(c.source_name + ": model.layers do not fit the input of shape " +
                d.train_x.shape().str() + " (one example: " + e.what() + ")");
  }
  if (out.dim() != 2)
    throw Error(c.source_name + ": model.layers: the last layer gives shape " + out.shape().str() +
                ", expected [batch, outputs] (add a flatten layer?)");
  if (c.loss == "cross_entropy" && out.size(1) < d.num_classes)
    throw Error(c.source_name + ": model.layers: the last layer has " +
                std::to_string(out.size(1)) + " outputs but the data has " +
                std::to_string(d.num_classes) + " classes");
  if (c.loss != "cross_entropy" && out.size(1) != 1)
    throw Error(c.source_name + ": model.layers: loss '" + c.loss +
                "' needs 1 output, the last layer has " + std::to_string(out.size(1)));
}

// The run directory and the configuration: a new directory (made and checked writable
// before the data is read), or, with --resume, the directory of a run that stopped early.
struct RunSetup {
  train::Config config;
  std::filesystem::path dir;
  json fields;  // what status.json records besides the status: --resume starts from it
  bool resuming = false;
  bool training_started = false;
  // Parts of every batch (dist::DataParallel): kept in status.json, as the weights depend
  // on it, so that a resumed run, on any number of ranks that divides it, continues alike.
  int64_t shards = 1;
};

// Under mpirun only rank 0 (`writer`) makes the directory; the others read the same
// configuration and write nothing.
RunSetup start_new_run(const Options& o, bool writer) {
  RunSetup r;
  train::Config& c = r.config;
  c = o.config.empty() ? train::Config::defaults() : train::Config::load(o.config);
  if (o.epochs > 0) c.epochs = o.epochs;
  if (!o.data_dir.empty()) {
    if (c.data.format != "fashion-mnist")
      throw Error("--data-dir applies to the Fashion-MNIST data only");
    c.data.dir = o.data_dir;
  }
  const std::filesystem::path config_dir =
      o.config.empty() ? std::filesystem::current_path()
                       : std::filesystem::absolute(std::filesystem::path(o.config)).parent_path();
  const std::string stem =
      (o.config.empty() ? std::string("cnn") : std::filesystem::path(o.config).stem().string()) +
      "-" + timestamp();
  if (!writer) return r;
  r.dir = cli::create_run_directory(o.runs, stem);
  r.fields = {{"config_dir", config_dir.string()},  // relative data paths start here
              {"config_file", o.config.empty() ? kDefaultConfigName : o.config},
              {"config_overrides", {{"epochs", c.epochs}, {"data_dir", c.data.dir}}}};
  write_file_atomic(r.dir / "config.toml", c.source_text);
  return r;
}

RunSetup reopen_run(const Options& o) {
  RunSetup r;
  r.resuming = true;
  r.dir = o.resume;
  if (!std::filesystem::is_directory(r.dir))
    throw Error("--resume " + o.resume +
                ": not a directory (expected a run directory of soma train)");
  const json status = cli::read_run_status(r.dir);
  if (status.empty() || !status.contains("config_dir") || !status.contains("config_overrides"))
    throw Error("--resume " + o.resume +
                ": no status.json with the run's settings (expected a run directory written "
                "by a soma train that saves checkpoints)");
  if (status["status"] == "complete")
    throw Error("--resume " + o.resume + ": the run is already complete (status.json)");
  for (const char* key : {"config_dir", "config_file", "config_overrides", "shards"})
    if (status.contains(key)) r.fields[key] = status[key];
  const std::filesystem::path toml = r.dir / "config.toml";
  try {
    train::Config& c = r.config;
    c = train::Config::from_toml(read_file(toml), toml.string(),
                                 status["config_dir"].get<std::string>());
    c.epochs = status["config_overrides"]["epochs"].get<int64_t>();
    c.data.dir = status["config_overrides"]["data_dir"].get<std::string>();
    // Runs from before --shards summed whole batches.
    r.shards = status.value("shards", int64_t{1});
  } catch (const json::exception& e) {
    throw Error((r.dir / "status.json").string() + ": " + e.what());
  }
  return r;
}

// Ends training after the current batch once SIGINT or SIGTERM came. A signal during
// the last epoch's validation ends nothing: training is over by then. Data-parallel, the
// ranks agree in each step's exchange (a signal may reach them between two batches), so
// all stop after the same batch.
class StopOnSignal : public train::Callback {
 public:
  explicit StopOnSignal(const dist::DataParallel* dp) : dp_(dp) {}
  void on_batch_end(train::FitState& s, int64_t, double) override {
    if (dp_ ? dp_->stop_agreed() : cli::StopSignals::received() != 0) s.interrupt = fired_ = true;
  }
  bool fired() const { return fired_; }

 private:
  const dist::DataParallel* dp_;
  bool fired_ = false;
};

void train_run(const Options& o, RunSetup& setup, const Stopwatch& total,
               const dist::Context& ctx) {
  const bool writer = ctx.rank() == 0;  // rank 0 alone writes the run directory
  const train::Config& c = setup.config;
  const std::filesystem::path& dir = setup.dir;
  const std::filesystem::path checkpoint_path = dir / "checkpoint.soma";

  Stopwatch load_clock;
  train::PreparedData d = train::prepare_data(c);
  const double load_seconds = load_clock.seconds();
  // The fitted preprocessing goes with the model, so that the run directory alone predicts.
  if (writer && d.pipeline.fitted()) d.pipeline.save(dir / "pipeline.json");

  // Initialises the layers, then drives the Dropout layers: a checkpoint saves it.
  Rng rng(c.seed);
  auto model = train::build_model(c, rng);
  check_model(*model, c, d);
  // The summary comes before training, as Keras' model.summary() and Lightning's
  // ModelSummary: a wrong layer size shows before the minutes are spent. Its forward pass
  // runs in eval mode and draws no random numbers, so the run's weights do not change.
  const std::vector<int64_t> input(d.train_x.shape().begin() + 1, d.train_x.shape().end());
  const auto layers = nn::summarize(*model, input);
  const std::string summary = nn::format_summary(layers, input);
  std::cout << "model:\n" << summary;

  // The training and validation parts are Subsets of the one data set: copies of their
  // rows would hold the images twice for the whole run (Fashion-MNIST's 188 MB as float32).
  const auto all_train = std::make_shared<const data::TensorDataset>(d.train_x, d.train_y);
  std::shared_ptr<const data::Dataset> train_set = all_train;
  std::unique_ptr<data::DataLoader> valid;
  if (c.validation_split > 0) {
    auto split = data::train_test_split(all_train->size(),
                                        {.test_size = c.validation_split, .seed = c.seed});
    valid = std::make_unique<data::DataLoader>(data::Subset(all_train, std::move(split.test)),
                                               data::DataLoaderOptions{.batch_size = kEvalBatch});
    train_set = std::make_shared<const data::Subset>(all_train, std::move(split.train));
  }
  const int64_t n = train_set->size();
  const std::string data_line = nn::grouped_count(n) + " training examples, " +
                                (valid ? nn::grouped_count(d.train_x.size(0) - n) +
                                             " held out for validation (validation_split " +
                                             data::format_number(c.validation_split) + ", seed " +
                                             std::to_string(c.seed) + ")"
                                       : std::string("no validation set (validation_split 0)")) +
                                ", " + nn::grouped_count(d.test_x.size(0)) + " test examples";
  std::cout << "data: " << data_line << "\n";
  std::cout.flush();
  data::DataLoader loader(train_set, {.batch_size = c.batch_size, .shuffle = true, .seed = c.seed});
  auto optimizer = make_optimizer(c, *model);

  train::FitOptions fo;
  fo.epochs = c.epochs;
  fo.loss = make_loss(c.loss);
  fo.metrics = metrics_for(c.loss);
  fo.progress = false;  // our own bar below also shows throughput
  // Data-parallel under mpirun, or with --shards on one rank (the same sums, so the same
  // weights as that many ranks): dist/data_parallel.hpp.
  const int64_t shards = setup.shards;
  if (shards < 1 || shards % ctx.size() != 0)
    throw Error((setup.resuming ? "the run's shards (status.json) " : "--shards ") +
                std::to_string(shards) + ": not a multiple of the " + std::to_string(ctx.size()) +
                " ranks mpirun started");
  std::unique_ptr<dist::DataParallel> dp;
  if (shards > 1)
    dp = std::make_unique<dist::DataParallel>(
        ctx, *model, fo.loss,
        dist::DataParallelOptions{.shards = shards, .rng = &rng, .stop_requested = [] {
                                    return cli::StopSignals::received() != 0;
                                  }});
  if (dp) fo.batch_gradient = dp->batch_gradient();

  std::shared_ptr<train::EarlyStopping> stopper;
  if (c.early_stopping.enabled)
    stopper = std::make_shared<train::EarlyStopping>(
        train::EarlyStoppingOptions{.monitor = c.early_stopping.monitor,
                                    .patience = c.early_stopping.patience,
                                    .min_delta = c.early_stopping.min_delta,
                                    .maximize = c.early_stopping.monitor == "valid_accuracy"});
  // Every random stream the run draws from: the loader's shuffles are saved with the
  // loader; soma's global generator too, for any layer that defaults to it.
  train::CheckpointStreams streams{.rngs = {{"model", &rng}, {"global", &global_rng()}}};
  if (stopper) streams.callbacks.push_back({"early_stopping", stopper.get()});

  train::History history;
  int64_t resumed_from_epoch = 0, resumed_from_batch = 0;
  // Killed before its first checkpoint, a run starts again from its beginning.
  if (setup.resuming && std::filesystem::exists(checkpoint_path)) {
    history = train::resume(checkpoint_path, *model, *optimizer, loader, fo, streams);
    resumed_from_epoch = fo.start_epoch;
    resumed_from_batch = fo.start_progress.batch;
    if (writer)
      std::fprintf(stderr, "resuming %s after epoch %lld, batch %lld\n", dir.c_str(),
                   static_cast<long long>(resumed_from_epoch),
                   static_cast<long long>(resumed_from_batch));
  }

  const int64_t batches_left =
      std::max<int64_t>(0, (c.epochs - fo.start_epoch) * loader.size() - resumed_from_batch);
  ProgressBar bar(batches_left, "train");
  Stopwatch train_clock;
  const std::clock_t train_cpu_start = std::clock();  // this process's CPU, all threads
  int64_t images_done = 0;
  auto progress = std::make_shared<train::LambdaCallback>();
  progress->batch_end = [&](train::FitState& s, int64_t b, double) {
    const int64_t in_epoch = std::min(b * c.batch_size, n);
    const int64_t prev = b == 1 ? 0 : std::min((b - 1) * c.batch_size, n);
    images_done += in_epoch - prev;
    if (!bar.active()) return;
    // The epoch's mean loss so far, as Keras and Lightning show it: one batch's loss
    // jumps about too much to read.
    char status[128];
    std::snprintf(
        status, sizeof status, "epoch %lld/%lld mean loss %.4f %.0f img/s",
        static_cast<long long>(s.epoch), static_cast<long long>(s.epochs),
        s.progress.loss_sum / static_cast<double>(std::max<int64_t>(s.progress.examples, 1)),
        static_cast<double>(images_done) / train_clock.seconds());
    bar.advance(1, status);
  };
  // One line per epoch that stays on screen (above the bar), and in a pipe too.
  progress->epoch_end = [&](train::FitState& s, const train::EpochRecord& r) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, " (%.1f s)", r.seconds);
    bar.println("epoch " + std::to_string(r.epoch) + "/" + std::to_string(s.epochs) + ": " +
                epoch_figures(r) + seconds);
  };
  std::vector<std::shared_ptr<train::Callback>> callbacks = {progress};
  if (c.lr_schedule == "cosine") {
    // Per batch rather than per epoch: with only a few epochs a per-epoch schedule is
    // too coarse to settle the weights.
    auto cosine = std::make_shared<train::LambdaCallback>();
    const double steps = static_cast<double>(c.epochs * loader.size());
    optim::Optimizer* opt = optimizer.get();
    cosine->batch_end = [opt, steps, &c, &loader](train::FitState& s, int64_t b, double) {
      const double done = static_cast<double>((s.epoch - 1) * loader.size() + b);
      opt->set_lr(c.lr * 0.5 * (1.0 + std::cos(std::numbers::pi * std::min(done / steps, 1.0))));
    };
    callbacks.push_back(cosine);
  }
  if (stopper) callbacks.push_back(stopper);
  // The same page, flags and hold after the results as every example's --live.
  const cli::LiveDashboard live(writer ? o.live : cli::LiveOption{});
  live.attach(callbacks);
  // history.csv after every epoch, so that `soma dashboard runs/` shows a run still
  // training (and one that was killed) up to its last finished epoch.
  auto history_writer = std::make_shared<train::LambdaCallback>();
  history_writer->epoch_end = [&dir](train::FitState& s, const train::EpochRecord&) {
    write_file_atomic(dir / "history.csv", s.history.to_csv());
  };
  if (writer) callbacks.push_back(history_writer);
  auto stop_on_signal = std::make_shared<StopOnSignal>(dp.get());
  callbacks.push_back(stop_on_signal);
  // Last, so that it saves what the others left (the schedule's rate, the counters).
  // Every rank holds the same state, so rank 0's checkpoint resumes all of them.
  if (writer)
    callbacks.push_back(std::make_shared<train::Checkpoint>(
        checkpoint_path,
        train::CheckpointOptions{
            .every_epochs = 1, .every_seconds = o.checkpoint_seconds, .streams = streams}));
  setup.training_started = true;
  {
    cli::StopSignals signals;
    history = train::fit(*model, *optimizer, loader, valid.get(), fo, callbacks, history);
    bar.finish();
    if (stop_on_signal->fired()) {
      const int sig = cli::StopSignals::received() ? cli::StopSignals::received() : SIGTERM;
      if (!writer) throw cli::Exit{128 + sig};
      json fields = setup.fields;
      fields["epochs_done"] = history.epochs.size();
      fields["signal"] = sig == SIGINT ? "SIGINT" : "SIGTERM";
      cli::write_run_status(dir, "interrupted", fields);
      std::fprintf(stderr,
                   "soma: interrupted by %s after %zu of %lld epochs; checkpoint saved in %s\n"
                   "continue with: soma train --resume %s\n",
                   sig == SIGINT ? "SIGINT" : "SIGTERM", history.epochs.size(),
                   static_cast<long long>(c.epochs), checkpoint_path.c_str(), dir.c_str());
      throw cli::Exit{128 + sig};
    }
  }
  const double train_seconds = train_clock.seconds();
  // On a shared machine the steadier figure (bench/dist): what training cost this rank.
  const double train_cpu_seconds =
      static_cast<double>(std::clock() - train_cpu_start) / CLOCKS_PER_SEC;
  const int64_t epochs_run = static_cast<int64_t>(history.epochs.size());
  const BestEpoch best = best_epoch(history, stopper.get());
  const int64_t weights_epoch = best.restored ? best.epoch : history.last().epoch;
  std::string stop_text;  // how early stopping ended the run, for the log and report.md
  if (stopper && stopper->stopped_epoch() > 0) {
    const auto& so = stopper->options();
    char value[64];
    std::snprintf(value, sizeof value, "%.4f", best.value);
    stop_text = "early stopping at epoch " + std::to_string(stopper->stopped_epoch()) + " of " +
                std::to_string(c.epochs) + ": " + figure_name(so.monitor) + " has not improved" +
                (so.min_delta > 0 ? " by more than " + short_number(so.min_delta) : "") + " for " +
                count_of(so.patience, "epoch") + "; " +
                (best.restored ? "restored the weights of" : "the best was") + " epoch " +
                std::to_string(best.epoch) + " (" + figure_name(so.monitor) + " " + value + ")";
    std::cout << stop_text << "\n";
  }

  Stopwatch eval_clock;
  data::DataLoader test_loader(data::TensorDataset(d.test_x, d.test_y), {.batch_size = kEvalBatch});
  const train::Evaluation ev = train::evaluate(*model, test_loader, fo.loss, fo.metrics);
  const double eval_seconds = eval_clock.seconds();

  json j;
  std::string matrix_text;
  Tensor cm;
  std::vector<std::string> class_names;
  if (c.loss != "mse") {
    const Tensor predicted = labels_of(c.loss, ev.outputs);
    const Tensor actual = ev.targets.to(kInt64).reshape({-1});
    const int64_t classes = std::max<int64_t>(d.num_classes, 2);
    cm = train::confusion_matrix(predicted, actual, classes);
    if (c.data.format == "fashion-mnist")
      for (const auto& s : data::fashion_mnist_classes()) class_names.push_back(s);
    matrix_text = train::format_confusion_matrix(cm, class_names);
    j["test_accuracy"] = train::accuracy(predicted, actual);
    json rows = json::array();
    const int64_t* p = cm.contiguous().data_ptr<int64_t>();
    for (int64_t r = 0; r < classes; ++r)
      rows.push_back(std::vector<int64_t>(p + r * classes, p + (r + 1) * classes));
    j["confusion_matrix"] = rows;
  } else {
    j["test_mse"] = ev.metrics.at("mse");
  }
  // Throughput of this process's part of the run (all of it unless resumed).
  const double images_trained =
      static_cast<double>(n * std::max<int64_t>(epochs_run - resumed_from_epoch, 0));
  j["test_loss"] = ev.loss;
  j["epochs"] = epochs_run;
  j["epochs_planned"] = c.epochs;
  j["train_images"] = n;
  j["validation_images"] = d.train_x.size(0) - n;
  j["test_images"] = d.test_x.size(0);
  j["parameters"] = nn::total_parameters(layers);
  j["train_seconds"] = train_seconds;
  j["train_cpu_seconds"] = train_cpu_seconds;
  j["images_per_second"] = images_trained / train_seconds;
  j["eval_seconds"] = eval_seconds;
  j["load_seconds"] = load_seconds;
  j["threads"] = num_threads();
  j["ranks"] = ctx.size();
  j["shards"] = shards;
  if (dp) {
    // Rank 0's share of the training steps (bench/dist; docs/DISTRIBUTED.md's cost model).
    const dist::DataParallelStats& st = dp->stats();
    const double steps = static_cast<double>(std::max<int64_t>(st.steps, 1));
    j["dist"] = {{"steps", st.steps},
                 {"parameters", dp->parameter_count()},
                 {"compute_seconds_per_step", st.compute_seconds / steps},
                 {"exchange_seconds_per_step", st.exchange_seconds / steps},
                 {"bytes_sent_per_step", static_cast<double>(st.bytes_sent) / steps}};
  }
  j["final_train_loss"] = history.last().train_loss;
  // JSON has no NaN: a run without a validation set has null here.
  auto number_or_null = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
  j["final_valid_loss"] = number_or_null(history.last().valid_loss);
  for (const auto& [name, v] : history.last().metrics) j["final_" + name] = number_or_null(v);
  j["best_epoch"] = best.epoch;
  j["best_monitor"] = best.monitor;
  j["best_value"] = number_or_null(best.value);
  j["early_stopped"] = stopper && stopper->stopped_epoch() > 0;
  j["weights_epoch"] = weights_epoch;
  j["resumed_from_epoch"] = resumed_from_epoch;
  j["resumed_from_batch"] = resumed_from_batch;

  // Each file is written atomically, status.json last: until it says "complete",
  // `soma predict` refuses the directory.
  const nn::StateDict state = model->state_dict();
  j["weights_sha256"] = nn::state_dict_sha256(state);
  if (!writer) return;  // every rank holds these weights; rank 0 saves them
  write_file_atomic(dir / "model.soma", nn::serialize(state));
  write_file_atomic(dir / "history.csv", history.to_csv());
  // A figure that cannot be drawn (no gnuplot) costs the figures, not the trained model.
  std::vector<std::string> figures;
  try {
    for (const auto& f : cli::write_train_figures(dir, history, best.epoch, cm, class_names))
      figures.push_back(f.string());
  } catch (const Error& e) {
    std::fprintf(stderr, "soma: warning: figures not written: %s\n", e.what());
  }
  j["figures"] = figures;
  j["run_dir"] = dir.string();
  j["peak_rss_bytes"] = peak_rss_bytes();
  j["total_seconds"] = total.seconds();

  json report = j;
  report.update(setup.fields);
  write_file_atomic(dir / "report.json", report.dump(2) + "\n");

  // The closing summary: the same lines on screen and in report.md.
  char line[256];
  std::vector<std::string> lines;
  std::snprintf(line, sizeof line, "trained %s%s on %s examples in %.1f s (%.0f examples/s, %s)",
                (stopper && stopper->stopped_epoch() > 0
                     ? std::to_string(epochs_run) + " of " + count_of(c.epochs, "epoch")
                     : count_of(epochs_run, "epoch"))
                    .c_str(),
                stopper && stopper->stopped_epoch() > 0 ? " (early stopping)" : "",
                nn::grouped_count(n).c_str(), train_seconds, j["images_per_second"].get<double>(),
                count_of(num_threads(), "thread").c_str());
  lines.push_back(line);
  if (best.epoch > 0) {
    std::snprintf(line, sizeof line,
                  "best epoch: %lld of %lld (%s %.4f); saved the weights of "
                  "epoch %lld",
                  static_cast<long long>(best.epoch), static_cast<long long>(epochs_run),
                  figure_name(best.monitor).c_str(), best.value,
                  static_cast<long long>(weights_epoch));
    lines.push_back(line);
  }
  if (j.contains("test_accuracy")) {
    std::snprintf(line, sizeof line, "test accuracy: %.4f on %s examples",
                  j["test_accuracy"].get<double>(), nn::grouped_count(d.test_x.size(0)).c_str());
    lines.push_back(line);
  }
  std::snprintf(line, sizeof line, "test loss: %.4f", ev.loss);
  lines.push_back(line);

  std::ostringstream md;
  md << "# soma train report\n\nconfig: " << report["config_file"].get<std::string>()
     << " (saved as config.toml)\n\ndata: " << data_line << "\n\nmodel:\n```\n"
     << summary << "```\n\n";
  if (!stop_text.empty()) md << stop_text << "\n\n";
  for (const auto& l : lines) md << l << "\n";
  if (resumed_from_epoch > 0 || resumed_from_batch > 0)
    md << "resumed after epoch " << resumed_from_epoch << ", batch " << resumed_from_batch << "\n";
  md << "evaluation: " << eval_seconds << " s\npeak RSS: " << peak_rss_bytes() / (1024 * 1024)
     << " MiB\n";
  md << "weights SHA-256: " << j["weights_sha256"].get<std::string>() << "\n";
  if (!matrix_text.empty())
    md << "\nconfusion matrix (rows: actual, columns: predicted):\n```\n"
       << matrix_text << "\n```\n";
  for (const auto& f : figures) {
    const std::string name = std::filesystem::path(f).filename().string();
    md << "\n![" << std::filesystem::path(f).stem().string() << "](" << name << ")\n";
  }
  write_file_atomic(dir / "report.md", md.str());
  json fields = setup.fields;
  fields["epochs_done"] = epochs_run;
  fields["weights_sha256"] = j["weights_sha256"];
  cli::write_run_status(dir, "complete", fields);

  for (const auto& l : lines) std::cout << l << "\n";
  if (!matrix_text.empty())
    std::cout << "confusion matrix (rows: actual, columns: predicted):\n" << matrix_text << "\n";
  for (const auto& f : figures) cli::wrote(f);
  std::cout << "saved model, config, history, report" << (figures.empty() ? "" : " and figures")
            << " in " << dir.string() << "\n";
  std::cout.flush();
  if (o.json) cli::print_json(j);
  live.hold();
}

void run_rank(const Options& o, const dist::Context& ctx) {
  Stopwatch total;
  const bool writer = ctx.rank() == 0;
  if (o.threads > 0) set_num_threads(o.threads);
  // Ranks on one machine share its cores, unless a thread count was given.
  else if (ctx.local_size() > 1 && num_threads() == hardware_threads())
    set_num_threads(std::max(1, hardware_threads() / ctx.local_size()));
  // Checked before the run directory is made (and again in train_run for a resumed run).
  if (o.shards > 0 && o.shards % ctx.size() != 0)
    throw Error("--shards " + std::to_string(o.shards) + ": not a multiple of the " +
                std::to_string(ctx.size()) + " ranks mpirun started");
  RunSetup setup = o.resume.empty() ? start_new_run(o, writer) : reopen_run(o);
  if (!setup.resuming) setup.shards = o.shards > 0 ? o.shards : ctx.size();
  std::optional<cli::RunLock> lock;
  if (writer) {
    setup.fields["shards"] = setup.shards;
    lock.emplace(setup.dir);
    cli::write_run_status(setup.dir, "running", setup.fields);
  }
  try {
    train_run(o, setup, total, ctx);
  } catch (const std::exception& e) {
    if (!writer) throw;
    // A new run that failed before training (unreadable data, a model that does not fit
    // it) leaves nothing behind, as before run directories were made first.
    if (!setup.resuming && !setup.training_started) {
      std::error_code ec;
      for (const char* f : {"status.json", "config.toml", "pipeline.json", ".lock"})
        std::filesystem::remove(setup.dir / f, ec);
      std::filesystem::remove(setup.dir, ec);
      throw;
    }
    // Whatever stopped the run (a full disk, a diverged loss, bad data), the directory
    // must not pass for a finished one. On a full disk this small write may fail too;
    // the status then stays "running", which predict refuses as well.
    json fields = setup.fields;
    fields["error"] = e.what();
    try {
      cli::write_run_status(setup.dir, "incomplete", fields);
    } catch (const std::exception&) {
    }
    throw;
  }
}

// Under mpirun: rank 0 alone prints, and an error on any rank ends the whole job with
// its message (the other ranks would otherwise wait for it until the timeout).
void run(const Options& o) {
  const dist::Context ctx({.timeout_seconds = o.dist_timeout});
  if (ctx.rank() != 0) std::cout.setstate(std::ios::badbit);
  try {
    run_rank(o, ctx);
  } catch (const std::exception& e) {
    if (ctx.distributed()) ctx.abort(e.what());
    throw;
  }
}

cli::CommandRegistrar reg(
    "train", "Train a network (default: a CNN on Fashion-MNIST) and save the run",
    [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      const train::Config defaults = train::Config::defaults();
      app.add_option("--config", o->config, "TOML file describing data, model and training")
          ->check(CLI::ExistingFile)
          ->default_str("a CNN on Fashion-MNIST, " +
                        std::to_string(static_cast<int>(defaults.validation_split * 100 + 0.5)) +
                        " % of its training images held out for validation, seed " +
                        std::to_string(defaults.seed));
      app.add_option("--epochs", o->epochs, "Epochs (overrides the configuration)")
          ->check(soma::cli::integer_in(1, 10'000'000))
          ->default_str("the configuration's; " + std::to_string(defaults.epochs) +
                        " without --config");
      app.add_option("--data-dir", o->data_dir, "Directory of the Fashion-MNIST IDX files")
          ->default_str(data::fashion_mnist_default_dir());
      auto* runs = app.add_option("--runs", o->runs, "Parent directory of the run directories")
                       ->capture_default_str();
      auto* resume =
          app.add_option("--resume", o->resume,
                         "Continue a run that stopped early (its directory) from its checkpoint")
              ->default_str("none");
      app.add_option("--checkpoint-seconds", o->checkpoint_seconds,
                     "Also checkpoint within an epoch this often (0: after every batch)")
          ->capture_default_str()
          ->check(soma::cli::number_in(0, 1e9));
      // Also accepted after the sub-command (`soma train --threads 2`), as the issue spells it.
      app.add_option("--threads", o->threads,
                     "Threads to use (default: OMP_NUM_THREADS, else all cores)")
          ->check(soma::cli::integer_in(1, 65536));
      app.add_flag("--json", o->json, "End with one JSON line of the results");
      app.add_option("--shards", o->shards,
                     "Cut every batch into this many parts whose gradients are summed in a "
                     "fixed order: the weights depend on it, not on the number of MPI ranks")
          ->check(soma::cli::integer_in(1, 65536))
          ->default_str("the number of ranks (1 without mpirun)");
      app.add_option("--dist-timeout", o->dist_timeout,
                     "Under mpirun: seconds to wait for the other ranks before ending the job")
          ->capture_default_str()
          ->check(soma::cli::number_in(0.001, 1e9));
      soma::cli::add_live_option(app, o->live);
      // A resumed run reads its configuration, epochs and data from its directory.
      for (const char* name : {"--config", "--epochs", "--data-dir", "--shards"})
        resume->excludes(app.get_option(name));
      resume->excludes(runs);
      app.callback([o] { run(*o); });
    });

}  // namespace
