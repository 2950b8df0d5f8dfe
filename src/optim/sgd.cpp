// SGD with momentum, dampening, Nesterov and weight decay: torch 1.13's
// _single_tensor_sgd fused into one loop per parameter.
#include "soma/optim/sgd.hpp"

#include "optim/flush_denormals.hpp"
#include "soma/core/error.hpp"

namespace soma::optim {

SGD::SGD(std::vector<Tensor> params, const SGDOptions& options)
    : Optimizer(std::move(params), options.lr), options_(options) {
  if (options.momentum < 0.0)
    throw Error("SGD: invalid momentum " + std::to_string(options.momentum));
  if (options.weight_decay < 0.0)
    throw Error("SGD: invalid weight_decay " + std::to_string(options.weight_decay));
  if (options.nesterov && (options.momentum <= 0.0 || options.dampening != 0.0))
    throw Error("SGD: Nesterov momentum requires a momentum and zero dampening");
  momentum_slot_ = add_slot("momentum_buffer");
}

namespace {
template <class T>
void sgd_update(T* p, const T* g, T* buf, bool first, int64_t n, const SGDOptions& o, double lr) {
  // Scalars are cast to the parameter type as torch does for its scalar arguments.
  const T wd = static_cast<T>(o.weight_decay), mom = static_cast<T>(o.momentum);
  const T keep = static_cast<T>(1.0 - o.dampening), neg_lr = static_cast<T>(-lr);
  const bool decay = o.weight_decay != 0.0;
  for (int64_t i = 0; i < n; ++i) {
    T d = o.maximize ? -g[i] : g[i];
    if (decay) d = d + wd * p[i];
    if (buf) {
      buf[i] = first ? d : buf[i] * mom + keep * d;
      d = o.nesterov ? d + mom * buf[i] : buf[i];
    }
    p[i] = p[i] + neg_lr * d;
  }
}
}  // namespace

void SGD::step() {
  NoGradGuard no_grad;
  detail::FlushDenormals flush;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor& p = params_[i];
    Tensor g = p.grad();
    if (!g.defined()) continue;
    g = g.contiguous();
    ++steps_[i];
    const bool use_momentum = options_.momentum != 0.0;
    const bool first = use_momentum && !buffer(momentum_slot_, i).defined();
    if (p.dtype() == kFloat32) {
      float* buf = use_momentum ? buffer_or_zeros(momentum_slot_, i).data_ptr<float>() : nullptr;
      sgd_update<float>(p.data_ptr<float>(), g.data_ptr<float>(), buf, first, p.numel(), options_,
                        lr_);
    } else {
      double* buf = use_momentum ? buffer_or_zeros(momentum_slot_, i).data_ptr<double>() : nullptr;
      sgd_update<double>(p.data_ptr<double>(), g.data_ptr<double>(), buf, first, p.numel(),
                         options_, lr_);
    }
  }
}

}  // namespace soma::optim
