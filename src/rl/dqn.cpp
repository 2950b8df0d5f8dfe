#include "soma/rl/dqn.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "rl/network.hpp"

namespace soma::rl {

ReplayBuffer::ReplayBuffer(int64_t capacity) : capacity_(capacity) {
  if (capacity < 1 || capacity > (int64_t{1} << 26))
    throw Error("ReplayBuffer: capacity " + std::to_string(capacity) + ": expected 1 to 2^26");
  states_.resize(size_t(capacity * 4));
  next_states_.resize(size_t(capacity * 4));
  rewards_.resize(size_t(capacity));
  terminal_.resize(size_t(capacity));
  actions_.resize(size_t(capacity));
}

void ReplayBuffer::push(const Observation& s, int action, double reward, const Observation& next,
                        bool terminal) {
  const size_t i = size_t(next_);
  std::copy(s.begin(), s.end(), states_.begin() + std::ptrdiff_t(4 * i));
  std::copy(next.begin(), next.end(), next_states_.begin() + std::ptrdiff_t(4 * i));
  actions_[i] = action;
  rewards_[i] = reward;
  terminal_[i] = terminal ? 1.0 : 0.0;
  next_ = (next_ + 1) % capacity_;
  size_ = std::min(size_ + 1, capacity_);
}

ReplayBuffer::Batch ReplayBuffer::sample(int64_t n, Rng& rng, DType dtype) const {
  if (size_ == 0) throw Error("ReplayBuffer::sample: the buffer is empty");
  const auto b = static_cast<size_t>(n);
  std::vector<double> s(4 * b), s2(4 * b), r(b), d(b);
  std::vector<int64_t> a(b);
  for (size_t k = 0; k < b; ++k) {
    const size_t i = size_t(rng.next_u64() % uint64_t(size_));
    for (size_t j = 0; j < 4; ++j) {
      s[4 * k + j] = states_[4 * i + j];
      s2[4 * k + j] = next_states_[4 * i + j];
    }
    a[k] = actions_[i];
    r[k] = rewards_[i];
    d[k] = terminal_[i];
  }
  auto make = [&](const std::vector<double>& v, const Shape& shape) {
    return tensor(std::span<const double>(v), shape).to(dtype);
  };
  return {make(s, {n, 4}), make(s2, {n, 4}), tensor(std::span<const int64_t>(a), {n}), make(r, {n}),
          make(d, {n})};
}

Tensor dqn_loss(const Tensor& q, const Tensor& actions, const Tensor& targets) {
  const int64_t n = targets.numel();
  if (q.dim() != 2 || q.size(0) != n || actions.dim() != 1 || actions.numel() != n)
    throw Error("dqn_loss: q " + q.shape().str() + ", actions " + actions.shape().str() +
                ": expected [B, actions] and [B] for targets " + targets.shape().str());
  // Q(s_i, a_i) through a one-hot mask: the gradient reaches only the chosen action.
  const Tensor chosen = arange(q.size(1), kInt64).reshape({1, q.size(1)});
  const Tensor mask = eq(actions.reshape({n, 1}), chosen).to(q.dtype());
  const Tensor d = (q * mask).sum(1) - targets;
  const Tensor a = abs(d);
  return where(a < 1.0, 0.5 * d * d, a - 0.5).mean();
}

Dqn::Dqn(const DqnOptions& o, uint64_t seed) : options_(o), rng_(seed + 1), replay_(o.buffer) {
  if (o.hidden < 1 || o.hidden > 65536)
    throw Error("Dqn: hidden " + std::to_string(o.hidden) + ": expected 1 to 65536");
  if (o.batch < 1 || o.batch > 65536)
    throw Error("Dqn: batch " + std::to_string(o.batch) + ": expected 1 to 65536");
  if (o.target_update < 1 || o.epsilon_decay < 1 || o.warmup < 0)
    throw Error("Dqn: target_update and epsilon_decay: expected at least 1, warmup at least 0");
  Rng init(seed);
  online = mlp(4, o.hidden, CartPole::actions, init, o.dtype);
  target = mlp(4, o.hidden, CartPole::actions, init, o.dtype);
  sync_target();
  opt_.emplace(online.parameters(), optim::AdamOptions{.lr = o.lr});
}

void Dqn::sync_target() {
  NoGradGuard no_grad;
  const std::vector<Tensor> from = online.parameters(), to = target.parameters();
  for (size_t i = 0; i < from.size(); ++i) Tensor(to[i]).copy_(from[i]);
}

double Dqn::epsilon() const {
  const double f = std::min(1.0, double(steps_) / double(options_.epsilon_decay));
  return options_.epsilon_start + f * (options_.epsilon_end - options_.epsilon_start);
}

int Dqn::act(const Observation& s) {
  if (rng_.uniform() < epsilon()) return int(rng_.next_u64() % 2);
  NoGradGuard no_grad;
  const Tensor q = online(observation_tensor(s, options_.dtype));
  return element(q, 1) > element(q, 0) ? 1 : 0;
}

Tensor Dqn::batch_loss(const ReplayBuffer::Batch& b) {
  Tensor y;
  {
    NoGradGuard no_grad;
    const Tensor next_max = max(target(b.next_states), 1);
    y = b.rewards + options_.gamma * (1.0 - b.terminal) * next_max;
  }
  return dqn_loss(online(b.states), b.actions, y);
}

void Dqn::observe(const Observation& s, int action, const StepResult& r) {
  replay_.push(s, action, r.reward, r.observation, r.terminated);
  ++steps_;
  if (steps_ >= options_.warmup && replay_.size() >= options_.batch) {
    const Tensor loss = batch_loss(replay_.sample(options_.batch, rng_, options_.dtype));
    opt_->zero_grad();
    loss.backward();
    last_loss_ = loss.detach();
    opt_->step();
  }
  if (steps_ % options_.target_update == 0) sync_target();
}

double Dqn::last_loss() const {
  return last_loss_.defined() ? last_loss_.item<double>() : std::nan("");
}

}  // namespace soma::rl
