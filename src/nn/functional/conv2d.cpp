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
// Threads take contiguous ranges of images, each with its own col buffer and its own
// partial dw/db (summed at the end); BLAS runs single-threaded inside (blas::SerialScope).
#include <algorithm>

#include "nn/functional/blas.hpp"
#include "nn/functional/check.hpp"
#include "nn/functional/parallel.hpp"
#include "soma/core/blas.hpp"
#include "soma/tensor/autograd.hpp"

namespace soma::nn::functional {

namespace {

struct Geometry {
  int64_t n, c, h, w, o, kh, kw, oh, ow;
  Size2 stride, pad, dil;
  int64_t p() const { return oh * ow; }
  int64_t k() const { return c * kh * kw; }
  // Range [lo, hi) of output columns whose input column ow*sw + off lies inside the image.
  void columns(int64_t off, int64_t* lo, int64_t* hi) const {
    const int64_t s = stride[1];
    *lo = off >= 0 ? 0 : std::min((-off + s - 1) / s, ow);
    *hi = w - 1 - off < 0 ? 0 : std::min((w - 1 - off) / s + 1, ow);
    *hi = std::max(*hi, *lo);
  }
};

// A "same" convolution (stride 1, output as large as the input: 3x3 with padding 1, the
// usual CNN layer) lets each row of col be the whole input plane shifted by one offset:
// one long copy instead of OH copies of OW elements, whose per-row overhead cost more than
// the copying (rows are 14 or 28 elements in a Fashion-MNIST CNN). The elements a shift
// wraps into the neighbouring image row are the ones padding covers; they are zeroed after.
struct Shift {
  int64_t begin, end;  // the flattened range [begin, end) of col's row read from the plane
  int64_t from;        // plane index of col element begin
  int64_t row_lo, row_hi, col_off;
};

bool shifts(const Geometry& g) {
  return g.stride[0] == 1 && g.stride[1] == 1 && g.oh == g.h && g.ow == g.w;
}

// The shift of col's row (i, j), or false where it leaves the plane entirely (an image
// smaller than the kernel's reach), for which the row-by-row path is used.
bool shift_of(const Geometry& g, int64_t i, int64_t j, Shift* s) {
  const int64_t roff = i * g.dil[0] - g.pad[0], coff = j * g.dil[1] - g.pad[1];
  if (roff <= -g.h || roff >= g.h || coff <= -g.w || coff >= g.w) return false;
  s->row_lo = std::max<int64_t>(0, -roff);
  s->row_hi = std::min(g.h, g.h - roff);
  s->col_off = coff;
  s->begin = s->row_lo * g.w + std::max<int64_t>(0, -coff);
  s->end = s->row_hi * g.w - std::max<int64_t>(0, coff);
  s->from = s->begin + roff * g.w + coff;
  return true;
}

// Zeroes the elements of a shifted row that wrapped across an image row's edge.
template <class T>
void clear_wrapped(T* row, const Shift& s, int64_t w) {
  const int64_t lo = s.col_off < 0 ? 0 : w - s.col_off, hi = s.col_off < 0 ? -s.col_off : w;
  for (int64_t r = s.row_lo; r < s.row_hi; ++r)
    for (int64_t c = lo; c < hi; ++c) row[r * w + c] = T(0);
}

// col [K, P] of one image x [C, H, W].
template <class T>
void im2col(const T* x, T* col, const Geometry& g) {
  const int64_t P = g.p();
  const bool fast = shifts(g);
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        const T* plane = x + c * g.h * g.w;
        T* dst = col + ((c * g.kh + i) * g.kw + j) * P;
        if (Shift sh; fast && shift_of(g, i, j, &sh)) {
          std::fill(dst, dst + sh.begin, T(0));
          std::copy(plane + sh.from, plane + sh.from + (sh.end - sh.begin), dst + sh.begin);
          std::fill(dst + sh.end, dst + P, T(0));
          clear_wrapped(dst, sh, g.w);
          continue;
        }
        const int64_t off = j * g.dil[1] - g.pad[1];
        int64_t lo, hi;
        g.columns(off, &lo, &hi);
        for (int64_t oh = 0; oh < g.oh; ++oh) {
          const int64_t ih = oh * g.stride[0] - g.pad[0] + i * g.dil[0];
          T* row = dst + oh * g.ow;
          if (ih < 0 || ih >= g.h) {
            std::fill(row, row + g.ow, T(0));
            continue;
          }
          const T* line = plane + ih * g.w + off;
          // Plain loops, not std::copy/fill: rows are a few dozen elements, where the
          // library calls' fixed cost dominates.
          for (int64_t ow = 0; ow < lo; ++ow) row[ow] = T(0);
          if (g.stride[1] == 1) {
#pragma omp simd
            for (int64_t ow = lo; ow < hi; ++ow) row[ow] = line[ow];
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) row[ow] = line[ow * g.stride[1]];
          }
          for (int64_t ow = hi; ow < g.ow; ++ow) row[ow] = T(0);
        }
      }
}

// dx [C, H, W] of one image = the adjoint of im2col applied to dcol [K, P]. dcol is
// scratch: the shifted path zeroes its wrapped elements so that one long add can skip them.
template <class T>
void col2im(T* col, T* dx, const Geometry& g) {
  const int64_t P = g.p();
  const bool fast = shifts(g);
  std::fill(dx, dx + g.c * g.h * g.w, T(0));
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        T* plane = dx + c * g.h * g.w;
        T* src = col + ((c * g.kh + i) * g.kw + j) * P;
        if (Shift sh; fast && shift_of(g, i, j, &sh)) {
          clear_wrapped(src, sh, g.w);
          T* to = plane + sh.from;
          const T* from = src + sh.begin;
#pragma omp simd
          for (int64_t q = 0; q < sh.end - sh.begin; ++q) to[q] += from[q];
          continue;
        }
        const int64_t off = j * g.dil[1] - g.pad[1];
        int64_t lo, hi;
        g.columns(off, &lo, &hi);
        for (int64_t oh = 0; oh < g.oh; ++oh) {
          const int64_t ih = oh * g.stride[0] - g.pad[0] + i * g.dil[0];
          if (ih < 0 || ih >= g.h) continue;
          T* line = plane + ih * g.w + off;
          const T* row = src + oh * g.ow;
          if (g.stride[1] == 1)
#pragma omp simd
            for (int64_t ow = lo; ow < hi; ++ow) line[ow] += row[ow];
          else
            for (int64_t ow = lo; ow < hi; ++ow) line[ow * g.stride[1]] += row[ow];
        }
      }
}

template <class T>
struct Conv2dImpl {
  static Tensor forward(const Tensor& x, const Tensor& w, const Tensor& b, const Geometry& g) {
    const int64_t P = g.p(), K = g.k();
    const int nt = detail::threads_for(g.n, 2.0 * g.n * g.o * K * P);
    Tensor y = empty({g.n, g.o, g.oh, g.ow}, x.dtype());
    Tensor ws = empty({nt, K * P}, x.dtype());
    const T* xs = x.data_ptr<T>();
    const T* ws_w = w.data_ptr<T>();
    const T* bias = b.defined() ? b.data_ptr<T>() : nullptr;
    T* ys = y.data_ptr<T>();
    T* cols = ws.data_ptr<T>();
    const blas::SerialScope serial(nt > 1);
    detail::parallel_ranges(nt, g.n, [&](int t, int64_t begin, int64_t end) {
      T* col = cols + t * K * P;
      for (int64_t n = begin; n < end; ++n) {
        im2col(xs + n * g.c * g.h * g.w, col, g);
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
    const int64_t P = g.p(), K = g.k(), O = g.o;
    const Tensor gc = grad.contiguous();
    const double flops = 2.0 * g.n * O * K * P * ((need_w ? 1 : 0) + (need_x ? 1 : 0));
    const int nt = detail::threads_for(g.n, flops);
    // Per thread: a col buffer (im2col for dw, dcol for dx), partial dw and db.
    Tensor ws = empty({nt, K * P}, grad.dtype());
    Tensor dws = need_w ? zeros({nt, O * K}, grad.dtype()) : Tensor();
    Tensor dbs = need_b ? zeros({nt, O}, grad.dtype()) : Tensor();
    Tensor dx = need_x ? empty({g.n, g.c, g.h, g.w}, grad.dtype()) : Tensor();
    const T* gs = gc.data_ptr<T>();
    const T* xs = x.data_ptr<T>();
    const T* wp = w.data_ptr<T>();
    T* cols = ws.data_ptr<T>();
    const blas::SerialScope serial(nt > 1);
    detail::parallel_ranges(nt, g.n, [&](int t, int64_t begin, int64_t end) {
      T* col = cols + t * K * P;
      for (int64_t n = begin; n < end; ++n) {
        const T* gn = gs + n * O * P;
        if (need_w) {
          im2col(xs + n * g.c * g.h * g.w, col, g);
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
          col2im(col, dx.data_ptr<T>() + n * g.c * g.h * g.w, g);
        }
      }
    });
    // Partial sums in thread order: the result depends on the thread count only
    // through rounding.
    auto reduce = [nt](const Tensor& parts, int64_t len, Tensor& total) {
      const T* src = parts.data_ptr<T>();
      T* dst = total.data_ptr<T>();
      std::copy(src, src + len, dst);
      for (int t = 1; t < nt; ++t)
        for (int64_t i = 0; i < len; ++i) dst[i] += src[t * len + i];
    };
    if (need_w) {
      Tensor dw = empty({O, g.c, g.kh, g.kw}, grad.dtype());
      reduce(dws, O * K, dw);
      out[1] = dw;
    }
    if (need_b) {
      Tensor db = empty({O}, grad.dtype());
      reduce(dbs, O, db);
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

// A transposed convolution is the adjoint of a convolution: with geo the conv2d that maps
// the transposed output [N, C_out, Ho, Wo] back to the input [N, C_in, H, W] (weight
// [C_in, C_out, kh, kw] read as conv2d's [O, C, kh, kw]), its forward pass is that
// conv2d's input gradient (GEMM, then col2im), its input gradient is that conv2d's
// forward pass, and its weight gradient is that conv2d's weight gradient with the roles
// of input and output gradient swapped. No zeros are inserted between pixels, so a
// stride-2 layer does a quarter of the composed form's multiplications.
struct ConvTranspose2dBackward final : Node {
  Tensor x, weight;  // contiguous, detached
  Geometry geo;
  void backward(const Tensor& g, Grads& out) override {
    if (g.dtype() == kFloat32)
      run<float>(g, out);
    else
      run<double>(g, out);
  }
  template <class T>
  void run(const Tensor& g, Grads& out) {
    const Tensor gc = g.contiguous();
    if (inputs[0].requires_grad()) out[0] = Conv2dImpl<T>::forward(gc, weight, Tensor(), geo);
    if (inputs[1].requires_grad()) {
      Grads parts(3);
      Conv2dImpl<T>::backward(x, gc, weight, geo, false, true, false, parts);
      out[1] = parts[1];
    }
    if (inputs[2].defined() && inputs[2].requires_grad()) out[2] = gc.sum(Shape{0, 2, 3});
  }
  const char* name() const override { return "ConvTranspose2dBackward"; }
};

}  // namespace

namespace detail {

Tensor conv_transpose2d_direct(const Tensor& input, const Tensor& weight, const Tensor& bias,
                               Size2 stride, Size2 padding, Size2 output_padding, Size2 dilation) {
  Geometry g;
  g.n = input.size(0), g.o = input.size(1), g.oh = input.size(2), g.ow = input.size(3);
  g.c = weight.size(1), g.kh = weight.size(2), g.kw = weight.size(3);
  g.stride = stride, g.pad = padding, g.dil = dilation;
  g.h = (g.oh - 1) * stride[0] - 2 * padding[0] + dilation[0] * (g.kh - 1) + output_padding[0] + 1;
  g.w = (g.ow - 1) * stride[1] - 2 * padding[1] + dilation[1] * (g.kw - 1) + output_padding[1] + 1;
  // The conv2d back must land on the input's size exactly (an output_padding as large as
  // the stride, allowed when the dilation is larger, breaks that: the caller composes).
  const auto back = [](int64_t out, int64_t k, int64_t s, int64_t p, int64_t d) {
    return (out + 2 * p - d * (k - 1) - 1) / s + 1;
  };
  if (g.h < 1 || g.w < 1 || back(g.h, g.kh, stride[0], padding[0], dilation[0]) != g.oh ||
      back(g.w, g.kw, stride[1], padding[1], dilation[1]) != g.ow)
    return Tensor();
  const Tensor x = input.contiguous(), w = weight.contiguous();
  Grads parts(3);
  if (x.dtype() == kFloat32)
    Conv2dImpl<float>::backward(x, x, w, g, true, false, false, parts);
  else
    Conv2dImpl<double>::backward(x, x, w, g, true, false, false, parts);
  Tensor y = parts[0];
  if (bias.defined()) {
    const Tensor b = bias.contiguous();
    const int64_t plane = g.h * g.w;
    auto add = [&](auto tag) {
      using T = decltype(tag);
      T* ys = y.data_ptr<T>();
      const T* bs = b.data_ptr<T>();
      for (int64_t n = 0; n < g.n; ++n)
        for (int64_t c = 0; c < g.c; ++c) {
          T* row = ys + (n * g.c + c) * plane;
          for (int64_t q = 0; q < plane; ++q) row[q] += bs[c];
        }
    };
    if (y.dtype() == kFloat32)
      add(float{});
    else
      add(double{});
  }
  return record<ConvTranspose2dBackward>(y, {input, weight, bias}, [&](ConvTranspose2dBackward& n) {
    n.x = x.detach();
    n.weight = w.detach();
    n.geo = g;
  });
}

}  // namespace detail

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

}  // namespace soma::nn::functional
