// REINFORCE with a learned baseline on the cart-pole, the training loop of
// `soma example cartpole` (rl::Reinforce: policy and value networks 4-64-2 and 4-64-1,
// one observation at a time through each, one backward pass and two Adam steps per
// episode). torch_reinforce.py runs the same algorithm in PyTorch. Prints one JSON
// object: process CPU seconds for EPISODES episodes from the start of training (and at the
// end of each), the environment steps they took, each episode's return and the mean
// return of the last 100. With --weights FILE it
// first writes the networks' initial parameters there, one tensor a line (policy, then
// value; torch's parameter order), so that PyTorch starts from the same networks; with
// the same random draws (soma::Rng, which torch_reinforce.py reimplements) the two then
// play the same episodes, as long as float32 roundings flip no sampled action.
//
//   bench_reinforce [--episodes 300] [--seed 1] [--weights FILE]
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
  const char* weights = nullptr;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--weights")) weights = argv[i + 1];
    if (!std::strcmp(argv[i], "--episodes")) episodes = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seed")) seed = std::strtoul(argv[i + 1], nullptr, 10);
  }
  soma::set_num_threads(1);
  soma::rl::Reinforce agent({}, seed);
  if (weights) {
    std::FILE* f = std::fopen(weights, "w");
    if (!f) {
      std::perror(weights);
      return 1;
    }
    for (const soma::nn::Sequential* net : {&agent.policy, &agent.value})
      for (const soma::Tensor& p : net->parameters()) {
        for (const float v : p.to_vector<float>()) std::fprintf(f, "%.9g ", double(v));
        std::fprintf(f, "\n");
      }
    std::fclose(f);
  }
  const double t0 = cpu_seconds();
  soma::rl::CartPole env;
  soma::Rng env_rng(seed + 2);
  std::vector<double> returns, elapsed;  // elapsed: CPU seconds at each episode's end
  long steps = 0;
  for (int e = 0; e < episodes; ++e) {
    const soma::rl::Episode ep = soma::rl::run_episode(env, agent, env_rng);
    returns.push_back(ep.ret);
    steps += ep.steps;
    elapsed.push_back(cpu_seconds() - t0);
  }
  const double seconds = cpu_seconds() - t0;
  const size_t last = std::min<size_t>(returns.size(), 100);
  const double mean = std::accumulate(returns.end() - long(last), returns.end(), 0.0) /
                      double(std::max<size_t>(last, 1));
  std::printf(
      "{\"seconds\": %.6g, \"steps\": %ld, \"episodes\": %d, \"average_return_100\": %.2f, "
      "\"returns\": [",
      seconds, steps, episodes, mean);
  for (size_t i = 0; i < returns.size(); ++i) std::printf(i ? ", %.0f" : "%.0f", returns[i]);
  std::printf("], \"elapsed\": [");
  for (size_t i = 0; i < elapsed.size(); ++i) std::printf(i ? ", %.6g" : "%.6g", elapsed[i]);
  std::printf("]}\n");
}
