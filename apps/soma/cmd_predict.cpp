// soma predict: labels new data with a model saved by `soma train`.
//
//   soma predict --model runs/cnn-20261123-104000-1 --input t10k-images-idx3-ubyte.gz
//   soma predict --model latest --input test.csv --output predictions.csv --json
//
// The run directory holds config.toml (the network, rebuilt here), model.soma (its
// weights) and, for CSV data, pipeline.json (the preprocessing as fitted on the training
// rows), so it predicts alone: the training data may have moved or changed since.
// `latest` is the newest complete run under --runs (run_lookup.hpp). IDX input is images
// like the training data (u8 pixels scaled to [0, 1]); CSV input goes through the run's
// preprocessing. A run saved before pipeline.json existed re-fits the preprocessing on its
// training CSV, as soma did then (deterministic); where that file is gone it says to retrain. A
// classifier's CSV has, after the predicted class, one column of probabilities per class, p_CLASS
// (p_0, p_1, ...; Fashion-MNIST: p_Trouser, ...), as scikit-learn's predict_proba gives them. With
// --labels (IDX) or a target column in the CSV, the accuracy is reported too.
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "flags.hpp"
#include "registry.hpp"
#include "run_lookup.hpp"
#include "run_status.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/threads.hpp"
#include "soma/data/csv.hpp"
#include "soma/data/fashion_mnist.hpp"
#include "soma/data/idx.hpp"
#include "soma/data/pipeline.hpp"
#include "soma/nn/module.hpp"
#include "soma/train/config.hpp"
#include "soma/train/metrics.hpp"
#include "soma/train/model_factory.hpp"
#include "soma/train/prepare.hpp"

namespace {

using namespace soma;
using nlohmann::json;

struct Options {
  std::string model, input, labels, output, runs = "runs";
  bool json = false;
  int threads = 0;
};

// IDX files start with two zero bytes, gzip files with 1f 8b; anything else is CSV.
bool looks_like_idx(const std::string& path) {
  const std::string head = read_file_head(path, 2);
  return head.size() == 2 &&
         ((head[0] == 0 && head[1] == 0) || (head[0] == '\x1f' && head[1] == '\x8b'));
}

Tensor idx_images(const std::string& path) {
  const data::IdxArray a = data::read_idx(path);
  if (a.dims.size() < 2)
    throw Error(path + ": expected images [N, H, W], got " + std::to_string(a.dims.size()) +
                " dimensions");
  if (a.dims[0] == 0) throw Error(path + ": holds 0 images, expected at least one");
  const std::vector<float> pixels = data::idx_to_float(a);
  std::vector<int64_t> shape = {a.dims[0], 1};
  shape.insert(shape.end(), a.dims.begin() + 1, a.dims.end());
  return tensor(std::span<const float>(pixels), Shape(std::span<const int64_t>(shape)));
}

// The probability of each class for each row, float64 [N, classes]: the softmax of a
// cross-entropy model's logits; for one binary output, 1 - p and p, where p is the output
// itself (loss "bce": the model ends in a sigmoid) or its sigmoid ("bce_with_logits").
Tensor class_probabilities(const Tensor& out, const std::string& loss) {
  NoGradGuard guard;
  const Tensor z = out.to(kFloat64);
  if (loss == "cross_entropy") return softmax(z, 1);
  const Tensor p = (loss == "bce_with_logits" ? sigmoid(z) : z).reshape({-1, 1});
  return concat({ones_like(p) - p, p}, 1);
}

// The preprocessing the run fitted: pipeline.json, or for a run from before it was saved,
// fitted again on the training CSV the configuration names.
data::Pipeline run_pipeline(const std::filesystem::path& dir, const train::Config& c) {
  const std::filesystem::path saved = dir / "pipeline.json";
  if (std::filesystem::exists(saved)) return data::Pipeline::load(saved);
  try {
    return train::prepare_data(c).pipeline;
  } catch (const Error& e) {
    throw Error(dir.string() +
                ": no pipeline.json (a run saved before soma kept the "
                "preprocessing with the model), and fitting it again on the training data "
                "failed: " +
                std::string(e.what()) +
                "; train the model again to predict from "
                "its run directory alone");
  }
}

// Column names for the probabilities: p_ and the class's name (Fashion-MNIST) or label.
std::vector<std::string> probability_columns(const train::Config& c, int64_t classes) {
  std::vector<std::string> names;
  for (int64_t k = 0; k < classes; ++k)
    names.push_back("p_" + (c.data.format == "fashion-mnist" && classes == 10
                                ? data::fashion_mnist_classes()[static_cast<size_t>(k)]
                                : std::to_string(k)));
  return names;
}

void run(const Options& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  const std::filesystem::path dir = cli::resolve_run(o.model, o.runs);
  // Say which run `latest` chose (on stderr: standard output may be the CSV).
  if (o.model == "latest") std::fprintf(stderr, "model: %s\n", dir.string().c_str());
  std::filesystem::path base;
  if (std::filesystem::exists(dir / "report.json")) {
    try {
      const json report = json::parse(read_file(dir / "report.json"));
      if (report.contains("config_dir")) base = report["config_dir"].get<std::string>();
    } catch (const json::exception& e) {
      throw Error((dir / "report.json").string() + ": " + e.what());
    }
  }
  const train::Config c = train::Config::from_toml(read_file(dir / "config.toml"),
                                                   (dir / "config.toml").string(), base);
  Rng rng(c.seed);
  auto model = train::build_model(c, rng);
  nn::load(*model, dir / "model.soma");
  model->eval();

  Tensor x, y;
  if (looks_like_idx(o.input)) {
    if (c.data.format == "csv")
      throw Error(o.input + ": this model was trained on CSV data; give a CSV file");
    x = idx_images(o.input);
    if (!o.labels.empty()) {
      const auto labels = data::idx_to_labels(data::read_idx(o.labels), o.labels);
      if (static_cast<int64_t>(labels.size()) != x.size(0))
        throw Error(o.labels + ": " + std::to_string(labels.size()) + " labels for " +
                    std::to_string(x.size(0)) + " images");
      y = tensor(std::span<const int64_t>(labels));
    }
  } else {
    if (c.data.format != "csv")
      throw Error(o.input + ": this model was trained on images; give an IDX file");
    const data::Pipeline pipeline = run_pipeline(dir, c);
    const data::DataFrame df = data::read_csv(o.input);
    data::DataFrame ready;
    try {
      ready = pipeline.transform(df);
    } catch (const Error& e) {
      throw Error(o.input + ": " + e.what());
    }
    x = pipeline.features(ready, o.input);
    if (df.contains(c.data.target)) y = df.to_tensor({c.data.target}, kFloat64).reshape({-1});
  }

  Tensor out;
  try {
    NoGradGuard guard;
    out = (*model)(x);
  } catch (const Error& e) {
    throw Error(o.input + ": the input of shape " + x.shape().str() +
                " does not fit the model: " + e.what());
  }
  const bool regression = c.loss == "mse";
  Tensor labels = regression
                      ? out.reshape({-1}).to(kFloat64)
                      : train::predicted_labels(c.loss == "bce_with_logits" ? sigmoid(out) : out);
  const bool fashion = c.data.format == "fashion-mnist";
  Tensor probs;
  std::vector<std::string> prob_columns;
  if (!regression) {
    probs = class_probabilities(out, c.loss).contiguous();
    prob_columns = probability_columns(c, probs.size(1));
  }
  std::ostringstream csv;
  csv << "row,prediction" << (fashion ? ",class" : "");
  for (const auto& name : prob_columns) csv << "," << name;
  csv << "\n";
  const Tensor lc = labels.contiguous();
  for (int64_t i = 0; i < lc.size(0); ++i) {
    csv << i << ",";
    if (regression) {
      csv << lc.data_ptr<double>()[i];
    } else {
      const int64_t k = lc.data_ptr<int64_t>()[i];
      csv << k;
      if (fashion && k >= 0 && k < 10)
        csv << "," << data::fashion_mnist_classes()[static_cast<size_t>(k)];
      // Nine significant digits: each row's probabilities sum to 1 within 1e-8 as printed.
      csv << std::setprecision(9);
      const double* p = probs.data_ptr<double>() + i * probs.size(1);
      for (int64_t j = 0; j < probs.size(1); ++j) csv << "," << p[j];
      csv << std::setprecision(6);
    }
    csv << "\n";
  }
  if (o.output.empty())
    std::cout << csv.str();
  else {
    write_file_atomic(o.output, csv.str());
    cli::wrote(o.output);
  }

  json j;
  j["model"] = dir.string();
  j["examples"] = x.size(0);
  if (!o.output.empty()) j["output"] = o.output;
  if (y.defined() && !regression) {
    const double acc = train::accuracy(labels, y.to(kInt64));
    j["accuracy"] = acc;
    j["correct"] = static_cast<int64_t>(std::llround(acc * static_cast<double>(x.size(0))));
    // With the CSV on standard output, the accuracy goes to standard error so that the
    // output stays a CSV file; with --output it is the result, on standard output.
    if (!o.json)
      std::fprintf(o.output.empty() ? stderr : stdout, "accuracy: %.4f (%lld of %lld)\n", acc,
                   static_cast<long long>(j["correct"].get<int64_t>()),
                   static_cast<long long>(x.size(0)));
  }
  if (o.json) cli::print_json(j);
}

cli::CommandRegistrar reg(
    "predict", "Label IDX or CSV input with a model saved by `soma train`", [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("--model", o->model,
                     "Run directory written by soma train, or `latest`: the newest complete run "
                     "under --runs")
          ->required();
      app.add_option("--runs", o->runs, "Where --model latest looks for runs")
          ->capture_default_str();
      app.add_option("--input", o->input, "IDX images (.gz or plain) or a CSV file")
          ->required()
          ->check(CLI::ExistingFile);
      app.add_option("--labels", o->labels, "IDX labels for the images, to report accuracy")
          ->check(CLI::ExistingFile)
          ->default_str("none");
      cli::add_output_option(app, o->output, "Write the predictions here (CSV)", "standard output");
      app.add_option("--threads", o->threads,
                     "Threads to use (default: OMP_NUM_THREADS, else all cores)")
          ->check(soma::cli::integer_in(1, 65536));
      app.add_flag("--json", o->json,
                   "End with one JSON line (examples, accuracy, correct, model)");
      app.callback([o] { run(*o); });
    });

}  // namespace
