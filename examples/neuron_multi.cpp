// Tutorial 001's "Let's try with multiple features": the 13 features of Boston housing,
// fitted three ways.
//
// 1. OLS: train_test_split(X, y, test_size=0.2) (404 / 102 rows), StandardScaler fitted on
//    X_train and applied to both, LinearRegression on X_train; its 13 coefficients.
// 2. The tutorial's Neuron on the same rows: Neuron(X_train, y_train, learning_rate=0.1,
//    nb_batches=1), i.e. `for i in range(1, 100)`, 99 epochs of one full-batch gradient step,
//    W (13 x 1) and B drawn by np.random.random, each (epoch, batch) keeping W, B and the
//    mse_train before the step. The bar chart draws the OLS coefficients in red and, over
//    them, save.iloc[10], save.iloc[50] and save.iloc[98], where `save` has one row per
//    epoch from 1: so "at_10" is epoch 11's weights and "at_98" epoch 99's, the last.
//    matplotlib draws those as white half-transparent bars over the red ones; soma's
//    figure draws the four side by side (grouped bars).
// 3. The Keras add-on: Dense(1) on the 13 inputs, SGD lr 0.02, loss MSE, batch_size =
//    X_train.shape[0] (one step per epoch), 99 epochs, validation on the test set, a
//    callback storing the weights after each epoch; its loss / val_loss history. Keras'
//    Dense starts from a Glorot-uniform kernel, U(-sqrt(6/14), sqrt(6/14)), and a zero
//    bias; Keras draws the kernel from TensorFlow's generator, soma from NumPy's
//    RandomState(seed + 1) so the reference can draw it too. Keras computes in float32,
//    soma (and the reference) in float64.
//
// The data: load_boston is gone from scikit-learn and packaged nowhere here, so soma
// draws a Boston-shaped set (examples/boston_like.hpp says how) from NumPy's legacy
// stream, np.random.seed(--seed): the rows, then train_test_split's permutation (the
// tutorial passes no random_state: it draws from the same global stream), then the
// Neuron's W and B. The tutorial's split_n_batch_indexes also shuffles the rows of its one
// batch every epoch; that changes only the order of a sum, so soma does not draw it.
// tests/reference/neuron_multi_tutorial.py runs the tutorial's code on the same draws.
//
// mse_train is the tutorial's np.mean((self.y - self.y_pred)**2) with y [n] and y_pred
// [n, 1], which NumPy broadcasts to the mean over all n x n pairs (see neuron.cpp); soma
// prints it and the true MSE.
//
//   soma example neuron-multi [--json] [--seed N] [--epochs N] [--plot DIR] [--live]
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "boston_like.hpp"
#include "classic_state.hpp"
#include "neuron_multi.hpp"
#include "soma/classic/neuron.hpp"
#include "soma/classic/ols.hpp"
#include "soma/core/error.hpp"
#include "soma/core/numpy_random.hpp"
#include "soma/core/system.hpp"
#include "soma/data/dataset.hpp"
#include "soma/data/loader.hpp"
#include "soma/data/scaler.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/loss.hpp"
#include "soma/optim/sgd.hpp"
#include "soma/plot/figure.hpp"
#include "soma/train/fit.hpp"
#include "soma/train/weight_recorder.hpp"

namespace soma::examples::neuron_multi {
namespace {

namespace plot = soma::plot;
namespace train = soma::train;
using soma::Tensor;
using soma::examples::BostonLike;

constexpr int64_t kFeatures = BostonLike::kFeatures;
constexpr int64_t kSnapshots[] = {10, 50, 98};  // save.iloc[10], [50], [98]

struct Split {
  std::vector<double> x_train, y_train, x_test, y_test;  // x row-major, 13 columns
};

// train_test_split(X, y, test_size=0.2) on the global stream: ShuffleSplit's
// rng.permutation(n), the first ceil(0.2 n) rows for test, the next n - ceil(0.2 n) for
// training, each in permutation order.
Split split_rows(const BostonLike& d, soma::NumpyRandomState& rs) {
  const int64_t n = BostonLike::kRows;
  const auto n_test = int64_t(std::ceil(0.2 * double(n)));
  const std::vector<int64_t> perm = rs.permutation(n);
  Split s;
  for (int64_t k = 0; k < n; ++k) {
    const auto r = size_t(perm[size_t(k)]);
    auto& x = k < n_test ? s.x_test : s.x_train;
    auto& y = k < n_test ? s.y_test : s.y_train;
    x.insert(x.end(), d.x.begin() + std::ptrdiff_t(r * kFeatures),
             d.x.begin() + std::ptrdiff_t((r + 1) * kFeatures));
    y.push_back(d.y[r]);
  }
  return s;
}

Tensor matrix(const std::vector<double>& x) {
  return soma::tensor(std::span<const double>(x), {int64_t(x.size()) / kFeatures, kFeatures});
}
Tensor column(const std::vector<double>& y) {
  return soma::tensor(std::span<const double>(y), {int64_t(y.size()), 1});
}

// The tutorial's mse_train (the n x n broadcast mean, <y^2> - 2<y><p> + <p^2>) and the
// true MSE of X w + b against y.
std::pair<double, double> mses(const std::vector<double>& x, const std::vector<double>& y,
                               const std::vector<double>& w, double b) {
  double se = 0, sy = 0, syy = 0, sp = 0, spp = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    double p = b;
    for (size_t j = 0; j < w.size(); ++j) p += x[i * w.size() + j] * w[j];
    se += (y[i] - p) * (y[i] - p);
    sy += y[i], syy += y[i] * y[i], sp += p, spp += p * p;
  }
  const double n = double(y.size());
  return {syy / n - 2 * (sy / n) * (sp / n) + spp / n, se / n};
}

struct NeuronRun {
  std::vector<double> start_w;
  double start_b = 0;
  soma::classic::NeuronHistory history;
  std::vector<double> mse_train;  // the tutorial's figure, before each step
  soma::nn::StateDict state;      // the trained weights
};

NeuronRun neuron_section(const Split& s, soma::NumpyRandomState& rs, int64_t epochs) {
  NeuronRun r;
  for (int64_t j = 0; j < kFeatures; ++j) r.start_w.push_back(rs.random_sample());
  r.start_b = rs.random_sample();
  soma::classic::Neuron neuron(r.start_w, r.start_b);
  r.history = neuron.fit(matrix(s.x_train), soma::tensor(std::span<const double>(s.y_train)),
                         {.learning_rate = 0.1, .epochs = epochs, .batch_size = 0});
  r.state = soma::examples::state_dict(neuron);
  std::vector<double> w = r.start_w;
  double b = r.start_b;
  for (size_t k = 0; k < r.history.weights_per_batch.size(); ++k) {
    r.mse_train.push_back(mses(s.x_train, s.y_train, w, b).first);
    w = r.history.weights_per_batch[k];
    b = r.history.bias_per_batch[k];
  }
  return r;
}

struct KerasRun {
  std::vector<double> start_kernel;
  std::vector<double> loss, val_loss;
  std::vector<std::vector<double>> kernel;  // after each epoch
  double final_bias = 0;
  double seconds = 0;
  soma::nn::StateDict state;  // the trained weights
};

KerasRun keras_section(const Split& s, uint32_t seed, int64_t epochs, const Options& opt,
                       const soma::cli::LiveBoard& live) {
  KerasRun k;
  soma::NumpyRandomState krs(seed);
  const double limit = std::sqrt(6.0 / double(kFeatures + 1));  // glorot_uniform, (13, 1)
  for (int64_t j = 0; j < kFeatures; ++j)
    k.start_kernel.push_back(-limit + (limit - -limit) * krs.random_sample());
  soma::Rng unused(seed);  // Linear draws a start; it is replaced at once
  soma::nn::Linear model(kFeatures, 1, true, unused, soma::kFloat64);
  {
    soma::NoGradGuard no_grad;
    model.weight.copy_(soma::tensor(std::span<const double>(k.start_kernel), {1, kFeatures}));
    model.bias.zero_();
  }
  soma::optim::SGD sgd(model.parameters(), {.lr = 0.02});
  const auto n_train = int64_t(s.y_train.size()), n_test = int64_t(s.y_test.size());
  soma::data::DataLoader train_loader(
      soma::data::TensorDataset(matrix(s.x_train), column(s.y_train)),
      {.batch_size = n_train, .shuffle = false});
  soma::data::DataLoader test_loader(soma::data::TensorDataset(matrix(s.x_test), column(s.y_test)),
                                     {.batch_size = n_test, .shuffle = false});
  auto recorder = std::make_shared<train::WeightRecorder>();
  std::vector<std::shared_ptr<train::Callback>> callbacks = {recorder};
  live.attach(callbacks);
  soma::Stopwatch watch;
  const train::History history =
      train::fit(model, sgd, train_loader, &test_loader,
                 {.epochs = epochs,
                  .loss = [](const Tensor& o, const Tensor& t) { return soma::mse_loss(o, t); },
                  .progress = !opt.common.json,
                  .label = "neuron-multi (Keras-style)"},
                 callbacks);
  k.seconds = watch.seconds();
  for (const auto& e : history.epochs)
    k.loss.push_back(e.train_loss), k.val_loss.push_back(e.valid_loss);
  k.kernel = recorder->values("weight");
  k.final_bias = model.bias.to_vector<double>()[0];
  k.state = model.state_dict();
  return k;
}

void save_plots(const std::filesystem::path& dir, const soma::classic::OlsResult& ols,
                const NeuronRun& nr, const KerasRun& kr) {
  std::filesystem::create_directories(dir);
  const auto& names = soma::examples::boston_feature_names();
  const std::vector<std::string> bar_names(names.begin(), names.end());
  plot::Figure fig({.rows = 2,
                    .cols = 3,
                    .width = 1650,
                    .height = 900,
                    .title = "Tutorial 001: 13 features, OLS vs one neuron vs Keras-style SGD"});
  // One line per weight over the epochs: the tutorial's save.plot() and df_weights.plot().
  auto weight_lines = [&](plot::Axes& ax, const std::vector<std::vector<double>>& path) {
    ax.xlabel = "epoch";
    ax.ylabel = "weight";
    ax.legend = false;
    for (int64_t j = 0; j < kFeatures; ++j) {
      std::vector<double> e, w;
      for (size_t k = 0; k < path.size(); ++k)
        e.push_back(double(k + 1)), w.push_back(path[k][size_t(j)]);
      ax.line(e, w, {.label = "weights_" + std::to_string(j)});
    }
  };
  auto& nw = fig.axes(0, 0);
  nw.title = "Neuron: weights per epoch (lr 0.1, full batch)";
  weight_lines(nw, nr.history.weights_per_batch);

  auto& nb = fig.axes(0, 1);
  nb.title = "OLS coefficients (red) and the neuron's weights";
  nb.ylabel = "coefficient";
  nb.bars(bar_names, ols.coef, {.label = "OLS", .color = "#d62728"});
  for (int64_t at : kSnapshots)
    if (size_t(at) < nr.history.weights_per_batch.size())
      nb.bars(bar_names, nr.history.weights_per_batch[size_t(at)],
              {.label = "at_" + std::to_string(at)});

  auto& nm = fig.axes(0, 2);
  nm.title = "Neuron: mse_train before each step";
  nm.xlabel = "epoch";
  nm.ylabel = "MSE";
  nm.ylog = true;
  std::vector<double> epochs, true_mse;
  for (size_t k = 0; k < nr.mse_train.size(); ++k)
    epochs.push_back(double(k + 1)), true_mse.push_back(nr.history.mse_per_batch[k]);
  nm.line(epochs, nr.mse_train, {.label = "the tutorial's (n x n broadcast)"});
  nm.line(epochs, true_mse, {.label = "true MSE"});

  auto& kl = fig.axes(1, 0);
  kl.title = "Keras-style: history (SGD lr 0.02, full batch)";
  kl.xlabel = "epoch";
  kl.ylabel = "MSE loss";
  kl.ylog = true;
  std::vector<double> ke;
  for (size_t k = 0; k < kr.loss.size(); ++k) ke.push_back(double(k + 1));
  kl.line(ke, kr.loss, {.label = "loss"});
  kl.line(ke, kr.val_loss, {.label = "val_loss"});

  auto& kw = fig.axes(1, 1);
  kw.title = "Keras-style: weights per epoch";
  weight_lines(kw, kr.kernel);

  auto& kb = fig.axes(1, 2);
  kb.title = "OLS coefficients (red) and Keras-style at_98";
  kb.ylabel = "coefficient";
  kb.bars(bar_names, ols.coef, {.label = "OLS", .color = "#d62728"});
  if (kr.kernel.size() > 98) kb.bars(bar_names, kr.kernel[98], {.label = "at_98"});
  fig.save(dir / "neuron_multi.png");
  soma::cli::wrote((dir / "neuron_multi.png").string());
}

std::string row(const std::vector<double>& v) {
  std::string s;
  char buf[32];
  for (double x : v) std::snprintf(buf, sizeof buf, " %8.4f", x), s += buf;
  return s;
}

}  // namespace

void run(const Options& opt, const soma::cli::LiveBoard& live) {
  const int64_t epochs = opt.common.epochs;  // range(1, 100): 99
  // The records keep 13 weights per epoch twice over: 10^5 epochs are 20 MB.
  if (epochs < 1 || epochs > 100000)
    throw soma::Error("--epochs " + std::to_string(epochs) + ": expected 1 to 100000");
  // NumPy's RandomState takes seeds below 2^32; seed + 1 seeds the Keras kernel.
  if (opt.common.seed > 0xfffffffeULL)
    throw soma::Error("--seed " + std::to_string(opt.common.seed) +
                      ": expected 0 to 4294967294 (a NumPy RandomState seed, and seed + 1)");
  const auto seed = uint32_t(opt.common.seed);
  soma::NumpyRandomState rs(seed);  // np.random.seed(seed)
  const BostonLike data = soma::examples::boston_like(rs);
  Split s = split_rows(data, rs);
  soma::data::StandardScaler scaler;
  scaler.fit(std::span<const double>(s.x_train), kFeatures).transform(s.x_train);
  scaler.transform(s.x_test);

  const auto ols =
      soma::classic::ols(matrix(s.x_train), soma::tensor(std::span<const double>(s.y_train)));
  soma::Stopwatch watch;
  const NeuronRun nr = neuron_section(s, rs, epochs);
  const double neuron_seconds = watch.seconds();
  const KerasRun kr = keras_section(s, seed + 1, epochs, opt, live);

  const auto& hw = nr.history.weights_per_batch;
  const double final_b = nr.history.bias_per_batch.back();
  const auto [tutorial_after, mse_after] = mses(s.x_train, s.y_train, hw.back(), final_b);
  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty()) {
    save_plots(opt.common.plot_dir, ols, nr, kr);
    figures.push_back((std::filesystem::path(opt.common.plot_dir) / "neuron_multi.png").string());
  }

  if (opt.common.json) {
    nlohmann::json j = {{"seed", opt.common.seed},
                        {"epochs", epochs},
                        {"train_rows", s.y_train.size()},
                        {"test_rows", s.y_test.size()},
                        {"x_train_first_row",
                         std::vector<double>(s.x_train.begin(), s.x_train.begin() + kFeatures)},
                        {"y_train_first", s.y_train.front()},
                        {"y_test_first", s.y_test.front()},
                        {"ols_coef", ols.coef},
                        {"ols_intercept", ols.intercept},
                        {"neuron_start_weights", nr.start_w},
                        {"neuron_start_bias", nr.start_b},
                        {"neuron_records", hw.size()},
                        {"neuron_final_bias", final_b},
                        {"neuron_first_mse_train", nr.mse_train.front()},
                        {"neuron_final_mse_train", nr.mse_train.back()},
                        {"neuron_mse_after", mse_after},
                        {"neuron_tutorial_mse_after", tutorial_after},
                        {"keras_start_kernel", kr.start_kernel},
                        {"keras_loss", kr.loss},
                        {"keras_val_loss", kr.val_loss},
                        {"keras_final_val_loss", kr.val_loss.back()},
                        {"keras_final_bias", kr.final_bias},
                        {"neuron_seconds", neuron_seconds},
                        {"keras_seconds", kr.seconds}};
    for (int64_t at : kSnapshots)
      if (size_t(at) < hw.size()) {
        j["neuron_at_" + std::to_string(at)] = hw[size_t(at)];
        if (size_t(at) < kr.kernel.size())
          j["keras_at_" + std::to_string(at)] = kr.kernel[size_t(at)];
      }
    j["weights_sha256"] = soma::nn::state_dict_sha256(
        soma::examples::combined({{"neuron", nr.state}, {"keras", kr.state}}));
    j["ranks"] = 1;  // float64 models; data-parallel training exchanges float32 gradients
    j["figures"] = figures;
    soma::cli::print_json(j);
    return;
  }
  std::printf(
      "Boston-shaped data (examples/boston_like.hpp), np.random.seed(%llu): %zu train / "
      "%zu test rows, 13 features scaled\n",
      (unsigned long long)opt.common.seed, s.y_train.size(), s.y_test.size());
  std::printf("%-22s", "");
  for (const auto& n : soma::examples::boston_feature_names()) std::printf(" %8s", n.c_str());
  std::printf("\n%-22s%s   intercept %.4f\n", "OLS coefficients", row(ols.coef).c_str(),
              ols.intercept);
  for (int64_t at : kSnapshots)
    if (size_t(at) < hw.size())
      std::printf("%-22s%s   bias %.4f\n", ("neuron at_" + std::to_string(at)).c_str(),
                  row(hw[size_t(at)]).c_str(), nr.history.bias_per_batch[size_t(at)]);
  if (kr.kernel.size() > 98)
    std::printf("%-22s%s\n", "Keras-style at_98", row(kr.kernel[98]).c_str());
  std::printf(
      "\nNeuron (lr 0.1, %lld epochs, 1 batch): mse_train %.6f -> %.6f (the tutorial's "
      "n x n mean), true MSE after %.6f\n",
      (long long)epochs, nr.mse_train.front(), nr.mse_train.back(), mse_after);
  std::printf("print(history.params): {'verbose': 0, 'epochs': %lld, 'steps': 1}\n",
              (long long)epochs);
  std::printf(
      "Keras-style (SGD lr 0.02, %lld epochs, batch %zu): loss %.6f -> %.6f, val_loss "
      "%.6f -> %.6f\n",
      (long long)epochs, s.y_train.size(), kr.loss.front(), kr.loss.back(), kr.val_loss.front(),
      kr.val_loss.back());
  std::printf(
      "[the tutorial, on Boston: OLS -0.7210 1.3291 0.1410 0.3190 -1.9611 2.3912 0.0284 "
      "-3.1028 2.2340 -1.5241 -1.9491 1.1857 -3.7979]\n");
  std::printf("training %.4f s (neuron), %.4f s (Keras-style)\n", neuron_seconds, kr.seconds);
}

}  // namespace soma::examples::neuron_multi

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example neuron-multi` has them as flags).
int main(int argc, char** argv) {
  soma::examples::neuron_multi::Options opt;
  return soma::cli::example_main(argc, argv, opt.common, [&] {
    soma::examples::neuron_multi::run(opt, soma::cli::LiveBoard{});
  });
}
#endif
