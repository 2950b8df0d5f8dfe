#pragma once
// Adam's per-parameter update loop, one table per instruction-set level (adam.simd.cpp).
#include <cstdint>

#include "core/dispatch.hpp"

namespace soma::optim::detail {

// One step's constants (torch 1.13's _single_tensor_adam).
struct AdamStep {
  double lr, beta1, beta2, eps, weight_decay;
  double bias_correction2_sqrt, step_size;
  bool decoupled, amsgrad, maximize;
};

// p, m, v (and vmax with amsgrad) updated in place from grad, n elements.
template <class T>
using AdamUpdateFn = void(T* p, const T* grad, T* m, T* v, T* vmax, int64_t n, const AdamStep& s);

struct AdamKernels {
  AdamUpdateFn<float>* update_f32;
  AdamUpdateFn<float>* update_f32_amsgrad;
  AdamUpdateFn<double>* update_f64;
  AdamUpdateFn<double>* update_f64_amsgrad;

  template <class T>
  AdamUpdateFn<T>* update(bool amsgrad) const {
    return amsgrad ? ::soma::detail::by_type<T>(update_f32_amsgrad, update_f64_amsgrad)
                   : ::soma::detail::by_type<T>(update_f32, update_f64);
  }
};
SOMA_DECLARE_KERNELS(AdamKernels, adam_kernels)

}  // namespace soma::optim::detail
