// conv2d as im2col + GEMM one image at a time, and its backward pass.
//
// Legend: x [N, C, H, W], w [O, C, KH, KW], y [N, O, OH, OW], P = OH * OW,
// K = C * KH * KW; per image n, col [K, P] with col[(c*KH + i)*KW + j, oh*OW + ow] =
// x[n, c, oh*sh - ph + i*dh, ow*sw - pw + j*dw] (0 outside the image).
//   forward:  y[n] [O, P] = w [O, K] @ col + b
//   backward: dw = sum_n g[n] @ col^T;  db = sum_n row sums of g[n];
//             dcol = w^T @ g[n];  dx[n] = col2im(dcol) (the adjoint of im2col: scatter-add)
// Why per image: col and dcol of one image stay in the L2 cache (a whole batch's col is
// 9 * C times the input), y comes out in NCHW without a transposing copy, and the
// backward pass recomputes col from x instead of keeping it for the whole batch.
// Float32 convolutions run through oneDNN first where soma is built with it (onednn.hpp);
// this path is the one for float64, for builds without oneDNN and for what it refuses.
// Threads take contiguous ranges of images, each with its own col buffer and its own
// partial dw/db (summed at the end); BLAS runs single-threaded inside (blas::SerialScope).
#include <algorithm>
#include <string>
#include <type_traits>

#include "nn/functional/blas.hpp"
#include "nn/functional/check.hpp"
#include "nn/functional/im2col.hpp"
#include "nn/functional/onednn.hpp"
#include "nn/functional/parallel.hpp"
#include "soma/core/blas.hpp"
#include "soma/tensor/autograd.hpp"

namespace soma::nn::functional {

namespace {

using detail::col2im;
using detail::Geometry;
using detail::im2col;

template <class T>
struct Conv2dImpl {
  // detail::whole_kernel: y [N, O] = x [N, K] @ w [O, K]^T + b, one GEMM (BLAS's threads).
  static Tensor forward_whole(const Tensor& x, const Tensor& w, const Tensor& b,
                              const Geometry& g) {
    const int64_t K = g.k();
    Tensor y = empty({g.n, g.o, 1, 1}, x.dtype());
    T* ys = y.data_ptr<T>();
    detail::gemm(false, true, g.n, g.o, K, x.data_ptr<T>(), K, w.data_ptr<T>(), K, T(0), ys, g.o);
    if (b.defined()) {
      const T* bias = b.data_ptr<T>();
      for (int64_t n = 0; n < g.n; ++n)
        for (int64_t o = 0; o < g.o; ++o) ys[n * g.o + o] += bias[o];
    }
    return y;
  }

  // Its backward: dw = g^T @ x, dx = g @ w, db = column sums of g [N, O].
  static void backward_whole(const Tensor& grad, const Tensor& x, const Tensor& w,
                             const Geometry& g, bool need_x, bool need_w, bool need_b, Grads& out) {
    const int64_t K = g.k(), O = g.o;
    const Tensor gc = grad.contiguous();
    const T* gs = gc.data_ptr<T>();
    if (need_w) {
      Tensor dw = empty({O, g.c, g.kh, g.kw}, grad.dtype());
      detail::gemm(true, false, O, K, g.n, gs, O, x.data_ptr<T>(), K, T(0), dw.data_ptr<T>(), K);
      out[1] = dw;
    }
    if (need_b) {
      Tensor db = zeros({O}, grad.dtype());
      T* d = db.data_ptr<T>();
      for (int64_t n = 0; n < g.n; ++n)
        for (int64_t o = 0; o < O; ++o) d[o] += gs[n * O + o];
      out[2] = db;
    }
    if (need_x) {
      Tensor dx = empty({g.n, g.c, g.h, g.w}, grad.dtype());
      detail::gemm(false, false, g.n, K, O, gs, O, w.data_ptr<T>(), K, T(0), dx.data_ptr<T>(), K);
      out[0] = dx;
    }
  }

  // oneDNN's direct kernels (float32, when built with it): false where it does not run.
  static bool forward_onednn(const Tensor& x, const Tensor& w, const Tensor& b, const Geometry& g,
                             Tensor& y) {
    if constexpr (std::is_same_v<T, float>) {
      y = empty({g.n, g.o, g.oh, g.ow}, x.dtype());
      return detail::onednn::forward(g, x.data_ptr<T>(), w.data_ptr<T>(),
                                     b.defined() ? b.data_ptr<T>() : nullptr, y.data_ptr<T>());
    }
    return false;
  }

  static bool backward_onednn(const Tensor& grad, const Tensor& x, const Tensor& w,
                              const Geometry& g, bool need_x, bool need_w, bool need_b,
                              Grads& out) {
    if constexpr (std::is_same_v<T, float>) {
      const Tensor gc = grad.contiguous();
      Tensor dx, dw, db;
      if (need_x) {
        dx = empty({g.n, g.c, g.h, g.w}, grad.dtype());
        if (!detail::onednn::backward_data(g, gc.data_ptr<T>(), w.data_ptr<T>(), dx.data_ptr<T>()))
          return false;
      }
      if (need_w || need_b) {  // the bias gradient comes with the weight gradient's pass
        dw = empty({g.o, g.c, g.kh, g.kw}, grad.dtype());
        if (need_b) db = empty({g.o}, grad.dtype());
        if (!detail::onednn::backward_weights(g, x.data_ptr<T>(), gc.data_ptr<T>(),
                                              dw.data_ptr<T>(),
                                              need_b ? db.data_ptr<T>() : nullptr))
          return false;
      }
      if (need_x) out[0] = dx;
      if (need_w) out[1] = dw;
      if (need_b) out[2] = db;
      return true;
    }
    return false;
  }

  static Tensor forward(const Tensor& x, const Tensor& w, const Tensor& b, const Geometry& g) {
    if (detail::whole_kernel(g)) return forward_whole(x, w, b, g);
    if (Tensor y; forward_onednn(x, w, b, g, y)) return y;
    const int64_t P = g.p(), K = g.k();
    const int nt = detail::threads_for(g.n, 2.0 * g.n * g.o * K * P);
    Tensor y = empty({g.n, g.o, g.oh, g.ow}, x.dtype());
    const int64_t S = K * P + detail::scratch_size(g);  // per thread: col, then scratch
    Tensor ws = empty({nt, S}, x.dtype());
    const T* xs = x.data_ptr<T>();
    const T* ws_w = w.data_ptr<T>();
    const T* bias = b.defined() ? b.data_ptr<T>() : nullptr;
    T* ys = y.data_ptr<T>();
    T* cols = ws.data_ptr<T>();
    const blas::SerialScope serial(nt > 1);
    detail::parallel_ranges(nt, g.n, [&](int t, int64_t begin, int64_t end) {
      T* col = cols + t * S;
      T* scratch = col + K * P;
      for (int64_t n = begin; n < end; ++n) {
        im2col(xs + n * g.c * g.h * g.w, col, scratch, g);
        T* yn = ys + n * g.o * P;
        detail::gemm(false, false, g.o, P, K, ws_w, K, col, P, T(0), yn, P);
        if (bias)
          for (int64_t o = 0; o < g.o; ++o) {
            T* row = yn + o * P;
            const T bo = bias[o];
            for (int64_t p = 0; p < P; ++p) row[p] += bo;
          }
      }
    });
    return y;
  }

  static void backward(const Tensor& grad, const Tensor& x, const Tensor& w, const Geometry& g,
                       bool need_x, bool need_w, bool need_b, Grads& out) {
    if (detail::whole_kernel(g)) return backward_whole(grad, x, w, g, need_x, need_w, need_b, out);
    if (backward_onednn(grad, x, w, g, need_x, need_w, need_b, out)) return;
    const int64_t P = g.p(), K = g.k(), O = g.o;
    const Tensor gc = grad.contiguous();
    const double flops = 2.0 * g.n * O * K * P * ((need_w ? 1 : 0) + (need_x ? 1 : 0));
    const int nt = detail::threads_for(g.n, flops);
    // Per thread: a col buffer (im2col for dw, dcol for dx), partial dw and db.
    const int64_t S = K * P + detail::scratch_size(g);  // per thread: col, then scratch
    Tensor ws = empty({nt, S}, grad.dtype());
    Tensor dws = need_w ? zeros({nt, O * K}, grad.dtype()) : Tensor();
    Tensor dbs = need_b ? zeros({nt, O}, grad.dtype()) : Tensor();
    Tensor dx = need_x ? empty({g.n, g.c, g.h, g.w}, grad.dtype()) : Tensor();
    const T* gs = gc.data_ptr<T>();
    const T* xs = x.data_ptr<T>();
    const T* wp = w.data_ptr<T>();
    T* cols = ws.data_ptr<T>();
    const blas::SerialScope serial(nt > 1);
    detail::parallel_ranges(nt, g.n, [&](int t, int64_t begin, int64_t end) {
      T* col = cols + t * S;
      T* scratch = col + K * P;
      for (int64_t n = begin; n < end; ++n) {
        const T* gn = gs + n * O * P;
        if (need_w) {
          im2col(xs + n * g.c * g.h * g.w, col, scratch, g);
          detail::gemm(false, true, O, K, P, gn, P, col, P, T(1), dws.data_ptr<T>() + t * O * K, K);
        }
        if (need_b) {
          T* db = dbs.data_ptr<T>() + t * O;
          for (int64_t o = 0; o < O; ++o) {
            T s = T(0);
            // Lanes may sum in any order: without it the loop stays scalar.
#pragma omp simd reduction(+ : s)
            for (int64_t p = 0; p < P; ++p) s += gn[o * P + p];
            db[o] += s;
          }
        }
        if (need_x) {
          detail::gemm(true, false, K, P, O, wp, K, gn, P, T(0), col, P);
          col2im(col, dx.data_ptr<T>() + n * g.c * g.h * g.w, scratch, g);
        }
      }
    });
    if (need_w) {
      Tensor dw = empty({O, g.c, g.kh, g.kw}, grad.dtype());
      detail::sum_partials<T>(dws, nt, O * K, dw);
      out[1] = dw;
    }
    if (need_b) {
      Tensor db = empty({O}, grad.dtype());
      detail::sum_partials<T>(dbs, nt, O, db);
      out[2] = db;
    }
    if (need_x) out[0] = dx;
  }
};

struct Conv2dBackward final : Node {
  Tensor x, weight;  // contiguous, detached
  Geometry geo;
  void backward(const Tensor& g, Grads& out) override {
    const bool nx = inputs[0].requires_grad(), nw = inputs[1].requires_grad();
    const bool nb = inputs[2].defined() && inputs[2].requires_grad();
    if (g.dtype() == kFloat32)
      Conv2dImpl<float>::backward(g, x, weight, geo, nx, nw, nb, out);
    else
      Conv2dImpl<double>::backward(g, x, weight, geo, nx, nw, nb, out);
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
  Tensor y;
  if (x.dtype() == kFloat32)
    y = Conv2dImpl<float>::forward(x, w, b, g);
  else
    y = Conv2dImpl<double>::forward(x, w, b, g);
  return record<Conv2dBackward>(y, {input, weight, bias}, [&](Conv2dBackward& n) {
    n.x = x.detach();
    n.weight = w.detach();
    n.geo = g;
  });
}

std::string convolution_library() { return detail::onednn::describe(); }

}  // namespace soma::nn::functional
