// Single-core SGEMM throughput of soma's matmul (Tensor API, float32, n×n @ n×n).
// Prints one JSON line: {"kernel": <OpenBLAS table soma runs on>, "gflops": {"64": ..., ...}}.
#include <cstdio>
#include <string>

#include "gemm_timing.hpp"
#include "soma/core/blas.hpp"
#include "soma/core/threads.hpp"
#include "soma/tensor.hpp"

int main() {
  soma::set_num_threads(1);
  soma::Rng rng(1);
  std::string out = "{\"kernel\": \"" + soma::blas::tune().core_after + "\", \"gflops\": {";
  bool first = true;
  for (int n : {64, 256, 1024}) {
    const soma::Tensor a = soma::randn({n, n}, rng), b = soma::randn({n, n}, rng);
    soma::Tensor c;
    const double g = median_gflops(n, [&] { c = soma::matmul(a, b); });
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s\"%d\": %.2f", first ? "" : ", ", n, g);
    out += buf;
    first = false;
  }
  std::printf("%s}}\n", out.c_str());
}
