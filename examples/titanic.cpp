// Tutorial 000's Titanic network, end to end on Kaggle's files, step by step as the
// tutorial's final ("start from scratch") code does them:
//  - Age and Fare: missing values get train.csv's median, in both files;
//  - the cabin's first letter as "Cabin Letter" (missing stays missing); Name, Ticket
//    and Cabin dropped;
//  - dummies with a NaN column of Pclass, Sex, Embarked, Cabin Letter and SibSp (the
//    tutorial's categorical_cols; Age, Parch and Fare stay numbers): 31 features. The
//    categories come from train.csv, so test.csv gets the same columns in the same
//    order. (The tutorial makes test's dummies separately and appends the one it lacks,
//    "Cabin Letter_T", as the last column, after SibSp_nan, so its test matrix does not
//    line up with the training one; soma keeps them aligned, as the text intends.)
//  - balancing: every survivor and as many non-survivors drawn at random (342 + 342);
//  - StandardScaler fitted on all 891 rows of train.csv's dummies (the tutorial's
//    scaler.fit(train_dummies.iloc[:,1:])), applied to the balanced rows and to test;
//  - train_test_split(test_size=0.1): 615 training and 69 validation rows, and the 615
//    reshaped into 41 mini-batches of 15 in that fixed order, every epoch. The text says
//    "547 training and 137 validation samples", which is test_size=0.2 and 547 rows do
//    not reshape into 41 equal batches: --valid-size 0.2 gives that variant, cut into 41
//    batches as np.array_split would (14 or 13 rows);
//  - 31 -> 50 -> 1, ReLU then Sigmoid, binary cross-entropy, 2000 epochs; after every
//    epoch the loss on all training rows and on all validation rows;
//  - Adam "with L2 regularization (weight_decay)": the tutorial names the optimiser and
//    the weight decay but its code never shows the line, so neither value is known. soma
//    uses lr 1e-4 and weight decay 1e-2 (--lr, --weight-decay), chosen on the 5-fold CV
//    accuracy (seed 42, 2000 epochs): lr 1e-3 overfits (validation loss past 1 after ~100
//    epochs), 1e-4 with decay 1e-2 gives CV ~0.78;
//  - the printed training loop never calls optimizer.zero_grad(), so PyTorch adds every
//    step's gradient to all earlier ones. The text describes ordinary steps ("calculates
//    the gradient of the loss"), which is soma's default; --accumulate-grad runs the
//    loop as printed;
//  - three Kaggle submissions, as the tutorial uploads: the untrained network (its
//    n_epochs = 0; Kaggle scored 0.39952), after 200 epochs (0.70095) and after 2000
//    (0.74162). soma cannot score them (test.csv has no labels): -o DIR writes them.
// The tutorial seeds nothing; soma draws the balancing, split and weights from --seed.
//
// Under `mpirun -np K` the training (the main run and every cross-validation fold) is
// data-parallel (soma::dist::DataParallel): each rank runs forward and backward on its
// shards of every mini-batch, and the batch's gradient is the sum of the --shards parts in
// shard order, so `mpirun -np 2` ends with the weights of one rank with --shards 2, bit for
// bit. --accumulate-grad adds each step's combined gradient to the sum of the earlier
// ones, as the printed loop's backward() does on one process. Rank 0 alone prints and
// writes the submissions and figures.
// --live shows the main run's loss per step and per epoch (training and validation) on
// the dashboard's training view; the cross-validation folds train without it.
//
//   soma example titanic [--data DIR] [-o DIR] [--cv K] [--json] [--seed N]
//                        [--epochs N] [--valid-size X] [--accumulate-grad] [--plot DIR]
//                        [--shards N] [--live [--port N] [--live-hold S]]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/system.hpp"
#include "soma/data/csv.hpp"
#include "soma/data/encode.hpp"
#include "soma/data/scaler.hpp"
#include "soma/data/split.hpp"
#include "soma/dist/context.hpp"
#include "soma/dist/data_parallel.hpp"
#include "soma/dist/sampler.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/optim/adam.hpp"
#include "soma/plot/figure.hpp"
#include "soma/train/metrics.hpp"
#include "titanic.hpp"

namespace soma::examples::titanic {
namespace {

namespace nn = soma::nn;
namespace data = soma::data;
namespace train = soma::train;
namespace fs = std::filesystem;
using soma::Tensor;

constexpr int64_t kBatches = 41;        // the tutorial's n_batches
constexpr int64_t kMiddleEpochs = 200;  // its second submission

fs::path find_data(const std::string& given) {
  if (!given.empty()) return given;
  std::vector<fs::path> candidates;
#ifdef SOMA_SHARED_DATA
  candidates.push_back(fs::path(SOMA_SHARED_DATA) / "titanic");
#endif
  candidates.push_back("titanic");
  candidates.push_back(".");
  for (const auto& c : candidates)
    if (fs::exists(c / "train.csv") && fs::exists(c / "test.csv")) return c;
  throw soma::Error(
      "titanic: no train.csv and test.csv found (looked in the shared data directory, "
      "./titanic and .); pass --data DIR holding Kaggle's Titanic files");
}

struct Prepared {
  data::DataFrame train, test;  // test keeps no label; rows in the file's order
  std::vector<double> passenger_ids;
  std::vector<std::string> features;
  double age_median = 0, fare_median = 0;
};

Prepared prepare(const fs::path& dir) {
  Prepared p;
  const data::CsvOptions numeric = {.numeric = {"Age", "Fare", "SibSp", "Parch", "Pclass"}};
  p.train = data::read_csv(dir / "train.csv", numeric);
  p.test = data::read_csv(dir / "test.csv", numeric);
  for (const char* c : {"PassengerId", "Survived"})
    if (!p.train.contains(c)) throw soma::Error((dir / "train.csv").string() + ": no column " + c);
  if (!p.test.contains("PassengerId"))
    throw soma::Error((dir / "test.csv").string() + ": no column PassengerId");
  p.passenger_ids = p.test["PassengerId"].values();

  p.age_median = p.train["Age"].median();
  p.fare_median = p.train["Fare"].median();
  for (data::DataFrame* df : {&p.train, &p.test}) {
    df->fillna("Age", p.age_median).fillna("Fare", p.fare_median);
    df->str_slice("Cabin", 0, 1, "Cabin Letter");  // no cabin stays NaN
    df->drop({"PassengerId", "Name", "Ticket", "Cabin"});
  }
  data::DummyEncoder enc({"Pclass", "Sex", "Embarked", "Cabin Letter", "SibSp"},
                         {.dummy_na = true});
  enc.fit(p.train);
  p.train = enc.transform(p.train);
  p.test = enc.transform(p.test);
  p.features = {"Age", "Parch", "Fare"};  // train_dummies' order: the numbers, then dummies
  for (const auto& f : enc.feature_names()) p.features.push_back(f);
  return p;
}

// np.array_split(rows, k): the first rows % k parts one row longer.
std::vector<std::pair<int64_t, int64_t>> array_split(int64_t rows, int64_t k) {
  std::vector<std::pair<int64_t, int64_t>> parts;
  int64_t start = 0;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t len = rows / k + (i < rows % k ? 1 : 0);
    parts.push_back({start, len});
    start += len;
  }
  return parts;
}

struct Trained {
  std::shared_ptr<nn::Sequential> model;
  std::vector<double> train_loss, valid_loss;    // per epoch, on all rows
  std::vector<int64_t> untrained, after_middle;  // test predictions at 0 and 200 epochs
  double valid_accuracy = 0;
  Tensor valid_predicted, valid_actual;
};

Tensor predict(nn::Sequential& model, const Tensor& x) {
  soma::NoGradGuard no_grad;
  return train::predicted_labels(model(x));
}

// The tutorial's training loop on standardised rows; `x_test` gets the snapshots.
// `live` shows it on the dashboard (the default: none); `bar` on rank 0 only.
Trained train_one(const Tensor& x_tr, const Tensor& y_tr, const Tensor& x_va, const Tensor& y_va,
                  const Tensor& x_test, const Options& opt, int64_t epochs, uint64_t seed,
                  const std::string& label, const soma::dist::Context& ctx,
                  const soma::cli::LiveBoard& live = {}) {
  Trained t;
  soma::Rng init_rng(seed);
  t.model =
      std::make_shared<nn::Sequential>(nn::Linear(x_tr.size(1), 50, true, init_rng), nn::ReLU(),
                                       nn::Linear(50, 1, true, init_rng), nn::Sigmoid());
  auto& model = *t.model;
  soma::optim::Adam adam(model.parameters(), {.lr = opt.lr, .weight_decay = opt.weight_decay});
  std::vector<Tensor> bx, by;
  for (const auto& [start, len] : array_split(x_tr.size(0), kBatches)) {
    bx.push_back(x_tr.slice(0, start, start + len));
    by.push_back(y_tr.slice(0, start, start + len));
  }
  if (x_test.defined()) t.untrained = predict(model, x_test).to_vector<int64_t>();
  soma::ProgressBar bar(epochs, label, ctx.rank() == 0 && !opt.common.json);
  soma::cli::LiveLoop feed(live, epochs, int64_t(bx.size()));
  feed.begin();
  // Every rank runs its shards of each mini-batch; step() sets every grad() to the
  // batch's gradient (with one shard, the whole batch's backward() itself).
  const std::vector<Tensor> params = model.parameters();
  soma::dist::DataParallel dp(ctx, params, {.shards = opt.shards});
  std::vector<Tensor> summed(params.size());  // --accumulate-grad: every step's gradient
  for (int64_t e = 0; e < epochs; ++e) {
    for (size_t b = 0; b < bx.size(); ++b) {
      const double loss = dp.step(bx[b].size(0), [&](int64_t lo, int64_t hi) {
        return soma::bce_loss(model(bx[b].slice(0, lo, hi)).flatten(), by[b].slice(0, lo, hi));
      });
      if (opt.accumulate)  // the printed loop never calls zero_grad(): backward() adds
        for (size_t i = 0; i < params.size(); ++i) {
          summed[i] = summed[i].defined() ? summed[i] + params[i].grad() : params[i].grad();
          params[i].set_grad(summed[i]);
        }
      adam.step();
      feed.batch(e + 1, int64_t(b) + 1, loss);
    }
    soma::NoGradGuard no_grad;
    t.train_loss.push_back(soma::bce_loss(model(x_tr).flatten(), y_tr).item<double>());
    t.valid_loss.push_back(soma::bce_loss(model(x_va).flatten(), y_va).item<double>());
    feed.epoch(e + 1, t.train_loss.back(), t.valid_loss.back());
    if (e + 1 == kMiddleEpochs && x_test.defined())
      t.after_middle = predict(model, x_test).to_vector<int64_t>();
    bar.advance();
  }
  feed.end();
  bar.finish();
  t.valid_predicted = predict(model, x_va);
  t.valid_actual = y_va.to(soma::kInt64);
  t.valid_accuracy = train::accuracy(t.valid_predicted, t.valid_actual);
  return t;
}

// Returns the figure written.
std::string plot_figures(const Trained& t, const fs::path& dir) {
  namespace plot = soma::plot;
  fs::create_directories(dir);
  plot::Figure fig({.rows = 1, .cols = 2, .width = 1000, .height = 400});
  auto& loss = fig.axes(0, 0);
  loss.title = "Loss after each epoch";
  loss.ylabel = "BCE Loss";
  loss.xlabel = "Epoch";
  std::vector<double> ep;
  for (size_t e = 0; e < t.train_loss.size(); ++e) ep.push_back(double(e));
  loss.line(ep, t.train_loss, {.label = "Training Loss"});
  loss.line(ep, t.valid_loss, {.label = "Validation Loss"});
  auto& cm = fig.axes(0, 1);
  cm.title = "Validation confusion matrix (rows: actual)";
  cm.xlabel = "predicted";
  cm.ylabel = "actual";
  const Tensor m = train::confusion_matrix(t.valid_predicted, t.valid_actual, 2);
  cm.heatmap(m.to_vector<double>(), 2, 2,
             {.x_labels = {"died", "lived"}, .y_labels = {"died", "lived"}, .annotate = true});
  fig.save(dir / "titanic.png");
  return (dir / "titanic.png").string();
}

// Kaggle's format: PassengerId,Survived with 0/1, one row per test passenger, written to
// `dir`/`name` unless `dir` is empty (no --output). Returns the survivors.
int64_t write_submission(const std::string& dir, const std::string& name,
                         const std::vector<double>& ids, const std::vector<int64_t>& labels) {
  std::string csv = "PassengerId,Survived\n";
  int64_t survivors = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    csv += data::format_number(ids[i], true) + "," + std::to_string(labels[i]) + "\n";
    survivors += labels[i];
  }
  if (!dir.empty()) {
    const fs::path path = fs::path(dir) / name;
    soma::write_file_atomic(path, csv);
    soma::cli::wrote(path.string());
  }
  return survivors;
}

void run_rank(const Options& opt, const soma::cli::LiveBoard& live,
              const soma::dist::Context& ctx) {
  const int64_t epochs = opt.common.epochs;
  soma::dist::shards_for_ranks(opt.shards, ctx.size());  // checked before any data is read
  const bool writer = ctx.rank() == 0;  // under mpirun rank 0 alone prints and writes
  if (opt.cv == 1 || opt.cv < 0)
    throw soma::Error("--cv " + std::to_string(opt.cv) + ": expected 0 (none) or at least 2 folds");
  if (!(opt.valid_size > 0.0 && opt.valid_size < 1.0))
    throw soma::Error("--valid-size " + std::to_string(opt.valid_size) + ": expected in (0, 1)");
  const fs::path dir = find_data(opt.data_dir);
  Prepared p = prepare(dir);

  data::StandardScaler scaler;
  scaler.fit(p.train, p.features);  // all 891 rows, before balancing
  data::DataFrame balanced = data::undersample(p.train, "Survived", opt.common.seed);
  scaler.transform(balanced);
  scaler.transform(p.test);
  const auto split = data::train_test_split(balanced.rows(),
                                            {.test_size = opt.valid_size, .seed = opt.common.seed});
  const data::DataFrame tr = balanced.take(split.train), va = balanced.take(split.test);
  auto xy = [&](const data::DataFrame& df) {
    return std::pair{df.to_tensor(p.features), df.to_tensor({"Survived"}).flatten()};
  };
  const auto [x_tr, y_tr] = xy(tr);
  const auto [x_va, y_va] = xy(va);
  const Tensor x_test = p.test.to_tensor(p.features);

  soma::Stopwatch watch;
  const soma::cli::LiveBoard nowhere;  // the other ranks report nowhere
  Trained t = train_one(x_tr, y_tr, x_va, y_va, x_test, opt, epochs, opt.common.seed, "titanic",
                        ctx, writer ? live : nowhere);
  const double train_seconds = watch.seconds();

  // The other ranks count the submissions but write nothing.
  const std::string out_dir = writer ? opt.out_dir : std::string();
  if (!out_dir.empty()) fs::create_directories(out_dir);
  const fs::path out(opt.out_dir);
  const int64_t survivors_untrained = write_submission(
      out_dir, "prediction_submission_untrained.csv", p.passenger_ids, t.untrained);
  int64_t survivors_middle = -1;
  if (!t.after_middle.empty())
    survivors_middle =
        write_submission(out_dir, "prediction_submission_200.csv", p.passenger_ids, t.after_middle);
  const fs::path submission = out / "prediction_submission.csv";
  const int64_t survivors = write_submission(out_dir, "prediction_submission.csv", p.passenger_ids,
                                             predict(*t.model, x_test).to_vector<int64_t>());
  // Where a submission went, or "not written" without --output.
  auto where = [&](const char* name) {
    return opt.out_dir.empty() ? std::string("not written (no --output)") : (out / name).string();
  };

  // Cross-validation (the tutorial's "where to go from here"): each fold trains anew.
  std::vector<double> fold_accuracy;
  double cv_accuracy = NAN;
  if (opt.cv >= 2) {
    const auto folds =
        data::KFold{.n_splits = opt.cv, .shuffle = true, .seed = opt.common.seed}.split(
            balanced.rows());
    double sum = 0;
    for (size_t k = 0; k < folds.size(); ++k) {
      const auto [fx, fy] = xy(balanced.take(folds[k].train));
      const auto [vx, vy] = xy(balanced.take(folds[k].test));
      Trained f = train_one(fx, fy, vx, vy, Tensor(), opt, epochs, opt.common.seed + k + 1,
                            "fold " + std::to_string(k + 1), ctx);
      fold_accuracy.push_back(f.valid_accuracy);
      sum += f.valid_accuracy;
    }
    cv_accuracy = sum / double(folds.size());
  }

  if (!writer) return;
  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty()) figures.push_back(plot_figures(t, opt.common.plot_dir));
  for (const auto& f : figures) soma::cli::wrote(f);

  const auto batches = array_split(tr.rows(), kBatches);
  const double final_train = t.train_loss.empty() ? NAN : t.train_loss.back();
  const double final_valid = t.valid_loss.empty() ? NAN : t.valid_loss.back();
  auto number = [](double v) {
    return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
  };
  if (opt.common.json) {
    soma::cli::print_json(
        {{"epochs", epochs},
         {"batches_per_epoch", kBatches},
         {"batch_rows", {batches.back().second, batches.front().second}},
         {"features", p.features.size()},
         {"balanced_rows", balanced.rows()},
         {"train_rows", tr.rows()},
         {"valid_rows", va.rows()},
         {"accumulate_grad", opt.accumulate},
         {"final_train_loss", number(final_train)},
         {"final_valid_loss", number(final_valid)},
         {"valid_accuracy", t.valid_accuracy},
         {"cv_accuracy", number(cv_accuracy)},
         {"cv_fold_accuracy", fold_accuracy},
         {"test_predicted_survivors", survivors},
         {"test_predicted_survivors_untrained", survivors_untrained},
         {"test_predicted_survivors_200",
          survivors_middle >= 0 ? nlohmann::json(survivors_middle) : nlohmann::json(nullptr)},
         {"submission",
          opt.out_dir.empty() ? nlohmann::json(nullptr) : nlohmann::json(submission.string())},
         {"train_seconds", train_seconds},
         {"weights_sha256", nn::state_dict_sha256(*t.model)},  // the model the test set got
         {"ranks", ctx.size()},
         {"shards", opt.shards == 0 ? int64_t{ctx.size()} : opt.shards},
         {"figures", figures}});
    return;
  }
  std::printf("Titanic: %s\n", dir.string().c_str());
  std::printf("  %zu features; medians from train: age %.1f, fare %.4f\n", p.features.size(),
              p.age_median, p.fare_median);
  std::printf("  balanced %lld rows -> train %lld, validation %lld; %lld batches of %lld-%lld\n",
              (long long)balanced.rows(), (long long)tr.rows(), (long long)va.rows(),
              (long long)kBatches, (long long)batches.back().second,
              (long long)batches.front().second);
  std::printf("  31-50-1 ReLU/Sigmoid, BCE, Adam lr %g weight decay %g, %lld epochs%s\n\n", opt.lr,
              opt.weight_decay, (long long)epochs,
              opt.accumulate ? ", gradients accumulated (no zero_grad, as printed)" : "");
  if (!t.train_loss.empty()) {
    std::printf("  epoch  train loss  valid loss\n");
    const size_t n = t.train_loss.size();
    for (size_t i = 0; i < n; i += std::max<size_t>(1, n / 10))
      std::printf("  %5zu  %10.5f  %10.5f\n", i + 1, t.train_loss[i], t.valid_loss[i]);
    std::printf("  %5zu  %10.5f  %10.5f\n\n", n, final_train, final_valid);
  }
  std::printf("validation accuracy  %.4f\n", t.valid_accuracy);
  std::printf("%s\n",
              train::format_confusion_matrix(
                  train::confusion_matrix(t.valid_predicted, t.valid_actual, 2), {"died", "lived"})
                  .c_str());
  if (!fold_accuracy.empty()) {
    std::printf("%lld-fold cross-validated accuracy %.4f (folds:", (long long)opt.cv, cv_accuracy);
    for (double a : fold_accuracy) std::printf(" %.3f", a);
    std::printf(")\n");
  }
  std::printf(
      "test predictions of %zu passengers (Kaggle scored the tutorial's 0.39952, 0.70095, "
      "0.74162):\n",
      p.passenger_ids.size());
  std::printf("  untrained:   %3lld survive -> %s\n", (long long)survivors_untrained,
              where("prediction_submission_untrained.csv").c_str());
  if (survivors_middle >= 0)
    std::printf("  %lld epochs:  %3lld survive -> %s\n", (long long)kMiddleEpochs,
                (long long)survivors_middle, where("prediction_submission_200.csv").c_str());
  std::printf("  %lld epochs: %3lld survive -> %s\n", (long long)epochs, (long long)survivors,
              where("prediction_submission.csv").c_str());
  std::printf("training took %.2f s\n", train_seconds);
}

}  // namespace

// Under mpirun an error on any rank ends the whole job (dist::run_on_ranks).
void run(const Options& opt, const soma::cli::LiveBoard& live) {
  soma::dist::run_on_ranks([&](const soma::dist::Context& c) { run_rank(opt, live, c); });
}

}  // namespace soma::examples::titanic

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example titanic` has them as flags).
int main(int argc, char** argv) {
  soma::examples::titanic::Options opt;
  return soma::cli::example_main(
      argc, argv, opt.common, [&] { soma::examples::titanic::run(opt, soma::cli::LiveBoard{}); });
}
#endif
