// The gradient exchange of dist::DataParallel alone, for the cost model's constants
// (docs/DISTRIBUTED.md): for P floats per rank, the time of one all-to-all (each rank
// sends every other rank its 1/R slice) plus one all-gather of the summed slices, as
// DataParallel::exchange_ordered posts them. The line t = alpha + bytes / beta through the
// smallest and the largest size gives the latency alpha and the bandwidth beta of this
// machine's MPI.
//   mpirun -np R bench_exchange [REPS]
// Prints (rank 0) one line per size and, last, a JSON object with the fit.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "soma/dist/context.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// One exchange of n floats: the all-to-all of slices, then the in-place all-gather.
double exchange_seconds(const soma::dist::Context& ctx, int64_t n, std::vector<float>& send,
                        std::vector<float>& recv, std::vector<float>& out) {
  const int ranks = ctx.size(), me = ctx.rank();
  std::vector<int> count(static_cast<size_t>(ranks)), offset(static_cast<size_t>(ranks));
  for (int q = 0; q < ranks; ++q) {
    offset[size_t(q)] = int(n * q / ranks);
    count[size_t(q)] = int(n * (q + 1) / ranks) - offset[size_t(q)];
  }
  const int mine = count[size_t(me)];
  std::vector<int> rcount(static_cast<size_t>(ranks), mine), rdispl(static_cast<size_t>(ranks));
  for (int p = 0; p < ranks; ++p) rdispl[size_t(p)] = mine * p;
  const auto start = Clock::now();
  ctx.wait(ctx.start_alltoallv(send.data(), count, offset, recv.data(), rcount, rdispl),
           "bench all-to-all");
  // The ordered sum of the R copies of this rank's slice.
  float* slice = out.data() + offset[size_t(me)];
  std::copy(recv.begin(), recv.begin() + mine, slice);
  for (int p = 1; p < ranks; ++p)
    for (int i = 0; i < mine; ++i) slice[i] += recv[size_t(p * mine + i)];
  ctx.wait(ctx.start_allgatherv(out.data(), count, offset), "bench all-gather");
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 20;
  soma::dist::Context ctx({.timeout_seconds = 120});
  const int ranks = ctx.size();
  if (ranks < 2) {
    std::fprintf(stderr, "bench_exchange: run it under mpirun -np 2 or more (a soma with MPI)\n");
    return 1;
  }
  if (ctx.rank() == 0)
    std::printf("%d ranks; exchange of P float32 per rank, median of %d\n%12s %12s %14s %12s\n",
                ranks, reps, "P", "bytes sent", "seconds", "GB/s sent");
  // Sizes from a tiny MLP's to ten times the default CNN's gradient.
  std::vector<double> xs, ys;
  for (int64_t n : {1'000L, 10'000L, 100'000L, 421'642L, 1'000'000L, 4'000'000L}) {
    std::vector<float> send(size_t(n), 1.0f), recv(size_t(n) + size_t(ranks)),
        out(static_cast<size_t>(n));
    std::vector<double> t;
    for (int r = 0; r < reps + 2; ++r) {
      std::vector<double> mine{exchange_seconds(ctx, n, send, recv, out)}, all;
      ctx.allgather(mine, all, "bench timings");  // the slowest rank's time counts
      if (r >= 2) t.push_back(*std::max_element(all.begin(), all.end()));
    }
    std::sort(t.begin(), t.end());
    const double median = t[t.size() / 2];
    // Bytes leaving one rank: (R-1)/R of P in each of the two collectives.
    const double bytes = 2.0 * double(ranks - 1) / double(ranks) * double(n) * 4.0;
    xs.push_back(bytes), ys.push_back(median);
    if (ctx.rank() == 0)
      std::printf("%12lld %12.0f %14.6f %12.3f\n", static_cast<long long>(n), bytes, median,
                  bytes > 0 ? bytes / median / 1e9 : 0.0);
  }
  // t = alpha + bytes / beta: alpha from the smallest size (latency-bound), beta from the
  // largest (bandwidth-bound). A least-squares fit would let the large sizes' noise set alpha.
  const double alpha = ys.front();
  const double beta = xs.back() / std::max(ys.back() - alpha, 1e-12);
  if (ctx.rank() == 0)
    std::printf("{\"ranks\": %d, \"alpha_seconds\": %.3e, \"beta_bytes_per_second\": %.4e}\n",
                ranks, alpha, beta);
  return 0;
}
