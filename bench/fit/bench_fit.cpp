// soma's side of bench/fit/run: times curve_fit on the tutorial's decay (1000
// points, tau 30, init 250, noise scale 50, p0 = (1, 1)) as a C++ callable with
// dual-number Jacobians and as the expression string "init*exp(-x/tau)", and
// least_squares on every NIST StRD problem and start (SciPy-default tolerances,
// no polish, as the comparison runs SciPy). Times are CPU time of this thread
// (the build machine is shared), median over repetitions. Writes the decay data
// to --data so that SciPy fits the very same numbers; prints one JSON object.
//
//   bench_fit --data /tmp/decay.csv [--nist ../shared/data/nist-strd] [--reps 15]
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "soma/core/atomic_file.hpp"
#include "soma/core/blas.hpp"
#include "soma/core/random.hpp"
#include "soma/fit/curve_fit.hpp"
#include "soma/fit/expression_model.hpp"
#include "soma/fit/nist.hpp"

namespace fit = soma::fit;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Median over `reps` of the CPU time per call, each repetition running `fn`
// enough times to take ~20 ms.
template <class Fn>
double median_seconds(int reps, Fn&& fn) {
  int inner = 1;
  for (;;) {
    const double t0 = cpu_seconds();
    for (int i = 0; i < inner; ++i) fn();
    if (cpu_seconds() - t0 > 0.02 || inner > (1 << 20)) break;
    inner *= 2;
  }
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const double t0 = cpu_seconds();
    for (int i = 0; i < inner; ++i) fn();
    t.push_back((cpu_seconds() - t0) / inner);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

struct Decay {
  template <class T>
  T operator()(double x, std::span<const T> p) const {
    using std::exp;
    return p[1] * exp(-x / p[0]);
  }
};

}  // namespace

int main(int argc, char** argv) {
  soma::blas::tune();  // as the CLI does: OpenBLAS on its best kernel table
  std::string data = "decay.csv", nist_dir;
  int reps = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--data"))
      data = argv[i + 1];
    else if (!std::strcmp(argv[i], "--nist"))
      nist_dir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--reps"))
      reps = std::atoi(argv[i + 1]);
  }
  soma::Rng rng(42);
  std::vector<double> x(1000), y;
  for (size_t i = 0; i < x.size(); ++i) x[i] = 100.0 * double(i) / double(x.size() - 1);
  for (double xi : x) y.push_back(250.0 * std::exp(-xi / 30.0) + rng.normal(0.0, 50.0));
  std::string csv = "x,y\n";
  char line[96];
  for (size_t i = 0; i < x.size(); ++i) {
    std::snprintf(line, sizeof line, "%.17g,%.17g\n", x[i], y[i]);
    csv += line;
  }
  soma::write_file_atomic(data, csv);

  const std::vector<double> p0{1.0, 1.0};
  const auto r = fit::curve_fit(Decay{}, x, y, p0);
  const double t_callable = median_seconds(reps, [&] { (void)fit::curve_fit(Decay{}, x, y, p0); });
  const fit::ExpressionModel model("init*exp(-x/tau)", {"tau", "init"});
  const double t_expr = median_seconds(reps, [&] { (void)fit::curve_fit(model, x, y, p0); });

  std::printf(
      "{\"decay\": {\"popt\": [%.12g, %.12g], \"nfev\": %d, \"converged\": %s, "
      "\"seconds_callable\": %.6g, \"seconds_expression\": %.6g}",
      r.popt[0], r.popt[1], r.nfev, r.converged ? "true" : "false", t_callable, t_expr);
  std::printf(", \"nist\": {");
  bool first = true;
  if (!nist_dir.empty() && std::filesystem::exists(nist_dir)) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(nist_dir))
      if (e.path().extension() == ".dat") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      const fit::NistProblem prob = fit::read_nist(f.string());
      for (int start = 1; start <= 2; ++start) {
        const fit::Options o;  // SciPy's defaults: ftol = xtol = 1.49e-8, 100*(n+1) evaluations
        const fit::Result res = fit::nist::solve(prob, start, o);
        const double t = median_seconds(reps, [&] { (void)fit::nist::solve(prob, start, o); });
        std::printf("%s\"%s/%d\": {\"seconds\": %.6g, \"nfev\": %d, \"converged\": %s}",
                    first ? "" : ", ", prob.name.c_str(), start, t, res.nfev,
                    res.converged ? "true" : "false");
        first = false;
      }
    }
  }
  std::printf("}}\n");
  return 0;
}
