// The multi-layer perceptron of the tutorial on the synthetic dragons: two features
// (toes, body length), three colours. A 2 -> 10 -> 20 -> 1000 -> 3 network with ReLU
// between the layers, trained with Adam (lr 2e-4) on one dragon per step for 25 epochs.
// The network ends in logits: cross_entropy fuses log-softmax and NLL (stabler than a
// softmax followed by a log); softmax of the logits gives the reported probabilities.
//
//   soma example mlp-dragons [--json] [--seed N] [--epochs N] [--n N] [--plot DIR]
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dragons.hpp"
#include "registry.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/system.hpp"
#include "soma/data/dataset.hpp"
#include "soma/data/loader.hpp"
#include "soma/data/scaler.hpp"
#include "soma/data/split.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/optim/adam.hpp"
#include "soma/plot/figure.hpp"
#include "soma/train/metrics.hpp"

namespace {

namespace nn = soma::nn;
namespace data = soma::data;
using soma::Tensor;

struct Options {
  soma::cli::ExampleOptions common;
  int64_t n = 1000;  // dragons in all; 80 % train, 20 % test
};

void run(const Options& opt) {
  const int64_t epochs = opt.common.epochs > 0 ? opt.common.epochs : 25;
  if (opt.n < 10) throw soma::Error("--n " + std::to_string(opt.n) + ": expected at least 10");

  const auto dragons = soma::examples::make_dragons(opt.n, opt.common.seed);
  const auto split =
      data::train_test_split(dragons.size(), {.test_size = 0.2, .seed = opt.common.seed});
  const Tensor x_all = dragons.features();
  const Tensor y_all = dragons.colour_labels();
  auto rows = [](const std::vector<int64_t>& r) {
    return soma::tensor(std::span<const int64_t>(r));
  };
  // Toes and lengths differ in scale by ~20x: standardise on the training rows only.
  data::StandardScaler scaler;
  scaler.fit(x_all.index_select(0, rows(split.train)));
  const Tensor x_train =
      scaler.transform(x_all.index_select(0, rows(split.train))).to(soma::kFloat32);
  const Tensor x_test =
      scaler.transform(x_all.index_select(0, rows(split.test))).to(soma::kFloat32);
  const Tensor y_train = y_all.index_select(0, rows(split.train));
  const Tensor y_test = y_all.index_select(0, rows(split.test));

  soma::Rng init_rng(opt.common.seed);
  nn::Sequential model(
      nn::Linear(2, 10, true, init_rng), nn::ReLU(), nn::Linear(10, 20, true, init_rng), nn::ReLU(),
      nn::Linear(20, 1000, true, init_rng), nn::ReLU(), nn::Linear(1000, 3, true, init_rng));
  soma::optim::Adam adam(model.parameters(), {.lr = 2e-4});
  data::DataLoader loader(data::TensorDataset(x_train, y_train),
                          {.batch_size = 1, .shuffle = true, .seed = opt.common.seed});

  std::vector<double> epoch_accuracy, epoch_loss;
  soma::ProgressBar bar(epochs * loader.size(), "mlp-dragons", !opt.common.json);
  soma::Stopwatch watch;
  for (int64_t e = 0; e < epochs; ++e) {
    int64_t correct = 0;
    double loss_sum = 0;
    for (auto& [x, y] : loader) {
      Tensor logits = model(x);
      Tensor loss = soma::cross_entropy(logits, y);
      adam.zero_grad();
      loss.backward();
      adam.step();
      loss_sum += loss.item<double>();
      correct += soma::argmax(logits, 1).item<int64_t>() == y.item<int64_t>();
      bar.advance();
    }
    epoch_accuracy.push_back(double(correct) / double(loader.size()));
    epoch_loss.push_back(loss_sum / double(loader.size()));
  }
  const double train_seconds = watch.seconds();
  bar.finish();

  Tensor probabilities, predicted;
  {
    soma::NoGradGuard no_grad;
    probabilities = soma::softmax(model(x_test), 1);
    predicted = soma::argmax(probabilities, 1);
  }
  const double test_accuracy = soma::train::accuracy(predicted, y_test);
  const Tensor cm = soma::train::confusion_matrix(predicted, y_test, 3);

  if (!opt.common.plot_dir.empty()) {
    namespace plot = soma::plot;
    std::filesystem::create_directories(opt.common.plot_dir);
    plot::Figure fig({.rows = 1, .cols = 2, .width = 1000, .height = 400});
    auto& acc = fig.axes(0, 0);
    acc.title = "Training accuracy";
    acc.xlabel = "epoch";
    std::vector<double> ep;
    for (int64_t e = 1; e <= epochs; ++e) ep.push_back(double(e));
    acc.line(ep, epoch_accuracy, {.label = "accuracy"});
    auto& heat = fig.axes(0, 1);
    heat.title = "Test confusion matrix (rows: actual)";
    heat.heatmap(cm.to_vector<double>(), 3, 3,
                 {.x_labels = soma::examples::dragon_colour_names(),
                  .y_labels = soma::examples::dragon_colour_names(),
                  .annotate = true});
    fig.save(std::filesystem::path(opt.common.plot_dir) / "mlp_dragons.png");
  }

  if (opt.common.json) {
    soma::cli::print_json({{"epochs", epochs},
                           {"train_size", x_train.size(0)},
                           {"test_size", x_test.size(0)},
                           {"epoch_accuracy", epoch_accuracy},
                           {"epoch_loss", epoch_loss},
                           {"train_accuracy", epoch_accuracy.back()},
                           {"test_accuracy", test_accuracy},
                           {"train_seconds", train_seconds}});
    return;
  }
  std::printf("MLP 2-10-20-1000-3 (ReLU, softmax), Adam lr 2e-4, one dragon per step\n");
  std::printf("%lld training dragons, %lld test dragons\n\n", (long long)x_train.size(0),
              (long long)x_test.size(0));
  std::printf("epoch  loss      accuracy\n");
  for (int64_t e = 0; e < epochs; ++e)
    std::printf("%5lld  %.5f   %.4f\n", (long long)(e + 1), epoch_loss[size_t(e)],
                epoch_accuracy[size_t(e)]);
  std::printf(
      "\ntest accuracy %.4f\n%s\n", test_accuracy,
      soma::train::format_confusion_matrix(cm, soma::examples::dragon_colour_names()).c_str());
  const auto p0 = probabilities[0].to_vector<double>();
  std::printf("first test dragon: P(green, red, blue) = (%.3f, %.3f, %.3f)\n", p0[0], p0[1], p0[2]);
  std::printf("training took %.3f s\n", train_seconds);
}

soma::cli::ExampleRegistrar reg("mlp-dragons", "MLP classifying the colour of synthetic dragons",
                                [](CLI::App& app) {
                                  auto opt = std::make_shared<Options>();
                                  soma::cli::add_example_options(app, opt->common);
                                  app.add_option("--n", opt->n, "number of dragons (80/20 split)");
                                  app.callback([opt] { run(*opt); });
                                });

}  // namespace
