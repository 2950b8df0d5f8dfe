// Tiny-network training loops in soma, timed on synthetic data that it also writes to
// CSV so that bench/nn/torch_nn.py trains PyTorch on exactly the same numbers:
//   titanic     533 x 31 inputs, 0/1 labels; 31-50-1 ReLU/Sigmoid, BCE, Adam (wd 1e-4),
//               batches of 13 (41 per epoch), 2000 epochs
//   dragons     800 x 2 inputs, 3 classes; 2-10-20-1000-3 ReLU, cross-entropy,
//               Adam lr 2e-4, one sample per step, 25 epochs
//   regression  1400 x 1 inputs; 1-3-2-1 PReLU, MSE, SGD lr 0.05, batch 100, 500 epochs
// Each loop is the examples' loop without validation: shuffled batches, forward, loss,
// zero_grad, backward, step. Prints one JSON object: median seconds per workload, in
// process CPU time (CLOCK_PROCESS_CPUTIME_ID; torch_nn.py uses time.process_time): the
// bench machine is shared, and CPU time is what load distorts least. With one thread it
// equals wall time on an idle machine.
//
//   bench_nn --dir DIR [--reps 3] [--scale 1.0] [--only NAME]
// (scale multiplies the epochs; --only runs one workload, for profiling, and reports 0
// for the others)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "soma/core/atomic_file.hpp"
#include "soma/core/blas.hpp"
#include "soma/core/random.hpp"
#include "soma/core/threads.hpp"
#include "soma/data/dataset.hpp"
#include "soma/data/loader.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/optim/adam.hpp"
#include "soma/optim/sgd.hpp"

using namespace soma;
namespace fs = std::filesystem;

namespace {

struct Table {
  int64_t rows = 0, cols = 0;
  std::vector<float> x;
  std::vector<float> y;
};

// Writes x columns then y as CSV (no header); floats printed exactly (%.9g round-trips).
void write_csv(const Table& t, const fs::path& path) {
  std::string out;
  char buf[32];
  for (int64_t r = 0; r < t.rows; ++r) {
    for (int64_t c = 0; c < t.cols; ++c) {
      std::snprintf(buf, sizeof buf, "%.9g,", double(t.x[size_t(r * t.cols + c)]));
      out += buf;
    }
    std::snprintf(buf, sizeof buf, "%.9g\n", double(t.y[size_t(r)]));
    out += buf;
  }
  write_file_atomic(path, out);
}

Table titanic_data() {
  Rng rng(1);
  Table t{533, 31, {}, {}};
  std::vector<double> w(31);
  for (auto& v : w) v = rng.normal();
  for (int64_t r = 0; r < t.rows; ++r) {
    double s = 0;
    for (int64_t c = 0; c < t.cols; ++c) {
      const double v = rng.normal();
      t.x.push_back(float(v));
      s += w[size_t(c)] * v;
    }
    t.y.push_back(s + rng.normal() > 0 ? 1.f : 0.f);
  }
  return t;
}

Table dragons_data() {
  Rng rng(2);
  Table t{800, 2, {}, {}};
  for (int64_t r = 0; r < t.rows; ++r) {
    const double a = rng.normal(), b = rng.normal();
    t.x.push_back(float(a));
    t.x.push_back(float(b));
    t.y.push_back(a + b > 0.5 ? 2.f : (a - b > 0 ? 1.f : 0.f));
  }
  return t;
}

Table regression_data() {
  Rng rng(3);
  Table t{1400, 1, {}, {}};
  for (int64_t r = 0; r < t.rows; ++r) {
    const double x = rng.uniform(-1.7, 1.7);
    t.x.push_back(float(x));
    t.y.push_back(float(x * x - 0.5 * x + 0.3 * rng.normal()));
  }
  return t;
}

// Seconds of CPU time this process has used (all threads).
class CpuWatch {
 public:
  CpuWatch() : start_(now()) {}
  double seconds() const { return now() - start_; }

 private:
  static double now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
  }
  double start_;
};

Tensor x_tensor(const Table& t) { return tensor(std::span<const float>(t.x), {t.rows, t.cols}); }

double titanic(const Table& t, int64_t epochs) {
  Rng init(7);
  nn::Sequential model(nn::Linear(31, 50, true, init), nn::ReLU(), nn::Linear(50, 1, true, init),
                       nn::Sigmoid());
  optim::Adam adam(model.parameters(), {.lr = 1e-3, .weight_decay = 1e-4});
  data::DataLoader loader(
      data::TensorDataset(x_tensor(t), tensor(std::span<const float>(t.y), {t.rows, 1})),
      {.batch_size = 13, .shuffle = true, .seed = 7});
  CpuWatch watch;
  for (int64_t e = 0; e < epochs; ++e)
    for (auto& [x, y] : loader) {
      Tensor loss = bce_loss(model(x), y);
      adam.zero_grad();
      loss.backward();
      adam.step();
    }
  return watch.seconds();
}

double dragons(const Table& t, int64_t epochs) {
  Rng init(7);
  nn::Sequential model(nn::Linear(2, 10, true, init), nn::ReLU(), nn::Linear(10, 20, true, init),
                       nn::ReLU(), nn::Linear(20, 1000, true, init), nn::ReLU(),
                       nn::Linear(1000, 3, true, init));
  optim::Adam adam(model.parameters(), {.lr = 2e-4});
  std::vector<int64_t> labels(t.y.begin(), t.y.end());
  data::DataLoader loader(
      data::TensorDataset(x_tensor(t), tensor(std::span<const int64_t>(labels))),
      {.batch_size = 1, .shuffle = true, .seed = 7});
  CpuWatch watch;
  for (int64_t e = 0; e < epochs; ++e)
    for (auto& [x, y] : loader) {
      Tensor loss = cross_entropy(model(x), y);
      adam.zero_grad();
      loss.backward();
      adam.step();
    }
  return watch.seconds();
}

double regression(const Table& t, int64_t epochs) {
  Rng init(7);
  nn::Sequential model(nn::Linear(1, 3, true, init), nn::PReLU(), nn::Linear(3, 2, true, init),
                       nn::PReLU(), nn::Linear(2, 1, true, init));
  optim::SGD sgd(model.parameters(), {.lr = 0.05});
  data::DataLoader loader(
      data::TensorDataset(x_tensor(t), tensor(std::span<const float>(t.y), {t.rows, 1})),
      {.batch_size = 100, .shuffle = true, .seed = 7});
  CpuWatch watch;
  for (int64_t e = 0; e < epochs; ++e)
    for (auto& [x, y] : loader) {
      Tensor loss = mse_loss(model(x), y);
      sgd.zero_grad();
      loss.backward();
      sgd.step();
    }
  return watch.seconds();
}

double median_of(int reps, const std::function<double()>& f) {
  std::vector<double> s;
  for (int i = 0; i < reps; ++i) s.push_back(f());
  std::sort(s.begin(), s.end());
  return s[s.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  soma::blas::tune();  // as the CLI does: OpenBLAS on its best kernel table
  fs::path dir;
  int reps = 3;
  double scale = 1.0;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--dir"))
      dir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--reps"))
      reps = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--scale"))
      scale = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--only"))
      only = argv[i + 1];
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: bench_nn --dir DIR [--reps N] [--scale S]\n");
    return 2;
  }
  set_num_threads(1);  // one thread, as the torch side
  const Table ti = titanic_data(), dr = dragons_data(), re = regression_data();
  write_csv(ti, dir / "titanic.csv");
  write_csv(dr, dir / "dragons.csv");
  write_csv(re, dir / "regression.csv");
  auto ep = [scale](int64_t e) {
    return std::max<int64_t>(1, int64_t(std::llround(double(e) * scale)));
  };
  const int64_t e_ti = ep(2000), e_dr = ep(25), e_re = ep(500);
  auto want = [&only](const char* name) { return only.empty() || only == name; };
  const double s_ti = want("titanic") ? median_of(reps, [&] { return titanic(ti, e_ti); }) : 0;
  const double s_dr = want("dragons") ? median_of(reps, [&] { return dragons(dr, e_dr); }) : 0;
  const double s_re =
      want("regression") ? median_of(reps, [&] { return regression(re, e_re); }) : 0;
  std::printf(
      "{\"titanic\": {\"epochs\": %lld, \"seconds\": %.6f}, \"dragons\": {\"epochs\": %lld, "
      "\"seconds\": %.6f}, \"regression\": {\"epochs\": %lld, \"seconds\": %.6f}}\n",
      (long long)e_ti, s_ti, (long long)e_dr, s_dr, (long long)e_re, s_re);
  return 0;
}
