// The element-wise half of one LSTM step (see lstm_gates.hpp and lstm_sequence.cpp's
// legend), compiled once per instruction-set level (src/core/dispatch.hpp).
#include <cmath>
#include <cstdint>

#include "nn/functional/lstm_gates.hpp"
#include "soma/core/vecmath.hpp"

namespace soma::nn::functional::detail::SOMA_ISA_NAMESPACE {
namespace {

template <class T>
inline T sigmoid_of(T v) {
  return T(1) / (T(1) + vecmath::exp(-v));
}

// tanh through exp: glibc's tanhf goes through expm1f, several times dearer than exp.
// Exact to a few ulp (the cancellation in 1 - e near 0 costs absolute, not relative,
// accuracy there).
template <class T>
inline T tanh_of(T v) {
  const T e = vecmath::exp(T(-2) * std::abs(v));
  return std::copysign((T(1) - e) / (T(1) + e), v);
}

template <class T>
void forward(T* __restrict a, T* __restrict c, T* __restrict tc, T* __restrict h, T* __restrict y,
             int64_t H) {
  for (int64_t j = 0; j < H; ++j) {
    const T i = sigmoid_of(a[j]), f = sigmoid_of(a[H + j]), g = tanh_of(a[2 * H + j]),
            o = sigmoid_of(a[3 * H + j]);
    a[j] = i;
    a[H + j] = f;
    a[2 * H + j] = g;
    a[3 * H + j] = o;
    const T cn = f * c[j] + i * g;
    const T t = tanh_of(cn);
    c[j] = cn;
    tc[j] = t;
    h[j] = o * t;
    y[j] = o * t;
  }
}

template <class T>
void backward(const T* __restrict a, const T* __restrict c, const T* __restrict tc,
              const T* __restrict dy, const T* __restrict dh, T* __restrict dc, T* __restrict dg,
              int64_t H) {
  for (int64_t j = 0; j < H; ++j) {
    const T i = a[j], f = a[H + j], g = a[2 * H + j], o = a[3 * H + j];
    const T dht = dh[j] + dy[j];
    const T dct = dc[j] + dht * o * (T(1) - tc[j] * tc[j]);
    dg[j] = dct * g * i * (T(1) - i);
    dg[H + j] = dct * c[j] * f * (T(1) - f);
    dg[2 * H + j] = dct * i * (T(1) - g * g);
    dg[3 * H + j] = dht * tc[j] * o * (T(1) - o);
    dc[j] = dct * f;
  }
}

}  // namespace

SOMA_DEFINE_KERNELS(LstmGateKernels, lstm_gate_kernels,
                    {.forward_f32 = forward<float>,
                     .forward_f64 = forward<double>,
                     .backward_f32 = backward<float>,
                     .backward_f64 = backward<double>})

}  // namespace soma::nn::functional::detail::SOMA_ISA_NAMESPACE
