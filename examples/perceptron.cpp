// Tutorial 002's first comparison: which dragons breathe fire, from the number of toes
// and the body length, by logistic regression (scikit-learn's defaults: L2, C = 1) and
// by the tutorial's perceptron learning algorithm, each scored on the test set by
// accuracy, detection rate and false-positive rate as the tutorial prints them.
// The data are dragons.hpp's (the tutorial's file is not available), used as the
// tutorial uses them: raw toes and lengths, no standardisation, a 60/40 split of one
// permutation. The perceptron is the tutorial's: weights and bias from zero, rate
// 1/(iter+1), stop when a pass's total weight change (bias left out) is < 0.1 or after
// the pass with iter == max_iter (--epochs, 1500: at most 1501 passes).
//
//   soma example perceptron [--json] [--seed N] [--epochs N] [--n N] [--plot DIR]
//                           [--live [--port N] [--live-hold S]]
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "classic_state.hpp"
#include "dragons.hpp"
#include "perceptron.hpp"
#include "perceptron_live.hpp"
#include "soma/classic/logistic.hpp"
#include "soma/classic/perceptron.hpp"
#include "soma/core/error.hpp"
#include "soma/core/system.hpp"
#include "soma/plot/figure.hpp"
#include "soma/train/metrics.hpp"

namespace soma::examples::perceptron {
namespace {

namespace classic = soma::classic;
namespace train = soma::train;
using soma::Tensor;

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

// The line w0 toes + w1 length + b = 0 as length(toes), as the tutorial draws it.
std::vector<double> boundary(const std::vector<double>& toes, double w0, double w1, double b) {
  std::vector<double> len;
  for (double t : toes) len.push_back(-(b + w0 * t) / w1);
  return len;
}

}  // namespace

void run(const Options& opt, const soma::cli::LiveBoard& live) {
  if (opt.n < 10) throw soma::Error("--n " + std::to_string(opt.n) + ": expected at least 10");
  const int64_t max_iter = opt.common.epochs;  // the tutorial's max_iter
  const auto dragons = soma::examples::make_dragons(opt.common.seed, opt.n);
  const auto split = soma::examples::split_dragons(dragons.size(), opt.common.seed + 1);
  const Tensor x_all = dragons.fire_features(), y_all = dragons.fire_labels();
  const Tensor x_train = rows(x_all, split.train), x_test = rows(x_all, split.test);
  const Tensor y_train = rows(y_all, split.train), y_test = rows(y_all, split.test);

  soma::Stopwatch watch;
  classic::PerceptronOptions options{.max_iter = max_iter + 1,
                                     .tolerance = 0.1,
                                     .count_bias_change = false,
                                     .strict_tolerance = true};
  soma::examples::PerceptronFeed feed(live, options, x_train.size(0));
  classic::Perceptron perceptron(options);
  const auto result = perceptron.fit(x_train, y_train);
  feed.end();
  classic::LogisticRegression logistic;
  logistic.fit(x_train, y_train);
  const double train_seconds = watch.seconds();

  const Scores p = score(perceptron.predict(x_test), y_test);
  const Scores l = score(logistic.predict(x_test), y_test);

  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty()) {
    namespace plot = soma::plot;
    std::filesystem::create_directories(opt.common.plot_dir);
    plot::Figure fig({.width = 800, .height = 600, .title = "Fire-breathing dragons (test set)"});
    auto& ax = fig.axes();
    ax.xlabel = "number of toes";
    ax.ylabel = "body length";
    std::vector<double> toes, len;
    const auto v = x_test.to_vector<double>();
    for (size_t i = 0; i < v.size(); i += 2) toes.push_back(v[i]), len.push_back(v[i + 1]);
    ax.scatter(toes, len,
               {.classes = y_test.to_vector<int64_t>(), .class_names = {"no fire", "fire"}});
    const std::vector<double> t{0.0, 25.0};  // the tutorial's ax.plot([0,25], ...)
    const auto& w = perceptron.weights()[0];
    ax.line(t, boundary(t, w[0], w[1], perceptron.bias()[0]), {.label = "perceptron"});
    ax.line(t, boundary(t, logistic.coef()[0], logistic.coef()[1], logistic.intercept()),
            {.label = "logistic regression", .dash = true});
    ax.xlim = plot::Range{0.0, 25.0};
    ax.ylim = plot::Range{50.0, 300.0};
    figures.push_back((std::filesystem::path(opt.common.plot_dir) / "perceptron.png").string());
    fig.save(figures.back());
    soma::cli::wrote(figures.back());
  }

  if (!opt.common.json) {
    std::printf("%lld dragons (toes, body length; dragons.hpp), %zu train / %zu test\n",
                static_cast<long long>(opt.n), split.train.size(), split.test.size());
    std::printf("perceptron: %lld passes%s\n", static_cast<long long>(result.iterations),
                result.converged ? " (weight change < 0.1)" : " (max_iter reached)");
    std::printf("%-22s %9s %15s %20s\n", "test set", "accuracy", "detection rate",
                "false positive rate");
    std::printf("%-22s %9.6f %15.6f %20.6f\n", "logistic regression", l.accuracy, l.detection_rate,
                l.false_positive_rate);
    std::printf("%-22s %9.6f %15.6f %20.6f\n", "perceptron", p.accuracy, p.detection_rate,
                p.false_positive_rate);
    std::printf(
        "tutorial (its data):   logistic 0.994792 / 1.000000 / 0.012048, "
        "perceptron 0.994792 / 0.990826 / 0.000000\n");
    std::printf("training %.4f s\n", train_seconds);
    return;
  }
  const std::string weights = soma::nn::state_dict_sha256(
      soma::examples::combined({{"perceptron", soma::examples::state_dict(perceptron)},
                                {"logistic", soma::examples::state_dict(logistic)}}));
  // Flat keys, named as tests/reference/dragons_tutorial.py names the tutorial's figures.
  soma::cli::print_json({{"logistic_accuracy", l.accuracy},
                         {"logistic_detection", l.detection_rate},
                         {"logistic_false_positive", l.false_positive_rate},
                         {"perceptron_accuracy", p.accuracy},
                         {"perceptron_detection", p.detection_rate},
                         {"perceptron_false_positive", p.false_positive_rate},
                         {"epochs", max_iter},
                         {"perceptron_passes", result.iterations},
                         {"perceptron_converged", result.converged},
                         {"train_size", split.train.size()},
                         {"test_size", split.test.size()},
                         {"train_seconds", train_seconds},
                         {"weights_sha256", weights},
                         // whole-data passes of one process (classic/)
                         {"ranks", 1},
                         {"figures", figures}});
}

}  // namespace soma::examples::perceptron

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example perceptron` has them as flags).
int main(int argc, char** argv) {
  soma::examples::perceptron::Options opt;
  return soma::cli::example_main(argc, argv, opt.common, [&] {
    soma::examples::perceptron::run(opt, soma::cli::LiveBoard{});
  });
}
#endif
