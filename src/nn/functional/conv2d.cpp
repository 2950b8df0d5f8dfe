// conv2d as im2col + one GEMM for the whole batch, and its backward pass.
//
// Legend: x [N, C, H, W], w [O, C, KH, KW], y [N, O, OH, OW], P = OH * OW,
// K = C * KH * KW, col [K, N * P] with col[(c*KH + i)*KW + j, n*P + oh*OW + ow] =
// x[n, c, oh*sh - ph + i*dh, ow*sw - pw + j*dw] (0 outside the image).
//   forward:  yT [O, N*P] = w [O, K] @ col;            y[n, o, p] = yT[o, n*P + p] + b[o]
//   backward: gT = g as [O, N*P];  dw = gT @ col^T;  db = row sums of gT;
//             dcol = w^T @ gT;  dx = col2im(dcol) (the adjoint of im2col: scatter-add)
#include <algorithm>

#include "nn/functional/blas.hpp"
#include "nn/functional/check.hpp"
#include "soma/core/threads.hpp"
#include "soma/tensor/autograd.hpp"

namespace soma::nn::functional {

namespace {

struct Geometry {
  int64_t n, c, h, w, o, kh, kw, oh, ow;
  Size2 stride, pad, dil;
  int64_t p() const { return oh * ow; }
  int64_t k() const { return c * kh * kw; }
};

bool parallel(int64_t work) { return num_threads() > 1 && work > 32768; }

template <class T>
void im2col(const T* x, T* col, const Geometry& g) {
  const int64_t P = g.p(), NP = g.n * P;
#pragma omp parallel for collapse(2) schedule(static) if (parallel(g.n * g.k() * P))
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t c = 0; c < g.c; ++c) {
      const T* src = x + (n * g.c + c) * g.h * g.w;
      for (int64_t i = 0; i < g.kh; ++i)
        for (int64_t j = 0; j < g.kw; ++j) {
          T* dst = col + ((c * g.kh + i) * g.kw + j) * NP + n * P;
          for (int64_t oh = 0; oh < g.oh; ++oh) {
            const int64_t ih = oh * g.stride[0] - g.pad[0] + i * g.dil[0];
            T* row = dst + oh * g.ow;
            if (ih < 0 || ih >= g.h) {
              std::fill(row, row + g.ow, T(0));
              continue;
            }
            const T* line = src + ih * g.w;
            for (int64_t ow = 0; ow < g.ow; ++ow) {
              const int64_t iw = ow * g.stride[1] - g.pad[1] + j * g.dil[1];
              row[ow] = (iw >= 0 && iw < g.w) ? line[iw] : T(0);
            }
          }
        }
    }
}

template <class T>
void col2im(const T* col, T* dx, const Geometry& g) {
  const int64_t P = g.p(), NP = g.n * P;
  std::fill(dx, dx + g.n * g.c * g.h * g.w, T(0));
#pragma omp parallel for collapse(2) schedule(static) if (parallel(g.n * g.k() * P))
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t c = 0; c < g.c; ++c) {
      T* dst = dx + (n * g.c + c) * g.h * g.w;
      for (int64_t i = 0; i < g.kh; ++i)
        for (int64_t j = 0; j < g.kw; ++j) {
          const T* src = col + ((c * g.kh + i) * g.kw + j) * NP + n * P;
          for (int64_t oh = 0; oh < g.oh; ++oh) {
            const int64_t ih = oh * g.stride[0] - g.pad[0] + i * g.dil[0];
            if (ih < 0 || ih >= g.h) continue;
            T* line = dst + ih * g.w;
            const T* row = src + oh * g.ow;
            for (int64_t ow = 0; ow < g.ow; ++ow) {
              const int64_t iw = ow * g.stride[1] - g.pad[1] + j * g.dil[1];
              if (iw >= 0 && iw < g.w) line[iw] += row[ow];
            }
          }
        }
    }
}

template <class T>
struct Conv2dImpl {
  static Tensor forward(const Tensor& x, const Tensor& w, const Tensor& b, const Geometry& g,
                        Tensor& col_out) {
    const int64_t P = g.p(), NP = g.n * P, K = g.k();
    Tensor col = empty({K, NP}, x.dtype());
    im2col(x.data_ptr<T>(), col.data_ptr<T>(), g);
    Tensor yt = empty({g.o, NP}, x.dtype());
    detail::gemm(false, false, g.o, NP, K, w.data_ptr<T>(), K, col.data_ptr<T>(), NP, T(0),
                 yt.data_ptr<T>(), NP);
    Tensor y = empty({g.n, g.o, g.oh, g.ow}, x.dtype());
    const T* src = yt.data_ptr<T>();
    const T* bias = b.defined() ? b.data_ptr<T>() : nullptr;
    T* dst = y.data_ptr<T>();
#pragma omp parallel for collapse(2) schedule(static) if (parallel(g.n * g.o * P))
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t o = 0; o < g.o; ++o) {
        const T* s = src + o * NP + n * P;
        T* d = dst + (n * g.o + o) * P;
        const T bo = bias ? bias[o] : T(0);
        for (int64_t p = 0; p < P; ++p) d[p] = s[p] + bo;
      }
    col_out = col;
    return y;
  }

  static void backward(const Tensor& grad, const Tensor& col, const Tensor& w, const Geometry& g,
                       bool need_x, bool need_w, bool need_b, Grads& out) {
    const int64_t P = g.p(), NP = g.n * P, K = g.k();
    Tensor gc = grad.contiguous();
    Tensor gt = empty({g.o, NP}, grad.dtype());
    const T* gs = gc.data_ptr<T>();
    T* gd = gt.data_ptr<T>();
#pragma omp parallel for collapse(2) schedule(static) if (parallel(g.n * g.o * P))
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t o = 0; o < g.o; ++o) std::copy_n(gs + (n * g.o + o) * P, P, gd + o * NP + n * P);
    if (need_w) {
      Tensor dw = empty({g.o, g.c, g.kh, g.kw}, grad.dtype());
      detail::gemm(false, true, g.o, K, NP, gd, NP, col.data_ptr<T>(), NP, T(0), dw.data_ptr<T>(),
                   K);
      out[1] = dw;
    }
    if (need_b) {
      Tensor db = empty({g.o}, grad.dtype());
      T* d = db.data_ptr<T>();
      for (int64_t o = 0; o < g.o; ++o) {
        T s = T(0);
        for (int64_t q = 0; q < NP; ++q) s += gd[o * NP + q];
        d[o] = s;
      }
      out[2] = db;
    }
    if (need_x) {
      Tensor dcol = empty({K, NP}, grad.dtype());
      detail::gemm(true, false, K, NP, g.o, w.data_ptr<T>(), K, gd, NP, T(0), dcol.data_ptr<T>(),
                   NP);
      Tensor dx = empty({g.n, g.c, g.h, g.w}, grad.dtype());
      col2im(dcol.data_ptr<T>(), dx.data_ptr<T>(), g);
      out[0] = dx;
    }
  }
};

struct Conv2dBackward final : Node {
  Tensor col, weight;
  Geometry geo;
  void backward(const Tensor& g, Grads& out) override {
    const bool nx = inputs[0].requires_grad(), nw = inputs[1].requires_grad();
    const bool nb = inputs[2].defined() && inputs[2].requires_grad();
    if (g.dtype() == kFloat32)
      Conv2dImpl<float>::backward(g, col, weight, geo, nx, nw, nb, out);
    else
      Conv2dImpl<double>::backward(g, col, weight, geo, nx, nw, nb, out);
  }
  const char* name() const override { return "Conv2dBackward"; }
};

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Size2 stride,
              Size2 padding, Size2 dilation) {
  detail::require_nchw(input, "conv2d");
  if (!weight.defined() || weight.dim() != 4)
    throw Error("conv2d: expected a 4-d weight [out_channels, in_channels, kh, kw], got " +
                (weight.defined() ? weight.shape().str() : std::string("undefined")));
  if (weight.size(1) != input.size(1))
    throw Error("conv2d: the input " + input.shape().str() + " has " +
                std::to_string(input.size(1)) + " channels but the weight " + weight.shape().str() +
                " expects " + std::to_string(weight.size(1)));
  if (weight.dtype() != input.dtype() || (bias.defined() && bias.dtype() != input.dtype()))
    throw Error("conv2d: input, weight and bias must have the same dtype");
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0)))
    throw Error("conv2d: bias of shape " + bias.shape().str() + " does not match " +
                std::to_string(weight.size(0)) + " output channels");
  Geometry g;
  g.n = input.size(0), g.c = input.size(1), g.h = input.size(2), g.w = input.size(3);
  g.o = weight.size(0), g.kh = weight.size(2), g.kw = weight.size(3);
  g.stride = stride, g.pad = padding, g.dil = dilation;
  g.oh = detail::out_size("conv2d", "height", g.h, g.kh, stride[0], padding[0], dilation[0]);
  g.ow = detail::out_size("conv2d", "width", g.w, g.kw, stride[1], padding[1], dilation[1]);
  const Tensor x = input.contiguous(), w = weight.contiguous(),
               b = bias.defined() ? bias.contiguous() : Tensor();
  Tensor col, y;
  if (x.dtype() == kFloat32)
    y = Conv2dImpl<float>::forward(x, w, b, g, col);
  else
    y = Conv2dImpl<double>::forward(x, w, b, g, col);
  return record<Conv2dBackward>(y, {input, weight, bias}, [&](Conv2dBackward& n) {
    n.col = col;
    n.weight = w.detach();
    n.geo = g;
  });
}

}  // namespace soma::nn::functional
