// `soma example cartpole`: the flags of examples/cartpole.cpp, whose run() does the work.
#include <memory>

#include "cartpole.hpp"
#include "example_live.hpp"
#include "flags.hpp"
#include "registry.hpp"

namespace {

using soma::examples::cartpole::Options;
using soma::examples::cartpole::run;

// The example's options and --live, which only the CLI offers.
struct Flags : Options {
  soma::cli::LiveOption live;
};

soma::cli::ExampleRegistrar reg(
    "cartpole", "REINFORCE with a baseline or DQN balancing Gym's CartPole-v1; return curves",
    [](CLI::App& app) {
      auto opts = std::make_shared<Flags>();
      // --epochs means nothing here: episodes are the unit of training.
      soma::cli::add_example_options(app, opts->common);
      soma::cli::add_live_option(app, opts->live);
      app.add_option("--agent", opts->agent, "reinforce (with a learned baseline) or dqn")
          ->check(CLI::IsMember({"reinforce", "dqn"}))
          ->capture_default_str();
      app.add_option("--episodes", opts->episodes,
                     "At most this many episodes (default: 2000 reinforce, 600 dqn); training "
                     "stops once solved")
          ->check(soma::cli::integer_in(1, 1'000'000));
      app.add_option("--hidden", opts->hidden, "Hidden units per network (default: 64 / 128)")
          ->check(soma::cli::integer_in(1, 4096));
      app.add_option("--lr", opts->lr, "Adam's learning rate (default: 0.01 / 0.0005)")
          ->check(soma::cli::number_in(1e-9, 10));
      app.add_option("--gamma", opts->gamma, "Discount factor")
          ->check(soma::cli::number_in(0, 1))
          ->capture_default_str();
      app.callback([opts] {
        soma::cli::LiveDashboard live(opts->live);
        run(*opts, live);
        live.hold();
      });
    });

}  // namespace
