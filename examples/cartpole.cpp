// Reinforcement learning on the cart-pole (Gym's CartPole-v1, rl::CartPole): REINFORCE
// with a learned baseline (rl::Reinforce) or a DQN with replay and a target network
// (rl::Dqn) learn to balance the pole. The task counts as solved, as Gym defines it for
// CartPole-v1, when the mean return of 100 consecutive episodes reaches 475 (of 500);
// training stops there, or after --episodes.
//
//   soma example cartpole [--agent reinforce|dqn] [--episodes N] [--seed N] [--json]
//                         [--plot DIR] [--hidden N] [--lr X] [--gamma X]
//                         [--live [--port N] [--live-hold S]]
//
// --live streams the training to the dashboard's training view with an episode as its
// epoch and step: the loss plotted is the agent's last update's (REINFORCE's policy and
// baseline loss of the episode, DQN's TD loss of its last batch), and each epoch carries
// the episode's return and the mean return of the last 100 as metrics.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "cartpole.hpp"
#include "soma/cli/live.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/system.hpp"
#include "soma/nn/state_dict.hpp"
#include "soma/plot/figure.hpp"
#include "soma/rl/dqn.hpp"
#include "soma/rl/reinforce.hpp"

namespace soma::examples::cartpole {
namespace {

namespace rl = soma::rl;

constexpr int kWindow = 100;       // Gym's CartPole-v1: 100 consecutive episodes...
constexpr double kSolved = 475.0;  // ...averaging at least this return

std::unique_ptr<rl::Agent> make_agent(const Options& o) {
  if (o.agent == "reinforce") {
    rl::ReinforceOptions r{.gamma = o.gamma};
    if (o.hidden > 0) r.hidden = o.hidden;
    if (o.lr > 0) r.lr = r.value_lr = o.lr;
    return std::make_unique<rl::Reinforce>(r, o.common.seed);
  }
  rl::DqnOptions d{.gamma = o.gamma};
  if (o.hidden > 0) d.hidden = o.hidden;
  if (o.lr > 0) d.lr = o.lr;
  return std::make_unique<rl::Dqn>(d, o.common.seed);
}

// What the agent learnt, as soma train would save it: REINFORCE's policy and value
// networks, or DQN's online and target networks.
soma::nn::StateDict learnt_weights(const rl::Agent& agent) {
  soma::nn::StateDict sd;
  if (const auto* r = dynamic_cast<const rl::Reinforce*>(&agent)) {
    sd.merge(r->policy.state_dict(), "policy");
    sd.merge(r->value.state_dict(), "value");
  } else if (const auto* d = dynamic_cast<const rl::Dqn*>(&agent)) {
    sd.merge(d->online.state_dict(), "online");
    sd.merge(d->target.state_dict(), "target");
  }
  return sd;
}

// Mean of the last (up to) 100 returns after each episode.
std::vector<double> running_mean(const std::vector<double>& returns) {
  std::vector<double> out;
  double sum = 0;
  for (size_t i = 0; i < returns.size(); ++i) {
    sum += returns[i];
    if (i >= size_t(kWindow)) sum -= returns[i - size_t(kWindow)];
    out.push_back(sum / double(std::min(i + 1, size_t(kWindow))));
  }
  return out;
}

std::string plot_returns(const Options& o, const std::vector<double>& returns,
                         const std::vector<double>& mean) {
  namespace plot = soma::plot;
  std::filesystem::create_directories(o.common.plot_dir);
  plot::Figure fig({.rows = 1,
                    .cols = 1,
                    .width = 900,
                    .height = 450,
                    .title = "cart-pole, " + o.agent + ": return per episode"});
  auto& ax = fig.axes(0, 0);
  ax.xlabel = "episode";
  ax.ylabel = "return (steps balanced)";
  ax.ylim = soma::plot::Range{0, 640};  // room above 500 for the legend
  ax.legend_position = soma::plot::LegendPosition::top_left;
  std::vector<double> ep(returns.size());
  std::iota(ep.begin(), ep.end(), 1.0);
  ax.line(ep, returns, {.label = "episode return", .width = 0.8});
  ax.line(ep, mean, {.label = "mean of the last 100", .width = 2.0});
  ax.line({1.0, std::max(1.0, double(returns.size()))}, {kSolved, kSolved},
          {.label = "solved (475)", .dash = true});
  const auto path = (std::filesystem::path(o.common.plot_dir) / "cartpole.png").string();
  fig.save(path);
  return path;
}

}  // namespace

void run(const Options& opt, const soma::cli::LiveBoard& live) {
  const bool reinforce = opt.agent == "reinforce";
  const int episodes = opt.episodes >= 0 ? opt.episodes : (reinforce ? 2000 : 600);
  std::unique_ptr<rl::Agent> agent = make_agent(opt);
  rl::CartPole env;
  soma::Rng env_rng(opt.common.seed + 2);

  std::vector<double> returns;
  int64_t steps = 0;
  bool solved = false;
  int solved_at = 0;
  double window_sum = 0;
  soma::Stopwatch watch;
  {
    soma::ProgressBar bar(episodes, "cartpole " + opt.agent, !opt.common.json);
    soma::cli::LiveLoop feed(live, episodes, 1);  // an episode is an epoch of one step
    feed.begin();
    for (int e = 0; e < episodes && !solved; ++e) {
      const rl::Episode ep = rl::run_episode(env, *agent, env_rng);
      returns.push_back(ep.ret);
      steps += ep.steps;
      window_sum += ep.ret;
      if (returns.size() > size_t(kWindow)) window_sum -= returns[returns.size() - 1 - kWindow];
      const double mean = window_sum / double(std::min(returns.size(), size_t(kWindow)));
      if (returns.size() >= size_t(kWindow) && mean >= kSolved) {
        solved = true;
        solved_at = e + 1;
      }
      if (feed.on()) {
        const double loss = agent->last_loss();
        feed.batch(e + 1, 1, loss);
        feed.epoch(e + 1, loss, NAN, {{"return", ep.ret}, {"mean_return_100", mean}});
      }
      char status[64];
      std::snprintf(status, sizeof status, "return %3.0f, mean of last 100 %5.1f", ep.ret, mean);
      bar.advance(1, status);
    }
    feed.end();
  }
  const double seconds = watch.seconds();
  const std::vector<double> mean = running_mean(returns);
  const double average = mean.empty() ? 0.0 : mean.back();
  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty()) figures.push_back(plot_returns(opt, returns, mean));
  for (const auto& f : figures) soma::cli::wrote(f);

  if (!opt.common.json) {
    if (solved)
      std::printf(
          "%s solved the cart-pole after %d episodes: mean return of the last 100 %.1f "
          "(>= %.0f), %lld steps, %.1f s\n",
          opt.agent.c_str(), solved_at, average, kSolved, static_cast<long long>(steps), seconds);
    else
      std::printf(
          "%s did not solve the cart-pole in %zu episodes: mean return of the last %d "
          "%.1f (solved: >= %.0f over 100), %lld steps, %.1f s\n",
          opt.agent.c_str(), returns.size(), std::min(int(returns.size()), kWindow), average,
          kSolved, static_cast<long long>(steps), seconds);
    return;
  }
  soma::cli::print_json({{"agent", opt.agent},
                         {"average_return_100", average},
                         {"episodes", returns.size()},
                         {"solved", solved},
                         {"solved_at_episode", solved ? nlohmann::json(solved_at) : nullptr},
                         {"seconds", seconds},
                         {"steps", steps},
                         {"seed", opt.common.seed},
                         {"returns", returns},
                         {"weights_sha256", soma::nn::state_dict_sha256(learnt_weights(*agent))},
                         // one episode at a time, one process
                         {"ranks", 1},
                         {"figures", figures}});
}

}  // namespace soma::examples::cartpole

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example cartpole` has them as flags).
int main(int argc, char** argv) {
  soma::examples::cartpole::Options opt;
  return soma::cli::example_main(
      argc, argv, opt.common, [&] { soma::examples::cartpole::run(opt, soma::cli::LiveBoard{}); });
}
#endif
