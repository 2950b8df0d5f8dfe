#pragma once
// rl::Dqn: deep Q-learning (Mnih et al., Nature 2015) for the cart-pole: an online
// network Q(s, .) (4 -> hidden -> ReLU -> 2), a target network copied from it every
// `target_update` steps, a replay buffer of the last `buffer` transitions, and
// epsilon-greedy exploration with epsilon falling linearly over `epsilon_decay` steps.
// After `warmup` steps, every step draws a batch and takes one Adam step on
//   y = r + gamma * (1 - terminated) * max_a' Q_target(s', a')     (no gradient)
//   loss = mean Huber(Q(s, a) - y)                                  (smooth L1, beta 1)
// A truncated episode is not terminal: its last state's value is still bootstrapped.
#include <cstdint>
#include <optional>
#include <vector>

#include "soma/nn/sequential.hpp"
#include "soma/optim/adam.hpp"
#include "soma/rl/agent.hpp"

namespace soma::rl {

struct DqnOptions {
  int64_t hidden = 128;
  double gamma = 0.99;
  double lr = 5e-4;
  int64_t buffer = 50000;       // transitions kept
  int64_t batch = 64;           // transitions per update
  int64_t warmup = 1000;        // steps before the first update
  int64_t target_update = 500;  // steps between copies online -> target
  double epsilon_start = 1.0, epsilon_end = 0.02;
  int64_t epsilon_decay = 10000;  // steps from epsilon_start to epsilon_end
  DType dtype = kFloat32;         // float64 for gradient checks
};

// Transitions in flat arrays, overwritten oldest first once full.
class ReplayBuffer {
 public:
  explicit ReplayBuffer(int64_t capacity);
  void push(const Observation& s, int action, double reward, const Observation& next,
            bool terminal);
  int64_t size() const { return size_; }

  struct Batch {
    Tensor states, next_states;  // [B, 4]
    Tensor actions;              // [B] int64
    Tensor rewards, terminal;    // [B] (terminal: 1 or 0)
  };
  // `n` transitions drawn uniformly with replacement.
  Batch sample(int64_t n, Rng& rng, DType dtype) const;

 private:
  int64_t capacity_, size_ = 0, next_ = 0;
  std::vector<double> states_, next_states_, rewards_, terminal_;
  std::vector<int64_t> actions_;
};

// mean Huber(Q(s_i, a_i) - y_i): q [B, 2] in the graph, actions [B] int64, targets [B].
Tensor dqn_loss(const Tensor& q, const Tensor& actions, const Tensor& targets);

class Dqn : public Agent {
 public:
  // Parameters drawn from Rng(seed); exploration and replay sampling from Rng(seed + 1).
  explicit Dqn(const DqnOptions& options = {}, uint64_t seed = 42);

  int act(const Observation& observation) override;
  void observe(const Observation& observation, int action, const StepResult& result) override;
  void end_episode() override {}
  double last_loss() const override;

  // The loss of one batch: targets from the target network, Q(s, a) from the online one.
  Tensor batch_loss(const ReplayBuffer::Batch& batch);
  void sync_target();  // target <- online
  double epsilon() const;
  int64_t steps() const { return steps_; }
  const DqnOptions& options() const { return options_; }

  nn::Sequential online, target;

 private:
  DqnOptions options_;
  Rng rng_;
  ReplayBuffer replay_;
  std::optional<optim::Adam> opt_;
  int64_t steps_ = 0;
  Tensor last_loss_;  // detached; read only when asked (no item() per step)
};

}  // namespace soma::rl
