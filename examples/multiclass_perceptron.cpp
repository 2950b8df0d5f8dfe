// The multi-class perceptron of the tutorial: a dragon's colour (green, red, blue) from
// its number of toes and body length. One unit per colour, one-hot targets, the
// prediction the argmax of the three scores; rate 1/(iter+1), stop on zero total
// weight change. 60 % train / 40 % test, features standardised on the training rows.
//
//   soma example multiclass-perceptron [--json] [--seed N] [--epochs N] [--n N] [--plot DIR]
//   (--epochs: the perceptron's max_iter, default 1000)
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dragons.hpp"
#include "registry.hpp"
#include "soma/classic/perceptron.hpp"
#include "soma/core/error.hpp"
#include "soma/core/system.hpp"
#include "soma/data/scaler.hpp"
#include "soma/data/split.hpp"
#include "soma/plot/figure.hpp"
#include "soma/train/metrics.hpp"

namespace {

namespace classic = soma::classic;
namespace train = soma::train;
using soma::Tensor;

struct Options {
  soma::cli::ExampleOptions common;
  int64_t n = 500;
};

Tensor rows(const Tensor& t, const std::vector<int64_t>& r) {
  return t.index_select(0, soma::tensor(std::span<const int64_t>(r)));
}

void run(const Options& opt) {
  const int64_t max_iter = opt.common.epochs > 0 ? opt.common.epochs : 1000;
  if (opt.n < 10) throw soma::Error("--n " + std::to_string(opt.n) + ": expected at least 10");
  const auto dragons = soma::examples::make_dragons(opt.n, opt.common.seed);
  const auto split =
      soma::data::train_test_split(dragons.size(), {.test_size = 0.4, .seed = opt.common.seed});
  const Tensor x_all = dragons.features(), y_all = dragons.colour_labels();
  soma::data::StandardScaler scaler;
  scaler.fit(rows(x_all, split.train));
  const Tensor x_train = scaler.transform(rows(x_all, split.train));
  const Tensor x_test = scaler.transform(rows(x_all, split.test));
  const Tensor y_train = rows(y_all, split.train), y_test = rows(y_all, split.test);

  soma::Stopwatch watch;
  classic::Perceptron perceptron({.num_classes = 3, .max_iter = max_iter});
  const auto result = perceptron.fit(x_train, y_train);
  const double train_seconds = watch.seconds();

  const Tensor predicted = perceptron.predict(x_test);
  const double train_accuracy = train::accuracy(perceptron.predict(x_train), y_train);
  const double test_accuracy = train::accuracy(predicted, y_test);
  const Tensor cm = train::confusion_matrix(predicted, y_test, 3);
  const auto& names = soma::examples::dragon_colour_names();

  if (!opt.common.plot_dir.empty()) {
    namespace plot = soma::plot;
    std::filesystem::create_directories(opt.common.plot_dir);
    // Decision regions: the prediction on a grid over the feature box, drawn as faint
    // small points under the test dragons.
    std::vector<double> grid;
    std::vector<double> gt, gl;
    for (int i = 0; i <= 60; ++i)
      for (int j = 0; j <= 60; ++j) {
        gt.push_back(4.0 + 19.0 * i / 60.0);
        gl.push_back(30.0 + 290.0 * j / 60.0);
        grid.push_back(gt.back());
        grid.push_back(gl.back());
      }
    const Tensor g =
        scaler.transform(soma::tensor(std::span<const double>(grid), {int64_t(gt.size()), 2}));
    plot::Figure fig({.width = 800, .height = 600, .title = "Dragon colour: decision regions"});
    auto& ax = fig.axes();
    ax.xlabel = "toes";
    ax.ylabel = "body length";
    // One series per colour so each colour is drawn in its own hue: light for the
    // region, full for the test dragons.
    const char* light[3] = {"#a6dba0", "#f4a6a6", "#a6c8e8"};
    const char* full[3] = {"#2ca02c", "#d62728", "#1f77b4"};
    const auto region = perceptron.predict(g).to_vector<int64_t>();
    const auto v = rows(x_all, split.test).to_vector<double>();
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
    ax.xlim = plot::Range{4.0, 23.0};
    ax.ylim = plot::Range{30.0, 320.0};
    fig.save(std::filesystem::path(opt.common.plot_dir) / "multiclass_perceptron.png");
  }

  if (!opt.common.json) {
    std::printf("%lld dragons, %zu train / %zu test, 3 colours\n", static_cast<long long>(opt.n),
                split.train.size(), split.test.size());
    std::printf("perceptron: %lld passes%s\n", static_cast<long long>(result.iterations),
                result.converged ? " (converged)" : " (max_iter reached)");
    std::printf("accuracy: train %.4f, test %.4f\n", train_accuracy, test_accuracy);
    std::printf("%s", train::format_confusion_matrix(cm, names).c_str());
    std::printf("training %.4f s\n", train_seconds);
    return;
  }
  const auto counts = cm.to_vector<int64_t>();
  nlohmann::json matrix = nlohmann::json::array();
  for (size_t r = 0; r < 3; ++r)
    matrix.push_back({counts[r * 3], counts[r * 3 + 1], counts[r * 3 + 2]});
  soma::cli::print_json({{"accuracy", test_accuracy},
                         {"train_accuracy", train_accuracy},
                         {"confusion_matrix", matrix},
                         {"classes", names},
                         {"iterations", result.iterations},
                         {"converged", result.converged},
                         {"train_seconds", train_seconds}});
}

soma::cli::ExampleRegistrar reg(
    "multiclass-perceptron", "Multi-class perceptron (one-hot, argmax) on dragon colours",
    [](CLI::App& app) {
      auto opts = std::make_shared<Options>();
      soma::cli::add_example_options(app, opts->common);
      app.add_option("--n", opts->n, "Dragons in all")->capture_default_str();
      app.callback([opts] { run(*opts); });
    });

}  // namespace
