// soma dashboard [CSV]: a local web page with a scatter explorer for a CSV file (Iris by
// default) and live training curves. With --train N it also trains a small classifier
// on that CSV for N epochs and streams its loss to the page while it runs. --power adds
// a live view of this machine's power (NVML GPUs, RAPL CPU packages; the page says which
// sensors were tried when there are none), --spikes a raster of a spike monitor's CSV and
// --embedding a scatter of an x,y,label CSV such as t-SNE writes, each on its own tab.
// A directory (or --runs DIR) lists the `soma train` runs under it, as TensorBoard's
// --logdir: each run's curves, several overlaid, and new epochs of runs still training.
//
//   soma dashboard                          # Iris, http://127.0.0.1:8050/
//   soma dashboard data.csv --port 0 --print-url  # any free port; the URL on stdout
//   soma dashboard --open                   # and in a browser (xdg-open, with a display)
//   soma dashboard --train 30               # watch a run live
//   soma dashboard --power --power-interval 200
//   soma dashboard --spikes out/coba_spikes.csv --embedding tsne_fashion.csv
//   soma dashboard runs/                    # every run under runs/, finished or not
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "flags.hpp"
#include "live_dashboard.hpp"
#include "open_browser.hpp"
#include "registry.hpp"
#include "soma/core/error.hpp"
#include "soma/data/csv.hpp"
#include "soma/data/loader.hpp"
#include "soma/data/scaler.hpp"
#include "soma/data/split.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/optim/adam.hpp"
#include "soma/power/monitor.hpp"
#include "soma/serve/dashboard.hpp"
#include "soma/train.hpp"

namespace {

using namespace soma;

struct Options {
  std::string dataset = SOMA_SHARED_DATA "/iris/iris_seaborn.csv";
  std::string bind = "127.0.0.1", class_column, spikes, embedding, runs;
  bool power = false;
  int power_interval_ms = 100;
  int port = 8050;
  bool open = false;       // start a browser on the page
  bool print_url = false;  // the URL alone on stdout, for scripts and tests
  int train_epochs = 0;
  int batch_delay_ms = 20;
  double seconds = 0;  // 0: until interrupted
  uint64_t seed = 42;
};

std::atomic<bool> interrupted{false};
extern "C" void on_signal(int) { interrupted = true; }

// A one-hidden-layer classifier of the CSV's class column from its numeric columns,
// trained with the live callback; the delay per batch keeps a tiny run watchable.
void train_demo(const Options& o, const std::shared_ptr<serve::Dashboard>& board,
                const std::string& class_column) {
  if (class_column.empty())
    throw Error("dashboard --train: " + o.dataset + " has no text column to use as class");
  auto df = data::read_csv(o.dataset);
  std::vector<std::string> features;
  for (const auto& c : df.columns())
    if (df[c].is_numeric()) features.push_back(c);
  if (features.empty()) throw Error("dashboard --train: " + o.dataset + " has no numeric column");
  auto codes = df.codes(class_column);
  int64_t classes = static_cast<int64_t>(df[class_column].unique().size());
  // Codes from the whole frame, so both parts number the classes alike.
  auto split = data::train_test_split(df.rows(), {.test_size = 0.2, .seed = o.seed});
  auto tr = df.take(split.train), te = df.take(split.test);
  data::StandardScaler scaler;
  scaler.fit(tr, features);
  scaler.transform(tr);
  scaler.transform(te);
  auto labels = [&](const std::vector<int64_t>& rows) {
    std::vector<int64_t> c;
    for (int64_t r : rows) c.push_back(codes[static_cast<size_t>(r)]);
    return tensor(std::span<const int64_t>(c), {static_cast<int64_t>(c.size())});
  };
  data::DataLoader train_loader(data::TensorDataset(tr.to_tensor(features), labels(split.train)),
                                {.batch_size = 16, .shuffle = true, .seed = o.seed});
  data::DataLoader valid_loader(data::TensorDataset(te.to_tensor(features), labels(split.test)),
                                {.batch_size = 64});
  Rng rng(o.seed);
  const auto d = static_cast<int64_t>(features.size());
  nn::Sequential model(nn::Linear(d, 16, true, rng), nn::ReLU(),
                       nn::Linear(16, classes, true, rng));
  optim::Adam opt(model.parameters(), {.lr = 0.01});
  train::FitOptions fo{.epochs = o.train_epochs,
                       .loss = [](const Tensor& a, const Tensor& b) { return cross_entropy(a, b); },
                       .metrics = {train::multiclass_accuracy()}};
  fo.progress = false;
  fo.label = "dashboard";
  // Slows each batch so a page can watch the curve grow.
  struct Delay final : train::Callback {
    int ms;
    explicit Delay(int m) : ms(m) {}
    void on_batch_end(train::FitState& s, int64_t, double) override {
      if (interrupted) s.stop = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
  };
  std::vector<std::shared_ptr<train::Callback>> callbacks{
      cli::live_dashboard_callback(board), std::make_shared<Delay>(o.batch_delay_ms)};
  auto h = train::fit(model, opt, train_loader, &valid_loader, fo, callbacks);
  std::fprintf(stderr, "dashboard: trained %zu epoch%s, train loss %.4f\n", h.epochs.size(),
               h.epochs.size() == 1 ? "" : "s", h.last().train_loss);
}

// The power view's feed: samples reach the page from their own thread, so they keep
// coming while a --train run holds the main one. Without a sensor it only announces that.
class PowerStream {
 public:
  PowerStream(std::shared_ptr<serve::Dashboard> board, int interval_ms)
      : monitor_(power::MonitorOptions{.interval = std::chrono::milliseconds(interval_ms)}),
        publisher_(std::move(board), monitor_, interval_ms) {
    publisher_.announce();
    if (!monitor_.has_sensors()) {
      std::fprintf(stderr, "dashboard: no power sensor found; tried:\n");
      for (const auto& line : monitor_.attempts()) std::fprintf(stderr, "  %s\n", line.c_str());
      return;
    }
    monitor_.start();
    const auto poll = std::chrono::milliseconds(std::min(interval_ms, 100));
    thread_ = std::thread([this, poll] {
      while (!done_) {
        publisher_.update();
        std::this_thread::sleep_for(poll);
      }
    });
  }
  ~PowerStream() {
    if (!thread_.joinable()) return;
    done_ = true;
    thread_.join();
    monitor_.stop();
    publisher_.update();
  }
  PowerStream(const PowerStream&) = delete;
  PowerStream& operator=(const PowerStream&) = delete;

 private:
  power::PowerMonitor monitor_;
  cli::PowerPublisher publisher_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

void run(const Options& o) {
  serve::DashboardOptions so{
      .bind = o.bind, .port = o.port, .dataset = o.dataset, .class_column = o.class_column};
  so.spikes = o.spikes;
  so.embedding = o.embedding;
  so.runs = o.runs;
  auto board = std::make_shared<serve::Dashboard>(so);
  board->start();

  std::unique_ptr<PowerStream> power_stream;
  if (o.power) power_stream = std::make_unique<PowerStream>(board, o.power_interval_ms);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::fprintf(stderr, "dashboard: serving %s at %s (Ctrl-C to stop)\n",
               o.dataset.empty() ? o.runs.c_str() : o.dataset.c_str(), board->url().c_str());
  if (o.print_url) std::cout << board->url() << std::endl;
  if (o.open) {
    const std::string why_not = cli::open_browser(board->url());
    if (!why_not.empty())
      std::fprintf(stderr, "dashboard: not opening a browser (%s); open %s yourself\n",
                   why_not.c_str(), board->url().c_str());
  }
  const auto start = std::chrono::steady_clock::now();
  if (o.train_epochs > 0) {
    auto j = nlohmann::json::parse(board->dataset_json());
    train_demo(o, board, j["class_column"].is_string() ? j["class_column"].get<std::string>() : "");
  }
  while (!interrupted) {
    if (o.seconds > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >=
            o.seconds)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  power_stream.reset();
  board->stop();
}

cli::CommandRegistrar reg(
    "dashboard", "Local web dashboard: data explorer, live training and power, spikes, t-SNE",
    [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      auto* csv = app.add_option(
          "csv", o->dataset,
          "CSV file to explore (default: the Iris data), or a directory of runs as --runs");
      app.add_option("--port", o->port, "TCP port; 0 picks a free one")
          ->check(soma::cli::integer_in(0, 65535))
          ->capture_default_str();
      app.add_option("--bind", o->bind, "address to listen on")->capture_default_str();
      app.add_flag("--open", o->open,
                   "open the page in a browser (xdg-open; without a display it says why)");
      app.add_flag("--print-url", o->print_url, "print the page's URL alone on stdout");
      app.add_option("--class-column", o->class_column, "column holding the classes")
          ->default_str("the last text column");
      app.add_option("--train", o->train_epochs,
                     "train a small classifier on the CSV for this many epochs, live")
          ->check(soma::cli::integer_in(0, 100000))
          ->capture_default_str();
      app.add_option("--batch-delay-ms", o->batch_delay_ms, "pause after each training batch")
          ->check(soma::cli::integer_in(0, 10000))
          ->capture_default_str();
      app.add_option("--seconds", o->seconds, "stop after this many seconds (0: on Ctrl-C)")
          ->check(soma::cli::number_in(0))
          ->capture_default_str();
      app.add_option("--seed", o->seed, "random seed of the training run")->capture_default_str();
      app.add_flag("--power", o->power, "show this machine's power live (NVML, RAPL)");
      app.add_option("--power-interval", o->power_interval_ms, "power sampling interval in ms")
          ->check(soma::cli::integer_in(1, 3600000))
          ->capture_default_str();
      app.add_option("--spikes", o->spikes, "spike monitor CSV (i,t) for the raster view")
          ->check(CLI::ExistingFile)
          ->default_str("none");
      app.add_option("--embedding", o->embedding, "embedding CSV (x,y,label) for its view")
          ->check(CLI::ExistingFile)
          ->default_str("none");
      app.add_option("--runs", o->runs,
                     "directory of `soma train` runs to list, plot and compare (polled)")
          ->check(CLI::ExistingDirectory)
          ->default_str("none");
      app.callback([o, csv] {
        // `soma dashboard runs/`: a directory is the runs view, as TensorBoard's --logdir.
        if (csv->count() > 0 && std::filesystem::is_directory(o->dataset)) {
          if (!o->runs.empty())
            throw Error("dashboard: " + o->dataset + " is a directory and --runs gives " + o->runs +
                        "; expected one directory of runs");
          o->runs = o->dataset;
        }
        // Runs without a CSV: no Iris explorer next to them.
        if (!o->runs.empty() && (csv->count() == 0 || o->runs == o->dataset)) o->dataset.clear();
        run(*o);
      });
    });

}  // namespace
