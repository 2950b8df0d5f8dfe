// The same single-core SGEMM timing on plain OpenBLAS (cblas_sgemm, no soma linked), so the
// run script can time the table OpenBLAS picks by itself and the one OPENBLAS_CORETYPE forces.
#include <cblas.h>

#include <cstdio>
#include <string>
#include <vector>

#include "gemm_timing.hpp"

extern "C" char* gotoblas_corename(void) __attribute__((weak));

int main() {
  openblas_set_num_threads(1);
  const std::string core = gotoblas_corename ? gotoblas_corename() : "";
  std::string out = "{\"kernel\": \"" + core + "\", \"gflops\": {";
  bool first = true;
  for (int n : {16, 64, 256, 1024}) {
    std::vector<float> a(static_cast<size_t>(n) * n), b(a.size()), c(a.size());
    for (size_t i = 0; i < a.size(); ++i) {
      a[i] = static_cast<float>((i * 7919) % 1000) / 1000.0f - 0.5f;
      b[i] = static_cast<float>((i * 104729) % 1000) / 1000.0f - 0.5f;
    }
    const double g = median_gflops(n, [&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(),
                  n, 0.0f, c.data(), n);
    });
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s\"%d\": %.2f", first ? "" : ", ", n, g);
    out += buf;
    first = false;
  }
  std::printf("%s}}\n", out.c_str());
}
