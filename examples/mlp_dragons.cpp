// Tutorial 002's multi-layer perceptron: a dragon's colour (Blue, Red, Yellow) from its
// number of toes and body length (dragons.hpp; raw values, as the tutorial feeds them).
// A 2 -> 10 -> 20 -> 1000 -> 3 network, ReLU between the layers and a softmax at the
// end, trained one dragon per step with Adam (lr 2e-4), in the tutorial's order:
//   1. its demonstration: dragon 25 through the untrained network, and one Adam step on
//      that dragon's loss (it changes the weights, so it is kept);
//   2. one epoch over a permutation of the training dragons with a new Adam, then the
//      test accuracy (the tutorial: 0.760417);
//   3. 25 more epochs with another new Adam, the training accuracy after each (0.486111
//      ... 0.895833) and the test accuracy at the end (0.880208).
// The tutorial seeds PyTorch with torch.manual_seed(2021). soma's generator is not
// PyTorch's, so the same seed cannot give the same initial weights: soma seeds its own
// initialisation with 2021 (--init-seed) and draws them the way nn.Linear does
// (uniform(-1/sqrt(in), 1/sqrt(in)), weights then bias). The tutorial's loss is
// mean(-log(softmax(z)[label])); soma computes the same value as cross_entropy(z,
// label), which takes the log-softmax in one step and cannot produce log(0) when a
// softmax probability underflows, as the raw lengths (~100..300) make likely.
// --trace DIR writes what torch needs to replay the demonstration step and the first
// epoch exactly (tests/reference/dragons_mlp_replay.py): the data, the initial weights,
// the epoch's order and soma's loss at each step.
// --live shows the loss of every step of the 1 + 25 epochs (the demonstration step left
// out) and the accuracies the tutorial prints after them on the dashboard's training view.
//
//   soma example mlp-dragons [--json] [--seed N] [--epochs N] [--init-seed N] [--n N]
//                            [--plot DIR] [--trace DIR] [--live [--port N] [--live-hold S]]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dragons.hpp"
#include "mlp_dragons.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/random.hpp"
#include "soma/core/system.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/optim/adam.hpp"
#include "soma/plot/figure.hpp"
#include "soma/train/metrics.hpp"

namespace soma::examples::mlp_dragons {
namespace {

namespace nn = soma::nn;
using soma::Tensor;

constexpr int64_t kDemoDragon = 25;  // the tutorial's x[25,:]

// One value a line; %.9g reads back into the same float32, %.17g into the same double.
std::string lines(const Tensor& t) {
  std::string out;
  char buf[32];
  if (t.dtype() == soma::kInt64) {
    for (int64_t v : t.contiguous().to_vector<int64_t>()) out += std::to_string(v) + "\n";
    return out;
  }
  const char* format = t.dtype() == soma::kFloat32 ? "%.9g\n" : "%.17g\n";
  for (double v : t.contiguous().to_vector<double>()) {
    std::snprintf(buf, sizeof buf, format, v);
    out += buf;
  }
  return out;
}

Tensor rows(const Tensor& t, const std::vector<int64_t>& r) {
  return t.index_select(0, soma::tensor(std::span<const int64_t>(r)));
}

double accuracy(nn::Sequential& model, const Tensor& x, const Tensor& y) {
  soma::NoGradGuard no_grad;
  return soma::train::accuracy(soma::argmax(model(x), 1), y);
}

}  // namespace

void run(const Options& opt, const soma::cli::LiveBoard& live) {
  const int64_t epochs = opt.common.epochs;
  if (opt.n <= kDemoDragon)
    throw soma::Error("--n " + std::to_string(opt.n) + ": expected more than " +
                      std::to_string(kDemoDragon) + " (the tutorial's demonstration dragon)");

  const auto dragons = soma::examples::make_dragons(opt.common.seed, opt.n);
  const auto split = soma::examples::split_dragons(dragons.size(), opt.common.seed + 1);
  const Tensor x_all = dragons.colour_features().to(soma::kFloat32);
  const Tensor y_all = dragons.colour_labels();
  const Tensor x_train = rows(x_all, split.train), x_test = rows(x_all, split.test);
  const Tensor y_train = rows(y_all, split.train), y_test = rows(y_all, split.test);

  soma::Rng init_rng(opt.init_seed);
  nn::Sequential model(
      nn::Linear(2, 10, true, init_rng), nn::ReLU(), nn::Linear(10, 20, true, init_rng), nn::ReLU(),
      nn::Linear(20, 1000, true, init_rng), nn::ReLU(), nn::Linear(1000, 3, true, init_rng));
  const std::filesystem::path trace(opt.trace_dir);
  if (!opt.trace_dir.empty()) {
    std::filesystem::create_directories(trace / "init");
    for (const auto& [name, value] : model.named_parameters())
      soma::write_file_atomic(trace / "init" / (name + ".txt"), lines(value));
    soma::write_file_atomic(trace / "x_train.txt", lines(x_train));
    soma::write_file_atomic(trace / "y_train.txt", lines(y_train));
    soma::write_file_atomic(trace / "x_test.txt", lines(x_test));
    soma::write_file_atomic(trace / "y_test.txt", lines(y_test));
  }

  // 1. The demonstration: one dragon forward, its loss, one Adam step.
  const Tensor x25 = x_all[kDemoDragon].unsqueeze(0), y25 = y_all[kDemoDragon].unsqueeze(0);
  if (!opt.trace_dir.empty())
    soma::write_file_atomic(trace / "x_demo.txt", lines(x25) + lines(y25));
  std::vector<double> demo_probabilities;
  double demo_loss = 0;
  {
    soma::optim::Adam adam(model.parameters(), {.lr = 2e-4});
    adam.zero_grad();
    Tensor logits = model(x25);
    Tensor loss = soma::cross_entropy(logits, y25);
    demo_probabilities = soma::softmax(logits.detach(), 1).to_vector<double>();
    demo_loss = loss.item<double>();
    loss.backward();
    adam.step();
  }

  // One epoch: every training dragon once, in a fresh permutation, one step each.
  soma::Rng order_rng(opt.common.seed + 2);
  std::vector<int64_t> order(split.train.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = int64_t(i);
  soma::ProgressBar bar((epochs + 1) * int64_t(order.size()), "mlp-dragons", !opt.common.json);
  bool record = !opt.trace_dir.empty();  // --trace: the first epoch's losses
  std::string epoch_losses;
  // The page counts the first epoch and the 25 after it as one run of epochs + 1.
  soma::cli::LiveLoop feed(live, epochs + 1, int64_t(order.size()));
  int64_t epochs_done = 0;
  double loss_sum = 0;  // the epoch's step losses, for the page's train loss
  auto epoch = [&](soma::optim::Adam& adam) {
    order_rng.shuffle(order.begin(), order.end());
    ++epochs_done;
    loss_sum = 0;
    int64_t step = 0;
    for (int64_t i : order) {
      Tensor loss = soma::cross_entropy(model(x_train[i].unsqueeze(0)), y_train[i].unsqueeze(0));
      adam.zero_grad();
      loss.backward();
      adam.step();
      bar.advance();
      if (record) epoch_losses += lines(loss.detach());
      if (feed.on()) {
        const double l = loss.item<double>();
        loss_sum += l;
        feed.batch(epochs_done, ++step, l);
      }
    }
  };
  const auto mean_loss = [&] { return loss_sum / double(order.size()); };
  soma::Stopwatch watch;
  double first_test_accuracy = 0;
  feed.begin();
  {  // 2. one epoch with a new optimiser
    soma::optim::Adam adam(model.parameters(), {.lr = 2e-4});
    epoch(adam);
    first_test_accuracy = accuracy(model, x_test, y_test);
    feed.epoch(1, mean_loss(), NAN, {{"test_accuracy", first_test_accuracy}});
    if (record) {
      record = false;
      soma::write_file_atomic(trace / "demo_loss.txt", lines(soma::scalar_tensor(demo_loss)));
      soma::write_file_atomic(trace / "order.txt",
                              lines(soma::tensor(std::span<const int64_t>(order))));
      soma::write_file_atomic(trace / "epoch_loss.txt", epoch_losses);
      soma::NoGradGuard no_grad;
      soma::write_file_atomic(trace / "epoch_test_logits.txt", lines(model(x_test)));
    }
  }
  std::vector<double> epoch_accuracy;
  {  // 3. the tutorial's next cell: another new optimiser, n_epochs = 25
    soma::optim::Adam adam(model.parameters(), {.lr = 2e-4});
    for (int64_t e = 0; e < epochs; ++e) {
      epoch(adam);
      epoch_accuracy.push_back(accuracy(model, x_train, y_train));
      feed.epoch(epochs_done, mean_loss(), NAN, {{"train_accuracy", epoch_accuracy.back()}});
    }
  }
  feed.end();
  const double train_seconds = watch.seconds();
  bar.finish();

  Tensor predicted;
  {
    soma::NoGradGuard no_grad;
    predicted = soma::argmax(model(x_test), 1);
  }
  const double test_accuracy = soma::train::accuracy(predicted, y_test);
  const Tensor cm = soma::train::confusion_matrix(predicted, y_test, 3);
  const auto& names = soma::examples::dragon_colour_names();

  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty()) {
    namespace plot = soma::plot;
    std::filesystem::create_directories(opt.common.plot_dir);
    plot::Figure fig({.rows = 1, .cols = 2, .width = 1000, .height = 400});
    auto& acc = fig.axes(0, 0);
    acc.title = "Training accuracy after each epoch";
    acc.xlabel = "epoch";
    acc.ylabel = "accuracy";
    std::vector<double> ep;
    for (int64_t e = 0; e < epochs; ++e) ep.push_back(double(e));
    if (!ep.empty()) acc.line(ep, epoch_accuracy, {.label = "accuracy"});
    auto& heat = fig.axes(0, 1);
    heat.title = "Test confusion matrix (rows: actual)";
    heat.xlabel = "predicted";
    heat.ylabel = "actual";
    heat.heatmap(cm.to_vector<double>(), 3, 3,
                 {.x_labels = names, .y_labels = names, .annotate = true});
    figures.push_back((std::filesystem::path(opt.common.plot_dir) / "mlp_dragons.png").string());
    fig.save(figures.back());
    soma::cli::wrote(figures.back());
  }

  const int64_t label25 = y25.item<int64_t>();
  size_t predicted25 = 0;
  for (size_t k = 1; k < demo_probabilities.size(); ++k)
    if (demo_probabilities[k] > demo_probabilities[predicted25]) predicted25 = k;
  if (opt.common.json) {
    // Flat keys, named as tests/reference/dragons_tutorial.py names the tutorial's figures.
    const auto last =
        epoch_accuracy.empty() ? nlohmann::json(nullptr) : nlohmann::json(epoch_accuracy.back());
    const auto best =
        epoch_accuracy.empty()
            ? nlohmann::json(nullptr)
            : nlohmann::json(*std::max_element(epoch_accuracy.begin(), epoch_accuracy.end()));
    soma::cli::print_json({{"epochs", epochs},
                           {"train_size", x_train.size(0)},
                           {"test_size", x_test.size(0)},
                           {"demo_probabilities", demo_probabilities},
                           {"demo_loss", demo_loss},
                           {"mlp_first_epoch_test_accuracy", first_test_accuracy},
                           {"epoch_accuracy", epoch_accuracy},
                           {"mlp_train_accuracy_last", last},
                           {"mlp_train_accuracy_max", best},
                           {"mlp_test_accuracy", test_accuracy},
                           {"train_seconds", train_seconds},
                           {"weights_sha256", nn::state_dict_sha256(model)},
                           // one dragon per step: nothing to share out
                           {"ranks", 1},
                           {"figures", figures}});
    return;
  }
  std::printf("MLP 2-10-20-1000-3 (ReLU, softmax), Adam lr 2e-4, one dragon per step\n");
  std::printf("%lld training dragons, %lld test dragons; init seed %llu (soma's generator)\n\n",
              (long long)x_train.size(0), (long long)x_test.size(0),
              (unsigned long long)opt.init_seed);
  std::printf("dragon %lld, untrained: P(Blue, Red, Yellow) = (%.4f, %.4f, %.4f)\n",
              (long long)kDemoDragon, demo_probabilities[0], demo_probabilities[1],
              demo_probabilities[2]);
  std::printf("Predicted color: %s, actual color: %s, loss %.4f\n\n", names[predicted25].c_str(),
              names[size_t(label25)].c_str(), demo_loss);
  std::printf("Training on samples done! Test Accuracy: %f   (tutorial: 0.760417)\n\n",
              first_test_accuracy);
  for (int64_t e = 0; e < epochs; ++e)
    std::printf("Accuracy after epoch %lld: %f\n", (long long)e, epoch_accuracy[size_t(e)]);
  std::printf("Test Accuracy: %f   (tutorial: 0.880208)\n%s\n", test_accuracy,
              soma::train::format_confusion_matrix(cm, names).c_str());
  std::printf("training took %.3f s\n", train_seconds);
}

}  // namespace soma::examples::mlp_dragons

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example mlp-dragons` has them as flags).
int main(int argc, char** argv) {
  soma::examples::mlp_dragons::Options opt;
  return soma::cli::example_main(argc, argv, opt.common, [&] {
    soma::examples::mlp_dragons::run(opt, soma::cli::LiveBoard{});
  });
}
#endif
