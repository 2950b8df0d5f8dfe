// REINFORCE with a learned baseline on the cart-pole, the training loop of
// `soma example cartpole` (rl::Reinforce: policy and value networks 4-64-2 and 4-64-1,
// one observation at a time through each, one backward pass and two Adam steps per
// episode). torch_reinforce.py runs the same algorithm in PyTorch. Prints one JSON
// object: process CPU seconds for EPISODES episodes from the start of training, the
// environment steps they took and the mean return of the last 100.
//
//   bench_reinforce [--episodes 300] [--seed 1]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <numeric>
#include <vector>

#include "soma/core/threads.hpp"
#include "soma/rl/reinforce.hpp"

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  int episodes = 300;
  unsigned long seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--episodes")) episodes = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seed")) seed = std::strtoul(argv[i + 1], nullptr, 10);
  }
  soma::set_num_threads(1);
  const double t0 = cpu_seconds();
  soma::rl::Reinforce agent({}, seed);
  soma::rl::CartPole env;
  soma::Rng env_rng(seed + 2);
  std::vector<double> returns;
  long steps = 0;
  for (int e = 0; e < episodes; ++e) {
    const soma::rl::Episode ep = soma::rl::run_episode(env, agent, env_rng);
    returns.push_back(ep.ret);
    steps += ep.steps;
  }
  const double seconds = cpu_seconds() - t0;
  const size_t last = std::min<size_t>(returns.size(), 100);
  const double mean = std::accumulate(returns.end() - long(last), returns.end(), 0.0) /
                      double(std::max<size_t>(last, 1));
  std::printf(
      "{\"seconds\": %.6g, \"steps\": %ld, \"episodes\": %d, \"average_return_100\": %.2f}\n",
      seconds, steps, episodes, mean);
}
