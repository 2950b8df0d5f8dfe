// The perceptron of the tutorial on the synthetic dragons: which dragons breathe fire,
// from the number of toes and the body length (shorter, fewer-toed dragons do; the
// classes are nearly linearly separable). 60 % train / 40 % test, features
// standardised on the training rows; the perceptron learning algorithm (rate
// 1/(iter+1), stop on zero total weight change) against logistic regression
// (scikit-learn's default: L2, C = 1), each scored on the test set.
//
//   soma example perceptron [--json] [--seed N] [--epochs N] [--n N] [--plot DIR]
//   (--epochs: the perceptron's max_iter, default 1000)
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dragons.hpp"
#include "registry.hpp"
#include "soma/classic/logistic.hpp"
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

struct Scores {
  double accuracy, detection_rate, false_positive_rate;
};
Scores score(const Tensor& predicted, const Tensor& actual) {
  return {train::accuracy(predicted, actual), train::detection_rate(predicted, actual),
          train::false_positive_rate(predicted, actual)};
}

// The line w . (x - mean) / scale + b = 0 in original units: length as a function of toes.
std::vector<double> boundary(const std::vector<double>& toes, double w0, double w1, double b,
                             const soma::data::StandardScaler& s) {
  std::vector<double> len;
  for (double t : toes)
    len.push_back(s.mean()[1] - s.scale()[1] / w1 * (b + w0 * (t - s.mean()[0]) / s.scale()[0]));
  return len;
}

void run(const Options& opt) {
  const int64_t max_iter = opt.common.epochs > 0 ? opt.common.epochs : 1000;
  if (opt.n < 10) throw soma::Error("--n " + std::to_string(opt.n) + ": expected at least 10");
  const auto dragons = soma::examples::make_dragons(opt.n, opt.common.seed);
  const auto split =
      soma::data::train_test_split(dragons.size(), {.test_size = 0.4, .seed = opt.common.seed});
  const Tensor x_all = dragons.features(), y_all = dragons.fire_labels();
  soma::data::StandardScaler scaler;
  scaler.fit(rows(x_all, split.train));
  const Tensor x_train = scaler.transform(rows(x_all, split.train));
  const Tensor x_test = scaler.transform(rows(x_all, split.test));
  const Tensor y_train = rows(y_all, split.train), y_test = rows(y_all, split.test);

  soma::Stopwatch watch;
  classic::Perceptron perceptron({.max_iter = max_iter});
  const auto result = perceptron.fit(x_train, y_train);
  classic::LogisticRegression logistic;
  logistic.fit(x_train, y_train);
  const double train_seconds = watch.seconds();

  const Scores p = score(perceptron.predict(x_test), y_test);
  const Scores l = score(logistic.predict(x_test), y_test);

  if (!opt.common.plot_dir.empty()) {
    namespace plot = soma::plot;
    std::filesystem::create_directories(opt.common.plot_dir);
    plot::Figure fig({.width = 800, .height = 600, .title = "Fire-breathing dragons (test set)"});
    auto& ax = fig.axes();
    ax.xlabel = "toes";
    ax.ylabel = "body length";
    const Tensor raw_test = rows(x_all, split.test);
    std::vector<double> toes, len;
    const auto v = raw_test.to_vector<double>();
    for (size_t i = 0; i < v.size(); i += 2) toes.push_back(v[i]), len.push_back(v[i + 1]);
    ax.scatter(toes, len,
               {.classes = y_test.to_vector<int64_t>(), .class_names = {"no fire", "fire"}});
    const std::vector<double> t{4.0, 23.0};
    const auto& w = perceptron.weights()[0];
    ax.line(t, boundary(t, w[0], w[1], perceptron.bias()[0], scaler), {.label = "perceptron"});
    ax.line(t, boundary(t, logistic.coef()[0], logistic.coef()[1], logistic.intercept(), scaler),
            {.label = "logistic regression", .dash = true});
    ax.xlim = plot::Range{4.0, 23.0};
    ax.ylim = plot::Range{20.0, 330.0};
    fig.save(std::filesystem::path(opt.common.plot_dir) / "perceptron.png");
  }

  if (!opt.common.json) {
    std::printf("%lld dragons, %zu train / %zu test\n", static_cast<long long>(opt.n),
                split.train.size(), split.test.size());
    std::printf("perceptron: %lld passes%s\n", static_cast<long long>(result.iterations),
                result.converged ? " (converged)" : " (max_iter reached)");
    std::printf("%-22s %9s %15s %20s\n", "test set", "accuracy", "detection rate",
                "false positive rate");
    std::printf("%-22s %9.4f %15.4f %20.4f\n", "perceptron", p.accuracy, p.detection_rate,
                p.false_positive_rate);
    std::printf("%-22s %9.4f %15.4f %20.4f\n", "logistic regression", l.accuracy, l.detection_rate,
                l.false_positive_rate);
    std::printf("training %.4f s\n", train_seconds);
    return;
  }
  auto js = [](const Scores& s) {
    return nlohmann::json{{"accuracy", s.accuracy},
                          {"detection_rate", s.detection_rate},
                          {"false_positive_rate", s.false_positive_rate}};
  };
  soma::cli::print_json({{"perceptron", js(p)},
                         {"logistic_regression", js(l)},
                         {"perceptron_iterations", result.iterations},
                         {"perceptron_converged", result.converged},
                         {"train_size", split.train.size()},
                         {"test_size", split.test.size()},
                         {"train_seconds", train_seconds}});
}

soma::cli::ExampleRegistrar reg(
    "perceptron", "Perceptron vs logistic regression on fire-breathing dragons", [](CLI::App& app) {
      auto opts = std::make_shared<Options>();
      soma::cli::add_example_options(app, opts->common);
      app.add_option("--n", opts->n, "Dragons in all")->capture_default_str();
      app.callback([opts] { run(*opts); });
    });

}  // namespace
