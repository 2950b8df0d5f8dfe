// Tutorial 002's multi-class perceptron: a dragon's colour (Blue, Red, Yellow) from its
// number of toes and body length, after the tutorial's colour shifts (dragons.hpp).
// One unit per colour, one-hot targets, the prediction the argmax of the three scores
// (ties to the first, as np.argmax); weights and biases from zero, rate 1/(iter+1), stop
// when a pass's total weight change (biases left out) is < 0.1 or after the pass with
// iter == max_iter (1500). Raw features and the same 60/40 split as the perceptron
// example, as the tutorial reuses its train_order.
//
//   soma example multiclass-perceptron [--json] [--seed N] [--epochs N] [--n N] [--plot DIR]
//                                      [--live [--port N] [--live-hold S]]
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "classic_state.hpp"
#include "dragons.hpp"
#include "multiclass_perceptron.hpp"
#include "perceptron_live.hpp"
#include "soma/classic/perceptron.hpp"
#include "soma/core/error.hpp"
#include "soma/core/system.hpp"
#include "soma/plot/figure.hpp"
#include "soma/train/metrics.hpp"

namespace soma::examples::multiclass_perceptron {
namespace {

namespace classic = soma::classic;
namespace train = soma::train;
using soma::Tensor;

Tensor rows(const Tensor& t, const std::vector<int64_t>& r) {
  return t.index_select(0, soma::tensor(std::span<const int64_t>(r)));
}

}  // namespace

void run(const Options& opt, const soma::cli::LiveBoard& live) {
  if (opt.n < 10) throw soma::Error("--n " + std::to_string(opt.n) + ": expected at least 10");
  const int64_t max_iter = opt.common.epochs;  // the tutorial's max_iter
  const auto dragons = soma::examples::make_dragons(opt.common.seed, opt.n);
  const auto split = soma::examples::split_dragons(dragons.size(), opt.common.seed + 1);
  const Tensor x_all = dragons.colour_features(), y_all = dragons.colour_labels();
  const Tensor x_train = rows(x_all, split.train), x_test = rows(x_all, split.test);
  const Tensor y_train = rows(y_all, split.train), y_test = rows(y_all, split.test);

  soma::Stopwatch watch;
  classic::PerceptronOptions options{.num_classes = 3,
                                     .max_iter = max_iter + 1,
                                     .tolerance = 0.1,
                                     .count_bias_change = false,
                                     .strict_tolerance = true};
  soma::examples::PerceptronFeed feed(live, options, x_train.size(0));
  classic::Perceptron perceptron(options);
  const auto result = perceptron.fit(x_train, y_train);
  feed.end();
  const double train_seconds = watch.seconds();

  const Tensor predicted = perceptron.predict(x_test);
  const double train_accuracy = train::accuracy(perceptron.predict(x_train), y_train);
  const double test_accuracy = train::accuracy(predicted, y_test);
  const Tensor cm = train::confusion_matrix(predicted, y_test, 3);
  const auto& names = soma::examples::dragon_colour_names();

  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty()) {
    namespace plot = soma::plot;
    std::filesystem::create_directories(opt.common.plot_dir);
    // Decision regions: the prediction on a grid over the tutorial's axes (toes 0..25,
    // length 50..300), drawn as faint small points under the test dragons.
    std::vector<double> grid, gt, gl;
    for (int i = 0; i <= 60; ++i)
      for (int j = 0; j <= 60; ++j) {
        gt.push_back(25.0 * i / 60.0);
        gl.push_back(50.0 + 250.0 * j / 60.0);
        grid.push_back(gt.back());
        grid.push_back(gl.back());
      }
    const Tensor g = soma::tensor(std::span<const double>(grid), {int64_t(gt.size()), 2});
    plot::Figure fig({.width = 800, .height = 600, .title = "Dragon colour: decision regions"});
    auto& ax = fig.axes();
    ax.xlabel = "number of toes";
    ax.ylabel = "body length";
    const char* light[3] = {"#a6c8e8", "#f4a6a6", "#f2e394"};
    const char* full[3] = {"#1f77b4", "#d62728", "#c9a400"};
    const auto region = perceptron.predict(g).to_vector<int64_t>();
    const auto v = x_test.to_vector<double>();
    const auto labels = y_test.to_vector<int64_t>();
    for (int64_t k = 0; k < 3; ++k) {
      std::vector<double> rt, rl, dt, dl;
      for (size_t i = 0; i < region.size(); ++i)
        if (region[i] == k) rt.push_back(gt[i]), rl.push_back(gl[i]);
      for (size_t i = 0; i < labels.size(); ++i)
        if (labels[i] == k) dt.push_back(v[2 * i]), dl.push_back(v[2 * i + 1]);
      if (!rt.empty())
        ax.scatter(rt, rl, {.label = names[size_t(k)] + " region", .color = light[k], .size = 2});
      if (!dt.empty()) ax.scatter(dt, dl, {.label = names[size_t(k)], .color = full[k], .size = 5});
    }
    ax.xlim = plot::Range{0.0, 25.0};
    ax.ylim = plot::Range{50.0, 300.0};
    figures.push_back(
        (std::filesystem::path(opt.common.plot_dir) / "multiclass_perceptron.png").string());
    fig.save(figures.back());
    soma::cli::wrote(figures.back());
  }

  if (!opt.common.json) {
    std::printf("%lld dragons, %zu train / %zu test, 3 colours\n", static_cast<long long>(opt.n),
                split.train.size(), split.test.size());
    std::printf("perceptron: %lld passes%s\n", static_cast<long long>(result.iterations),
                result.converged ? " (weight change < 0.1)" : " (max_iter reached)");
    std::printf("Test Accuracy: %f   (tutorial, its data: 0.838542)\n", test_accuracy);
    std::printf("train accuracy %f\n", train_accuracy);
    std::printf("%s", train::format_confusion_matrix(cm, names).c_str());
    std::printf("training %.4f s\n", train_seconds);
    return;
  }
  const auto counts = cm.to_vector<int64_t>();
  nlohmann::json matrix = nlohmann::json::array();
  for (size_t r = 0; r < 3; ++r)
    matrix.push_back({counts[r * 3], counts[r * 3 + 1], counts[r * 3 + 2]});
  const std::string weights = soma::nn::state_dict_sha256(soma::examples::state_dict(perceptron));
  soma::cli::print_json({{"multiclass_accuracy", test_accuracy},
                         {"train_accuracy", train_accuracy},
                         {"confusion_matrix", matrix},
                         {"classes", names},
                         {"epochs", max_iter},
                         {"multiclass_passes", result.iterations},
                         {"converged", result.converged},
                         {"train_size", split.train.size()},
                         {"test_size", split.test.size()},
                         {"train_seconds", train_seconds},
                         {"weights_sha256", weights},
                         // whole-data passes of one process (classic/)
                         {"ranks", 1},
                         {"figures", figures}});
}

}  // namespace soma::examples::multiclass_perceptron

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example multiclass-perceptron` has them as
// flags).
int main(int argc, char** argv) {
  soma::examples::multiclass_perceptron::Options opt;
  return soma::cli::example_main(argc, argv, opt.common, [&] {
    soma::examples::multiclass_perceptron::run(opt, soma::cli::LiveBoard{});
  });
}
#endif
