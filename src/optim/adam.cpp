// Adam / AdamW: torch 1.13's _single_tensor_adam(w) fused into one loop per parameter.
// Each line below is one of torch's tensor operations, in its order, so that float32
// results agree with torch's to rounding.
#include "soma/optim/adam.hpp"

#include <cmath>

#include "optim/adam_kernels.hpp"
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
  const detail::AdamKernels& kernels = detail::adam_kernels();
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor& p = params_[i];
    Tensor g = p.grad();
    if (!g.defined()) continue;
    g = g.contiguous();
    const int64_t t = ++steps_[i];
    detail::AdamStep s;
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
      kernels.update<T>(vmax != nullptr)(p.data_ptr<T>(), g.data_ptr<T>(), m, v, vmax, p.numel(),
                                         s);
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
