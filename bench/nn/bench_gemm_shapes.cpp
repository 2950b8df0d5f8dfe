// CPU time per call of soma::gemm on the layer shapes of bench_nn's three networks
// (forward x @ W^T, input gradient g @ W, weight gradient g^T @ x), to see which
// product path each shape takes and what it costs:
//
//   bench_gemm_shapes        (one line per shape: microseconds per call)
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <vector>

#include "soma/core/blas.hpp"
#include "tensor/gemm.hpp"

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

struct Shape {
  bool ta, tb;
  int64_t m, n, k;
  const char* what;
};

}  // namespace

int main() {
  soma::blas::tune();  // as the CLI does: OpenBLAS on its best kernel table
  const Shape shapes[] = {
      {false, true, 1, 10, 2, "dragons fwd 2->10"},
      {false, true, 1, 20, 10, "dragons fwd 10->20"},
      {false, true, 1, 1000, 20, "dragons fwd 20->1000"},
      {false, true, 1, 3, 1000, "dragons fwd 1000->3"},
      {false, false, 1, 1000, 3, "dragons dx 3->1000"},
      {false, false, 1, 20, 1000, "dragons dx 1000->20"},
      {false, false, 1, 10, 20, "dragons dx 20->10"},
      {true, false, 3, 1000, 1, "dragons dW 1000->3"},
      {true, false, 1000, 20, 1, "dragons dW 20->1000"},
      {true, false, 20, 10, 1, "dragons dW 10->20"},
      {true, false, 10, 2, 1, "dragons dW 2->10"},
      {false, true, 13, 50, 31, "titanic fwd 31->50"},
      {false, true, 13, 1, 50, "titanic fwd 50->1"},
      {false, false, 13, 50, 1, "titanic dx 1->50"},
      {true, false, 50, 31, 13, "titanic dW 31->50"},
      {true, false, 1, 50, 13, "titanic dW 50->1"},
      {false, true, 100, 3, 1, "regression fwd 1->3"},
      {false, true, 100, 2, 3, "regression fwd 3->2"},
      {false, true, 100, 1, 2, "regression fwd 2->1"},
      {false, false, 100, 3, 2, "regression dx 2->3"},
      {false, false, 100, 2, 1, "regression dx 1->2"},
      {true, false, 3, 1, 100, "regression dW 1->3"},
      {true, false, 2, 3, 100, "regression dW 3->2"},
      {true, false, 1, 2, 100, "regression dW 2->1"},
  };
  float sink = 0;
  for (const Shape& s : shapes) {
    // A is stored m×k (k×m transposed), B k×n (n×k transposed), both dense.
    std::vector<float> a(static_cast<size_t>(s.m * s.k)), b(static_cast<size_t>(s.k * s.n)),
        c(static_cast<size_t>(s.m * s.n));
    for (size_t i = 0; i < a.size(); ++i) a[i] = float(i % 7) * 0.1f;
    for (size_t i = 0; i < b.size(); ++i) b[i] = float(i % 5) * 0.1f;
    const int64_t lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n;
    const int64_t reps = 20000000 / (s.m * s.n * s.k + 200);
    const double t0 = cpu_seconds();
    for (int64_t r = 0; r < reps; ++r) {
      soma::gemm(s.ta, s.tb, s.m, s.n, s.k, 1.f, a.data(), lda, b.data(), ldb, 0.f, c.data(), s.n);
      sink += c[0];
    }
    const double us = (cpu_seconds() - t0) / double(reps) * 1e6;
    std::printf("%-22s %c%c m=%5lld n=%5lld k=%5lld  %8.3f us\n", s.what, s.ta ? 'T' : 'N',
                s.tb ? 'T' : 'N', (long long)s.m, (long long)s.n, (long long)s.k, us);
  }
  return sink == 12345.f;  // keeps the products from being optimised away
}
