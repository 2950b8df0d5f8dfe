#pragma once
// The element-wise half of one LSTM step for one sample (lstm_gates.simd.cpp), one table
// per instruction-set level: the exp inside sigmoid and tanh vectorises there, where a
// call to expf per element took a sixth of a char-LSTM training step.
#include <cstdint>

#include "core/dispatch.hpp"

namespace soma::nn::functional::detail {

// a [4H]: the gate pre-activations i, f, g, o in, their activations out; c [H]: the cell
// in, c' out; tc, h, y [H]: tanh(c'), h' = o * tanh(c') and a copy of h' (the output row).
template <class T>
using LstmGatesForwardFn = void(T* a, T* c, T* tc, T* h, T* y, int64_t H);
// One sample's step backward: a (activations), c (cell before the step), tc [H] as saved
// by the forward row; dy [H] the output's gradient; dh [H] the gradient of h' (read), dc
// [H] that of c' (in) and of c (out); dg [4H] the gradient of the pre-activations (out).
template <class T>
using LstmGatesBackwardFn = void(const T* a, const T* c, const T* tc, const T* dy, const T* dh,
                                 T* dc, T* dg, int64_t H);

struct LstmGateKernels {
  LstmGatesForwardFn<float>* forward_f32;
  LstmGatesForwardFn<double>* forward_f64;
  LstmGatesBackwardFn<float>* backward_f32;
  LstmGatesBackwardFn<double>* backward_f64;

  template <class T>
  LstmGatesForwardFn<T>* forward() const {
    return ::soma::detail::by_type<T>(forward_f32, forward_f64);
  }
  template <class T>
  LstmGatesBackwardFn<T>* backward() const {
    return ::soma::detail::by_type<T>(backward_f32, backward_f64);
  }
};
SOMA_DECLARE_KERNELS(LstmGateKernels, lstm_gate_kernels)

}  // namespace soma::nn::functional::detail
