// max_pool2d (argmax indices kept for the backward pass) and avg_pool2d.
// Legend: x [N, C, H, W] seen as N*C planes; y [N, C, OH, OW]; each output looks at
// the window rows oh*sh - ph .. + KH, columns ow*sw - pw .. + KW.
#include <algorithm>
#include <cmath>
#include <limits>

#include "nn/functional/check.hpp"
#include "nn/functional/max_pool_2x2.hpp"
#include "nn/functional/parallel.hpp"
#include "soma/tensor/autograd.hpp"

namespace soma::nn::functional {

namespace {

struct Window {
  int64_t planes, h, w, oh, ow;
  Size2 kernel, stride, pad;
};

Window window(const Tensor& x, const char* op, Size2 kernel, Size2 stride, Size2 pad) {
  detail::require_nchw(x, op);
  if (stride[0] == 0 && stride[1] == 0) stride = kernel;
  for (int d = 0; d < 2; ++d)
    if (pad[d] < 0 || pad[d] * 2 > kernel[d])
      throw Error(std::string(op) +
                  ": padding should be at most half of the kernel size, got padding " +
                  std::to_string(pad[d]) + " for kernel " + std::to_string(kernel[d]));
  Window w;
  w.planes = x.size(0) * x.size(1), w.h = x.size(2), w.w = x.size(3);
  w.kernel = kernel, w.stride = stride, w.pad = pad;
  w.oh = detail::out_size(op, "height", w.h, kernel[0], stride[0], pad[0], 1);
  w.ow = detail::out_size(op, "width", w.w, kernel[1], stride[1], pad[1], 1);
  return w;
}

// ---- max pooling

// The common 2x2, stride 2, unpadded window has its own kernels: the forward pass keeps no
// indices (the backward pass finds each window's maximum again in the saved input, which
// costs less than writing and reading an int64 per output) and the backward pass writes
// every element of dx once instead of zero-filling and scattering.
bool is_2x2(const Window& w) {
  return w.kernel == Size2{2, 2} && w.stride == Size2{2, 2} && w.pad == Size2{0, 0};
}

template <class T>
void max_pool_2x2(const T* x, T* y, const Window& w) {
  auto* const row = detail::max_pool_2x2_kernels().row<T>();
  detail::parallel_for(w.planes, 4.0 * w.planes * w.oh * w.ow, [&](int64_t p0, int64_t p1) {
    // Whole-vector spills stay inside this thread's planes (see MaxPoolRowFn).
    const int64_t x_end = p1 * w.h * w.w, y_end = p1 * w.oh * w.ow;
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t oh = 0; oh < w.oh; ++oh) {
        const int64_t r0 = (p * w.h + 2 * oh) * w.w, r1 = r0 + w.w, out = (p * w.oh + oh) * w.ow;
        const bool spill = r1 + 2 * w.ow + 16 <= x_end && out + w.ow + 16 <= y_end;
        row(x + r0, x + r1, y + out, w.ow, spill);
      }
  });
}

template <class T>
void max_pool_2x2_backward(const T* x, const T* g, T* dx, const Window& w) {
  auto* const row_backward = detail::max_pool_2x2_kernels().row_backward<T>();
  detail::parallel_for(w.planes, 8.0 * w.planes * w.oh * w.ow, [&](int64_t p0, int64_t p1) {
    // Whole-vector spills stay inside this thread's planes (see MaxPoolRowBackwardFn).
    const int64_t x_end = p1 * w.h * w.w, g_end = p1 * w.oh * w.ow;
    for (int64_t p = p0; p < p1; ++p) {
      for (int64_t oh = 0; oh < w.oh; ++oh) {
        const int64_t r0 = (p * w.h + 2 * oh) * w.w, r1 = r0 + w.w, gi = (p * w.oh + oh) * w.ow;
        const bool spill = r1 + 2 * w.ow + 16 <= x_end && gi + w.ow + 16 <= g_end;
        T* d0 = dx + r0;
        T* d1 = dx + r1;
        row_backward(x + r0, x + r1, g + gi, d0, d1, w.ow, spill);
        // An odd width leaves a last column that no window covers.
        for (int64_t j = 2 * w.ow; j < w.w; ++j) d0[j] = d1[j] = T(0);
      }
      // Likewise an odd height's last row.
      for (int64_t i = 2 * w.oh; i < w.h; ++i)
        std::fill(dx + (p * w.h + i) * w.w, dx + (p * w.h + i + 1) * w.w, T(0));
    }
  });
}

struct MaxPool2dBackward final : Node {
  Tensor indices;  // int64 [N, C, OH, OW]: position h * W + w of the maximum in its plane
  Tensor input;    // 2x2 windows: the contiguous input instead of indices
  Window win;
  Shape input_shape;
  void backward(const Tensor& g, Grads& out) override {
    Tensor gc = g.contiguous();
    if (input.defined()) {
      Tensor dx = empty(input_shape, g.dtype());
      if (g.dtype() == kFloat32)
        max_pool_2x2_backward(input.data_ptr<float>(), gc.data_ptr<float>(), dx.data_ptr<float>(),
                              win);
      else
        max_pool_2x2_backward(input.data_ptr<double>(), gc.data_ptr<double>(),
                              dx.data_ptr<double>(), win);
      out[0] = dx;
      return;
    }
    Tensor dx = zeros(input_shape, g.dtype());
    const int64_t planes = input_shape[0] * input_shape[1], hw = input_shape[2] * input_shape[3];
    const int64_t ohw = gc.numel() / std::max<int64_t>(planes, 1);
    const int64_t* idx = indices.data_ptr<int64_t>();
    auto run = [&](auto tag) {
      using T = decltype(tag);
      const T* gs = gc.data_ptr<T>();
      T* d = dx.data_ptr<T>();
      detail::parallel_for(planes, 2.0 * planes * ohw, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p)
          for (int64_t q = 0; q < ohw; ++q) d[p * hw + idx[p * ohw + q]] += gs[p * ohw + q];
      });
    };
    if (g.dtype() == kFloat32)
      run(float{});
    else
      run(double{});
    out[0] = dx;
  }
  const char* name() const override { return "MaxPool2dBackward"; }
};

template <class T>
void max_pool_kernel(const T* x, T* y, int64_t* idx, const Window& w) {
  const double work = 2.0 * w.planes * w.oh * w.ow * w.kernel[0] * w.kernel[1];
  detail::parallel_for(w.planes, work, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* src = x + p * w.h * w.w;
      for (int64_t oh = 0; oh < w.oh; ++oh)
        for (int64_t ow = 0; ow < w.ow; ++ow) {
          const int64_t h0 = oh * w.stride[0] - w.pad[0], w0 = ow * w.stride[1] - w.pad[1];
          T best = -std::numeric_limits<T>::infinity();
          int64_t at = std::max<int64_t>(h0, 0) * w.w + std::max<int64_t>(w0, 0);
          const int64_t i0 = std::max<int64_t>(h0, 0), i1 = std::min(h0 + w.kernel[0], w.h);
          const int64_t j0 = std::max<int64_t>(w0, 0), j1 = std::min(w0 + w.kernel[1], w.w);
          bool nan = false;
          for (int64_t i = i0; i < i1 && !nan; ++i)
            for (int64_t j = j0; j < j1; ++j) {
              const T v = src[i * w.w + j];
              // The first maximum; NaN propagates, as in torch (one comparison covers both).
              if (!(v <= best)) {
                best = v;
                at = i * w.w + j;
                if ((nan = std::isnan(v))) break;
              }
            }
          const int64_t o = (p * w.oh + oh) * w.ow + ow;
          y[o] = best;
          idx[o] = at;
        }
    }
  });
}

// ---- average pooling

struct AvgPool2dBackward final : Node {
  Shape input_shape;
  Window win;
  void backward(const Tensor& g, Grads& out) override;
  const char* name() const override { return "AvgPool2dBackward"; }
};

template <class T, bool Backward>
void avg_pool_kernel(const T* in, T* outp, const Window& w) {
  // Forward: in = x, out = y. Backward: in = g (output-shaped), out = dx (zeroed).
  const T divisor = static_cast<T>(w.kernel[0] * w.kernel[1]);
  const double work = 2.0 * w.planes * w.oh * w.ow * w.kernel[0] * w.kernel[1];
  detail::parallel_for(w.planes, work, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t oh = 0; oh < w.oh; ++oh)
        for (int64_t ow = 0; ow < w.ow; ++ow) {
          const int64_t h0 = oh * w.stride[0] - w.pad[0], w0 = ow * w.stride[1] - w.pad[1];
          const int64_t o = (p * w.oh + oh) * w.ow + ow;
          const int64_t i0 = std::max<int64_t>(h0, 0), i1 = std::min(h0 + w.kernel[0], w.h);
          const int64_t j0 = std::max<int64_t>(w0, 0), j1 = std::min(w0 + w.kernel[1], w.w);
          if constexpr (Backward) {
            const T share = in[o] / divisor;
            T* dst = outp + p * w.h * w.w;
            for (int64_t i = i0; i < i1; ++i)
              for (int64_t j = j0; j < j1; ++j) dst[i * w.w + j] += share;
          } else {
            const T* src = in + p * w.h * w.w;
            T s = T(0);
            for (int64_t i = i0; i < i1; ++i)
              for (int64_t j = j0; j < j1; ++j) s += src[i * w.w + j];
            outp[o] = s / divisor;
          }
        }
  });
}

void AvgPool2dBackward::backward(const Tensor& g, Grads& out) {
  Tensor gc = g.contiguous();
  Tensor dx = zeros(input_shape, g.dtype());
  if (g.dtype() == kFloat32)
    avg_pool_kernel<float, true>(gc.data_ptr<float>(), dx.data_ptr<float>(), win);
  else
    avg_pool_kernel<double, true>(gc.data_ptr<double>(), dx.data_ptr<double>(), win);
  out[0] = dx;
}

}  // namespace

Tensor max_pool2d(const Tensor& input, Size2 kernel, Size2 stride, Size2 padding) {
  const Window w = window(input, "max_pool2d", kernel, stride, padding);
  const Tensor x = input.contiguous();
  Tensor y = empty({input.size(0), input.size(1), w.oh, w.ow}, input.dtype());
  if (is_2x2(w)) {
    if (x.dtype() == kFloat32)
      max_pool_2x2(x.data_ptr<float>(), y.data_ptr<float>(), w);
    else
      max_pool_2x2(x.data_ptr<double>(), y.data_ptr<double>(), w);
    return record<MaxPool2dBackward>(y, {input}, [&](MaxPool2dBackward& n) {
      n.input = x.detach();
      n.win = w;
      n.input_shape = input.shape();
    });
  }
  Tensor idx = empty(y.shape(), kInt64);
  if (x.dtype() == kFloat32)
    max_pool_kernel(x.data_ptr<float>(), y.data_ptr<float>(), idx.data_ptr<int64_t>(), w);
  else
    max_pool_kernel(x.data_ptr<double>(), y.data_ptr<double>(), idx.data_ptr<int64_t>(), w);
  return record<MaxPool2dBackward>(y, {input}, [&](MaxPool2dBackward& n) {
    n.indices = idx;
    n.win = w;
    n.input_shape = input.shape();
  });
}

Tensor avg_pool2d(const Tensor& input, Size2 kernel, Size2 stride, Size2 padding) {
  const Window w = window(input, "avg_pool2d", kernel, stride, padding);
  const Tensor x = input.contiguous();
  Tensor y = empty({input.size(0), input.size(1), w.oh, w.ow}, input.dtype());
  if (x.dtype() == kFloat32)
    avg_pool_kernel<float, false>(x.data_ptr<float>(), y.data_ptr<float>(), w);
  else
    avg_pool_kernel<double, false>(x.data_ptr<double>(), y.data_ptr<double>(), w);
  return record<AvgPool2dBackward>(y, {input}, [&](AvgPool2dBackward& n) {
    n.input_shape = input.shape();
    n.win = w;
  });
}

}  // namespace soma::nn::functional
