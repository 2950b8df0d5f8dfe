// Adam / AdamW: torch 1.13's _single_tensor_adam(w) fused into one loop per parameter.
// Each line below is one of torch's tensor operations, in its order, so that float32
// results agree with torch's to rounding.
#include "soma/optim/adam.hpp"

#include <cmath>

#include "optim/flush_denormals.hpp"
#include "soma/core/error.hpp"

namespace soma::optim {

namespace {
void check(const AdamOptions& o, const char* who) {
  auto bad = [&](const std::string& what, double v) {
    throw Error(std::string(who) + ": invalid " + what + " " + std::to_string(v));
  };
  if (!(o.eps >= 0.0)) bad("eps", o.eps);
  if (!(o.betas.first >= 0.0 && o.betas.first < 1.0)) bad("beta1", o.betas.first);
  if (!(o.betas.second >= 0.0 && o.betas.second < 1.0)) bad("beta2", o.betas.second);
  if (!(o.weight_decay >= 0.0)) bad("weight_decay", o.weight_decay);
}

struct Step {
  double lr, beta1, beta2, eps, weight_decay;
  double bias_correction2_sqrt, step_size;
  bool decoupled, amsgrad, maximize;
};

// Branch-free so that it vectorises: the options enter as constants that are exact
// no-ops when unused (sign 1, wd 0, shrink 1), which leaves finite results unchanged.
template <class T, bool Amsgrad>
void adam_update(T* __restrict p, const T* __restrict grad, T* __restrict m, T* __restrict v,
                 T* __restrict vmax, int64_t n, const Step& s) {
  const T b1 = static_cast<T>(s.beta1), b2 = static_cast<T>(s.beta2);
  const T one_b1 = static_cast<T>(1.0 - s.beta1), one_b2 = static_cast<T>(1.0 - s.beta2);
  const T sign = s.maximize ? T(-1) : T(1);
  const T wd = s.decoupled ? T(0) : static_cast<T>(s.weight_decay);
  const T shrink = s.decoupled ? static_cast<T>(1.0 - s.lr * s.weight_decay) : T(1);
  const T bc2 = static_cast<T>(s.bias_correction2_sqrt), eps = static_cast<T>(s.eps);
  const T neg_step = static_cast<T>(-s.step_size);
  for (int64_t i = 0; i < n; ++i) {
    const T pi = p[i] * shrink;            // AdamW: param.mul_(1 - lr * weight_decay)
    const T g = sign * grad[i] + wd * pi;  // Adam: grad.add(param, alpha=weight_decay)
    const T mi = m[i] * b1 + one_b1 * g;   // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    const T vi =
        v[i] * b2 + one_b2 * g * g;  // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    m[i] = mi;
    v[i] = vi;
    T second = vi;
    if constexpr (Amsgrad) second = vmax[i] = std::max(vmax[i], vi);
    const T denom = std::sqrt(second) / bc2 + eps;  // (sqrt(v) / bias_correction2_sqrt).add_(eps)
    p[i] = pi + neg_step * mi / denom;  // param.addcdiv_(exp_avg, denom, value=-step_size)
  }
}
}  // namespace

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options)
    : Adam(std::move(params), options, false) {}

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options, bool decoupled)
    : Optimizer(std::move(params), options.lr), options_(options), decoupled_(decoupled) {
  check(options, decoupled ? "AdamW" : "Adam");
  exp_avg_ = add_slot("exp_avg");
  exp_avg_sq_ = add_slot("exp_avg_sq");
  max_exp_avg_sq_ = add_slot("max_exp_avg_sq");
}

void Adam::step() {
  NoGradGuard no_grad;
  detail::FlushDenormals flush;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor& p = params_[i];
    Tensor g = p.grad();
    if (!g.defined()) continue;
    g = g.contiguous();
    const int64_t t = ++steps_[i];
    Step s;
    s.lr = lr_;
    s.beta1 = options_.betas.first;
    s.beta2 = options_.betas.second;
    s.eps = options_.eps;
    s.weight_decay = options_.weight_decay;
    s.decoupled = decoupled_;
    s.amsgrad = options_.amsgrad;
    s.maximize = options_.maximize;
    // Python floats: bias_correction = 1 - beta ** step, in double.
    const double bias_correction1 = 1.0 - std::pow(s.beta1, static_cast<double>(t));
    const double bias_correction2 = 1.0 - std::pow(s.beta2, static_cast<double>(t));
    s.step_size = lr_ / bias_correction1;
    s.bias_correction2_sqrt = std::sqrt(bias_correction2);
    auto run = [&](auto tag) {
      using T = decltype(tag);
      T* vmax = s.amsgrad ? buffer_or_zeros(max_exp_avg_sq_, i).template data_ptr<T>() : nullptr;
      T* m = buffer_or_zeros(exp_avg_, i).template data_ptr<T>();
      T* v = buffer_or_zeros(exp_avg_sq_, i).template data_ptr<T>();
      if (vmax)
        adam_update<T, true>(p.data_ptr<T>(), g.data_ptr<T>(), m, v, vmax, p.numel(), s);
      else
        adam_update<T, false>(p.data_ptr<T>(), g.data_ptr<T>(), m, v, nullptr, p.numel(), s);
    };
    if (p.dtype() == kFloat32)
      run(float{});
    else
      run(double{});
  }
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& o)
    : Adam(std::move(params),
           AdamOptions{.lr = o.lr,
                       .betas = o.betas,
                       .eps = o.eps,
                       .weight_decay = o.weight_decay,
                       .amsgrad = o.amsgrad,
                       .maximize = o.maximize},
           true) {}

}  // namespace soma::optim
