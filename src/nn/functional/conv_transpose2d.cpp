// conv_transpose2d as conv2d's input gradient run forwards: with x [N, C_in, H, W] and the
// weight [C_in, C_out/g, kh, kw], it is the adjoint of the conv2d (same stride, padding,
// dilation) from y [N, C_out, OH, OW] to x, whose weight has exactly this layout. Per image
// and group, K = C_out/g * kh * kw, P = H * W:
//   forward:  col [K, P] = w^T @ x[n];  y[n] = col2im(col) + b
//   backward: col = im2col(g[n]);  dx[n] = w @ col;  dw += x[n] @ col^T;  db = sums of g
// so no work is spent on the zeros a stride inserts between pixels (3/4 of a stride-2
// input), and nothing is copied besides col. Threads take contiguous ranges of images, each
// with its own col and partial dw/db, summed in thread order at the end (as conv2d.cpp).
// Float32 with one group runs through oneDNN first where soma is built with it (onednn.hpp).
#include <string>
#include <type_traits>
#include <vector>

#include "nn/functional/blas.hpp"
#include "nn/functional/check.hpp"
#include "nn/functional/im2col.hpp"
#include "nn/functional/onednn.hpp"
#include "nn/functional/parallel.hpp"
#include "soma/core/blas.hpp"
#include "soma/core/error.hpp"
#include "soma/nn/functional.hpp"
#include "soma/tensor/autograd.hpp"

namespace soma::nn::functional {

namespace {

using detail::Geometry;

// One group's view: the conv2d geometry whose input is y (C_out/g channels, OH x OW) and
// whose output is x (C_in/g channels, H x W).
struct Plan {
  Geometry geo;
  int64_t groups, c_in, c_out;
  int64_t in_size() const { return geo.oh * geo.ow; }  // one x channel
  int64_t out_size() const { return geo.h * geo.w; }   // one y channel
};

// db [C_out] = the sums of the output gradient g [N, C_out, Q] over images and pixels.
template <class T>
Tensor bias_grad(const T* g, int64_t n_images, int64_t c_out, int64_t Q, DType dtype) {
  Tensor db = zeros({c_out}, dtype);
  T* d = db.data_ptr<T>();
  for (int64_t n = 0; n < n_images; ++n)
    for (int64_t c = 0; c < c_out; ++c) {
      const T* plane = g + (n * c_out + c) * Q;
      T s = T(0);
      // Lanes may sum in any order: without it the loop stays scalar.
#pragma omp simd reduction(+ : s)
      for (int64_t q = 0; q < Q; ++q) s += plane[q];
      d[c] += s;
    }
  return db;
}

// detail::whole_kernel with one group (a generator's first layer on a 1x1 input): y [N, K] =
// x [N, C_in] @ w [C_in, K] is one matrix product over the batch, with no col2im.
bool whole(const Plan& pl) { return pl.groups == 1 && detail::whole_kernel(pl.geo); }

template <class T>
struct ConvTranspose2dImpl {
  static Tensor forward_whole(const Tensor& x, const Tensor& w, const Tensor& b, const Plan& pl) {
    const Geometry& g = pl.geo;
    const int64_t K = g.k(), Q = pl.out_size();
    Tensor y = empty({g.n, pl.c_out, g.h, g.w}, x.dtype());
    T* ys = y.data_ptr<T>();
    detail::gemm(false, false, g.n, K, pl.c_in, x.data_ptr<T>(), pl.c_in, w.data_ptr<T>(), K, T(0),
                 ys, K);
    if (b.defined()) {
      const T* bias = b.data_ptr<T>();
      for (int64_t n = 0; n < g.n; ++n)
        for (int64_t c = 0; c < pl.c_out; ++c) {
          T* plane = ys + (n * pl.c_out + c) * Q;
          for (int64_t q = 0; q < Q; ++q) plane[q] += bias[c];
        }
    }
    return y;
  }

  // Its backward: dx = g @ w^T, dw = x^T @ g, db = g's sums per output channel.
  static void backward_whole(const Tensor& grad, const Tensor& x, const Tensor& w, const Plan& pl,
                             bool need_x, bool need_w, bool need_b, Grads& out) {
    const Geometry& g = pl.geo;
    const int64_t K = g.k(), Q = pl.out_size();
    const Tensor gc = grad.contiguous();
    const T* gs = gc.data_ptr<T>();
    if (need_x) {
      Tensor dx = empty({g.n, pl.c_in, g.oh, g.ow}, grad.dtype());
      detail::gemm(false, true, g.n, pl.c_in, K, gs, K, w.data_ptr<T>(), K, T(0), dx.data_ptr<T>(),
                   pl.c_in);
      out[0] = dx;
    }
    if (need_w) {
      Tensor dw = empty(w.shape(), grad.dtype());
      detail::gemm(true, false, pl.c_in, K, g.n, x.data_ptr<T>(), pl.c_in, gs, K, T(0),
                   dw.data_ptr<T>(), K);
      out[1] = dw;
    }
    if (need_b) out[2] = bias_grad<T>(gs, g.n, pl.c_out, Q, grad.dtype());
  }

  // Adds b to every pixel of y's channels.
  static void add_bias(T* ys, const T* bias, const Plan& pl) {
    const int64_t Q = pl.out_size();
    for (int64_t n = 0; n < pl.geo.n; ++n)
      for (int64_t c = 0; c < pl.c_out; ++c) {
        T* plane = ys + (n * pl.c_out + c) * Q;
        const T bc = bias[c];
        for (int64_t q = 0; q < Q; ++q) plane[q] += bc;
      }
  }

  // Float32 with one group through oneDNN (onednn.hpp), which has conv2d's forward, input
  // gradient and weight gradient: this layer's forward is conv2d's input gradient, its
  // input gradient conv2d's forward applied to the output gradient, its weight gradient
  // conv2d's with the roles of input and output gradient swapped. False: soma's path runs.
  static bool forward_onednn(const Tensor& x, const Tensor& w, const Tensor& b, const Plan& pl,
                             Tensor& y) {
    if constexpr (std::is_same_v<T, float>) {
      if (pl.groups != 1) return false;
      const Geometry& g = pl.geo;
      y = empty({g.n, pl.c_out, g.h, g.w}, x.dtype());
      if (!detail::onednn::backward_data(g, x.data_ptr<T>(), w.data_ptr<T>(), y.data_ptr<T>()))
        return false;
      if (b.defined()) add_bias(y.data_ptr<T>(), b.data_ptr<T>(), pl);
      return true;
    }
    return false;
  }

  static bool backward_onednn(const Tensor& grad, const Tensor& x, const Tensor& w, const Plan& pl,
                              bool need_x, bool need_w, bool need_b, Grads& out) {
    if constexpr (std::is_same_v<T, float>) {
      if (pl.groups != 1) return false;
      const Geometry& g = pl.geo;
      const Tensor gc = grad.contiguous();
      const T* gs = gc.data_ptr<T>();
      Tensor dx, dw;
      if (need_x) {
        dx = empty({g.n, pl.c_in, g.oh, g.ow}, grad.dtype());
        if (!detail::onednn::forward(g, gs, w.data_ptr<T>(), nullptr, dx.data_ptr<T>()))
          return false;
      }
      if (need_w) {
        dw = empty(w.shape(), grad.dtype());
        if (!detail::onednn::backward_weights(g, gs, x.data_ptr<T>(), dw.data_ptr<T>(), nullptr))
          return false;
      }
      if (need_b) {
        out[2] = bias_grad<T>(gs, g.n, pl.c_out, pl.out_size(), grad.dtype());
      }
      if (need_x) out[0] = dx;
      if (need_w) out[1] = dw;
      return true;
    }
    return false;
  }

  static Tensor forward(const Tensor& x, const Tensor& w, const Tensor& b, const Plan& pl) {
    if (whole(pl)) return forward_whole(x, w, b, pl);
    if (Tensor y; forward_onednn(x, w, b, pl, y)) return y;
    const Geometry& g = pl.geo;
    const int64_t P = g.p(), K = g.k(), in_g = g.o;
    const int nt = detail::threads_for(g.n, 2.0 * g.n * pl.groups * in_g * K * P);
    Tensor y = empty({g.n, pl.c_out, g.h, g.w}, x.dtype());
    const int64_t S = K * P + detail::scratch_size(g);  // per thread: col, then scratch
    Tensor ws = empty({nt, S}, x.dtype());
    const T* xs = x.data_ptr<T>();
    const T* wp = w.data_ptr<T>();
    const T* bias = b.defined() ? b.data_ptr<T>() : nullptr;
    T* ys = y.data_ptr<T>();
    T* cols = ws.data_ptr<T>();
    const blas::SerialScope serial(nt > 1);
    detail::parallel_ranges(nt, g.n, [&](int t, int64_t begin, int64_t end) {
      T* col = cols + t * S;
      T* scratch = col + K * P;
      for (int64_t n = begin; n < end; ++n)
        for (int64_t gi = 0; gi < pl.groups; ++gi) {
          const T* xn = xs + (n * pl.c_in + gi * in_g) * P;
          detail::gemm(true, false, K, P, in_g, wp + gi * in_g * K, K, xn, P, T(0), col, P);
          T* yn = ys + (n * pl.c_out + gi * g.c) * pl.out_size();
          detail::col2im(col, yn, scratch, g);
          if (bias)
            for (int64_t c = 0; c < g.c; ++c) {
              T* plane = yn + c * pl.out_size();
              const T bc = bias[gi * g.c + c];
              for (int64_t q = 0; q < pl.out_size(); ++q) plane[q] += bc;
            }
        }
    });
    return y;
  }

  static void backward(const Tensor& grad, const Tensor& x, const Tensor& w, const Plan& pl,
                       bool need_x, bool need_w, bool need_b, Grads& out) {
    if (whole(pl)) return backward_whole(grad, x, w, pl, need_x, need_w, need_b, out);
    if (backward_onednn(grad, x, w, pl, need_x, need_w, need_b, out)) return;
    const Geometry& g = pl.geo;
    const int64_t P = g.p(), K = g.k(), in_g = g.o, Q = pl.out_size();
    const Tensor gc = grad.contiguous();
    const double flops =
        2.0 * g.n * pl.groups * in_g * K * P * ((need_w ? 1 : 0) + (need_x ? 1 : 0));
    const int nt = detail::threads_for(g.n, flops);
    const int64_t S = K * P + detail::scratch_size(g);  // per thread: col, then scratch
    Tensor ws = empty({nt, S}, grad.dtype());
    Tensor dws = need_w ? zeros({nt, pl.c_in * K}, grad.dtype()) : Tensor();
    Tensor dbs = need_b ? zeros({nt, pl.c_out}, grad.dtype()) : Tensor();
    Tensor dx = need_x ? empty({g.n, pl.c_in, g.oh, g.ow}, grad.dtype()) : Tensor();
    const T* gs = gc.data_ptr<T>();
    const T* xs = x.data_ptr<T>();
    const T* wp = w.data_ptr<T>();
    T* cols = ws.data_ptr<T>();
    const blas::SerialScope serial(nt > 1);
    detail::parallel_ranges(nt, g.n, [&](int t, int64_t begin, int64_t end) {
      T* col = cols + t * S;
      T* scratch = col + K * P;
      for (int64_t n = begin; n < end; ++n) {
        const T* gn = gs + n * pl.c_out * Q;
        if (need_b) {
          T* db = dbs.data_ptr<T>() + t * pl.c_out;
          for (int64_t c = 0; c < pl.c_out; ++c) {
            T s = T(0);
            // Lanes may sum in any order: without it the loop stays scalar.
#pragma omp simd reduction(+ : s)
            for (int64_t q = 0; q < Q; ++q) s += gn[c * Q + q];
            db[c] += s;
          }
        }
        if (!need_x && !need_w) continue;
        for (int64_t gi = 0; gi < pl.groups; ++gi) {
          detail::im2col(gn + gi * g.c * Q, col, scratch, g);
          const T* wg = wp + gi * in_g * K;
          if (need_x)
            detail::gemm(false, false, in_g, P, K, wg, K, col, P, T(0),
                         dx.data_ptr<T>() + (n * pl.c_in + gi * in_g) * P, P);
          if (need_w)
            detail::gemm(false, true, in_g, K, P, xs + (n * pl.c_in + gi * in_g) * P, P, col, P,
                         T(1), dws.data_ptr<T>() + t * pl.c_in * K + gi * in_g * K, K);
        }
      }
    });
    if (need_w) {
      Tensor dw = empty(w.shape(), grad.dtype());
      detail::sum_partials<T>(dws, nt, pl.c_in * K, dw);
      out[1] = dw;
    }
    if (need_b) {
      Tensor db = empty({pl.c_out}, grad.dtype());
      detail::sum_partials<T>(dbs, nt, pl.c_out, db);
      out[2] = db;
    }
    if (need_x) out[0] = dx;
  }
};

struct ConvTranspose2dBackward final : Node {
  Tensor x, weight;  // contiguous, detached
  Plan plan;
  void backward(const Tensor& g, Grads& out) override {
    const bool nx = inputs[0].requires_grad(), nw = inputs[1].requires_grad();
    const bool nb = inputs[2].defined() && inputs[2].requires_grad();
    if (g.dtype() == kFloat32)
      ConvTranspose2dImpl<float>::backward(g, x, weight, plan, nx, nw, nb, out);
    else
      ConvTranspose2dImpl<double>::backward(g, x, weight, plan, nx, nw, nb, out);
  }
  const char* name() const override { return "ConvTranspose2dBackward"; }
};

}  // namespace

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Size2 stride,
                        Size2 padding, Size2 output_padding, int64_t groups, Size2 dilation) {
  const char* op = "conv_transpose2d";
  detail::require_nchw(input, op);
  if (!weight.defined() || weight.dim() != 4)
    throw Error(std::string(op) + ": expected a 4-d weight [C_in, C_out / groups, kh, kw], got " +
                (weight.defined() ? weight.shape().str() : std::string("undefined")));
  if (groups < 1)
    throw Error(std::string(op) + ": groups must be positive, got " + std::to_string(groups));
  const int64_t c_in = input.size(1);
  if (weight.size(0) != c_in || c_in % groups != 0)
    throw Error(std::string(op) + ": the input has " + std::to_string(c_in) +
                " channels; expected weight.size(0) (" + std::to_string(weight.size(0)) +
                ") equal to it and divisible by groups (" + std::to_string(groups) + ")");
  if (input.dtype() != weight.dtype())
    throw Error(std::string(op) + ": input and weight dtypes differ (" + dtype_name(input.dtype()) +
                ", " + dtype_name(weight.dtype()) + ")");
  const int64_t c_out = weight.size(1) * groups;
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != c_out))
    throw Error(std::string(op) + ": expected bias of shape [" + std::to_string(c_out) + "], got " +
                bias.shape().str());
  if (bias.defined() && bias.dtype() != input.dtype())
    throw Error(std::string(op) + ": bias and input dtypes differ (" + dtype_name(bias.dtype()) +
                ", " + dtype_name(input.dtype()) + ")");
  const char* names[2] = {"height", "width"};
  int64_t outs[2];
  for (int k = 0; k < 2; ++k) {
    const int64_t kernel = weight.size(2 + k);
    if (stride[k] < 1 || dilation[k] < 1 || padding[k] < 0 || output_padding[k] < 0)
      throw Error(std::string(op) + ": stride and dilation must be positive, padding and " +
                  "output_padding non-negative (" + names[k] + ")");
    if (output_padding[k] >= std::max(stride[k], dilation[k]))
      throw Error(std::string(op) + ": output_padding (" + std::to_string(output_padding[k]) +
                  ") must be smaller than either stride or dilation (" + names[k] + ")");
    const int64_t out = (input.size(2 + k) - 1) * stride[k] - 2 * padding[k] +
                        dilation[k] * (kernel - 1) + output_padding[k] + 1;
    if (out < 1)
      throw Error(std::string(op) + ": the output " + names[k] + " would be " +
                  std::to_string(out) + "; expected at least 1");
    outs[k] = out;
  }
  Plan pl;
  pl.groups = groups, pl.c_in = c_in, pl.c_out = c_out;
  Geometry& g = pl.geo;
  g.n = input.size(0), g.c = weight.size(1), g.h = outs[0], g.w = outs[1];
  g.o = c_in / groups, g.kh = weight.size(2), g.kw = weight.size(3);
  // x's size, not what conv2d's formula gives for y: output_padding rows (and, with
  // dilation > stride, more) are ones no input pixel reaches.
  g.oh = input.size(2), g.ow = input.size(3);
  g.stride = stride, g.pad = padding, g.dil = dilation;
  const Tensor x = input.contiguous(), w = weight.contiguous(),
               b = bias.defined() ? bias.contiguous() : Tensor();
  Tensor y;
  if (x.dtype() == kFloat32)
    y = ConvTranspose2dImpl<float>::forward(x, w, b, pl);
  else
    y = ConvTranspose2dImpl<double>::forward(x, w, b, pl);
  return record<ConvTranspose2dBackward>(y, {input, weight, bias}, [&](ConvTranspose2dBackward& n) {
    n.x = x.detach();
    n.weight = w.detach();
    n.plan = pl;
  });
}

}  // namespace soma::nn::functional
