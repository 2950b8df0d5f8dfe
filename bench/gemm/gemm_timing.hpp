#pragma once
// Shared timing loop of the GEMM benchmarks: median GFLOP/s of several repetitions, each
// repeating the product until it has run for at least 0.1 s (so 64³ is not timer noise).
#include <algorithm>
#include <chrono>
#include <vector>

template <class F>
double median_gflops(int n, F&& product, int reps = 7) {
  product();  // warm-up: page faults, BLAS buffers, kernel-table set-up
  std::vector<double> rates;
  for (int r = 0; r < reps; ++r) {
    int64_t iters = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double s = 0;
    do {
      product();
      ++iters;
      s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (s < 0.1);
    rates.push_back(2.0 * n * n * n * static_cast<double>(iters) / s * 1e-9);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}
