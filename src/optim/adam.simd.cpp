// Adam / AdamW's update of one parameter (adam.cpp), compiled once per instruction-set
// level (src/core/dispatch.hpp). Multiply-adds are not fused: each line rounds as torch's
// tensor operation of the same name does, and every level gives the same bits.
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma GCC optimize("fp-contract=off")
#endif
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "optim/adam_kernels.hpp"

namespace soma::optim::detail::SOMA_ISA_NAMESPACE {
namespace {

// x / c for one c over many x, correctly rounded as the division itself but without the
// divider, which Adam's sqrt and second division already saturate (on mlp-dragons'
// per-sample steps the update was 38 % of the time). With FMA: q0 = x * (1/c), its exact
// residual r = x - q0 * c, then q0 + r / c ~ fma(r, 1/c, q0): Markstein's correction,
// correctly rounded when 1/c is (checked exhaustively over a binade of x for 381 divisors,
// tests/optim/adam_paths_test.cpp). q0 is kept where it is not finite (x = inf or NaN).
template <class T>
struct DivideBy {
  T c, rc;
  explicit DivideBy(T divisor) : c(divisor), rc(T(1) / divisor) {}
  T operator()(T x) const {
#if defined(__FMA__)
    const T q0 = x * rc;
    const T r = std::fma(-q0, c, x);
    const T q = std::fma(r, rc, q0);
    return std::isfinite(q0) ? q : q0;
#else
    return x / c;
#endif
  }
};

// Branch-free so that it vectorises: the options enter as constants that are exact
// no-ops when unused (sign 1, wd 0, shrink 1), which leaves finite results unchanged.
template <class T, bool Amsgrad>
void adam_update(T* __restrict p, const T* __restrict grad, T* __restrict m, T* __restrict v,
                 T* __restrict vmax, int64_t n, const AdamStep& s) {
  const T b1 = static_cast<T>(s.beta1), b2 = static_cast<T>(s.beta2);
  const T one_b1 = static_cast<T>(1.0 - s.beta1), one_b2 = static_cast<T>(1.0 - s.beta2);
  const T sign = s.maximize ? T(-1) : T(1);
  const T wd = s.decoupled ? T(0) : static_cast<T>(s.weight_decay);
  const T shrink = s.decoupled ? static_cast<T>(1.0 - s.lr * s.weight_decay) : T(1);
  const DivideBy<T> by_bc2(static_cast<T>(s.bias_correction2_sqrt));
  const T eps = static_cast<T>(s.eps);
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
    const T denom = by_bc2(std::sqrt(second)) + eps;  // (sqrt(v) / bias_correction2_sqrt).add_(eps)
    p[i] = pi + neg_step * mi / denom;  // param.addcdiv_(exp_avg, denom, value=-step_size)
  }
}
}  // namespace

SOMA_DEFINE_KERNELS(AdamKernels, adam_kernels,
                    {.update_f32 = adam_update<float, false>,
                     .update_f32_amsgrad = adam_update<float, true>,
                     .update_f64 = adam_update<double, false>,
                     .update_f64_amsgrad = adam_update<double, true>})

}  // namespace soma::optim::detail::SOMA_ISA_NAMESPACE
