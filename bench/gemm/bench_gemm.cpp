// Single-core SGEMM throughput of soma's matmul (Tensor API, float32, n×n @ n×n).
// Prints one JSON line: {"kernel": <OpenBLAS table soma runs on>, "gflops": {"16": ..., ...},
// "path": {"16": "soma loops" or "OpenBLAS sgemm", ...}}: above a few thousand multiply-adds
// soma's matmul is OpenBLAS's sgemm, and the table credits it.
#include <cstdio>
#include <string>

#include "gemm_timing.hpp"
#include "soma/core/blas.hpp"
#include "soma/core/threads.hpp"
#include "soma/tensor.hpp"
#include "tensor/gemm.hpp"

int main() {
  soma::set_num_threads(1);
  soma::Rng rng(1);
  std::string out = "{\"kernel\": \"" + soma::blas::tune().core_after + "\", \"gflops\": {";
  std::string paths = "\"path\": {";
  bool first = true;
  for (int n : {16, 64, 256, 1024}) {
    const soma::Tensor a = soma::randn({n, n}, rng), b = soma::randn({n, n}, rng);
    soma::Tensor c;
    const double g = median_gflops(n, [&] { c = soma::matmul(a, b); });
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s\"%d\": %.2f", first ? "" : ", ", n, g);
    out += buf;
    paths += std::string(first ? "" : ", ") + "\"" + std::to_string(n) + "\": \"" +
             (soma::gemm_uses_blas(false, false, n, n, n) ? "OpenBLAS sgemm" : "soma loops") + "\"";
    first = false;
  }
  std::printf("%s}, %s}}\n", out.c_str(), paths.c_str());
}
