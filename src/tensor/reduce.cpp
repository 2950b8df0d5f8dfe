// Reductions over all elements or chosen dimensions, with keepdim.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>

#include "elementwise_kernel.hpp"
#include "soma/core/error.hpp"

namespace soma {

namespace {

// Which dimensions a reduction covers, one flag per dimension (inline: no allocation).
struct DimMask {
  std::array<bool, Shape::kMaxDims> on{};
  int n = 0;
  bool operator[](int i) const { return on[static_cast<size_t>(i)]; }
  bool& operator[](int i) { return on[static_cast<size_t>(i)]; }
  const bool* begin() const { return on.data(); }
  const bool* end() const { return on.data() + n; }
};

// Empty `dims` means all.
DimMask reduce_mask(const Tensor& a, const Shape& dims) {
  DimMask mask;
  mask.n = a.dim();
  for (int i = 0; i < mask.n; ++i) mask[i] = dims.empty();
  for (int64_t d : dims) {
    const int w = wrap_dim(d, a.dim());
    if (a.dim() > 0) {
      if (mask[w] && !dims.empty()) {
        bool repeated = false;
        for (int64_t e : dims) repeated |= (wrap_dim(e, a.dim()) == w);
        (void)repeated;
      }
      mask[w] = true;
    }
  }
  return mask;
}

Shape reduced_shape(const Tensor& a, const DimMask& mask, bool keepdim) {
  Shape s;
  for (int i = 0; i < a.dim(); ++i) {
    if (!mask[i])
      s.push_back(a.shape()[i]);
    else if (keepdim)
      s.push_back(1);
  }
  return s;
}

// Views a so that the reduced dimensions form one middle block: [outer, R, inner].
// Returns the (possibly permuted and copied) contiguous source.
Tensor arrange_for_reduce(const Tensor& a, const DimMask& mask, int64_t& outer, int64_t& r,
                          int64_t& inner) {
  int first = -1, last = -1;
  bool block = true;
  for (int i = 0; i < a.dim(); ++i)
    if (mask[i]) {
      if (first < 0)
        first = i;
      else if (last != i - 1)
        block = false;
      last = i;
    }
  Tensor src = a;
  if (!block) {
    Shape order;
    for (int i = 0; i < a.dim(); ++i)
      if (!mask[i]) order.push_back(i);
    for (int i = 0; i < a.dim(); ++i)
      if (mask[i]) order.push_back(i);
    src = a.permute(order);
    int kept = 0;
    for (bool m : mask) kept += !m;
    first = kept;
    last = a.dim() - 1;
  }
  src = src.contiguous();
  outer = r = inner = 1;
  for (int i = 0; i < src.dim(); ++i) {
    if (first < 0)
      outer *= src.shape()[i];
    else if (i < first)
      outer *= src.shape()[i];
    else if (i <= last)
      r *= src.shape()[i];
    else
      inner *= src.shape()[i];
  }
  return src;
}

template <class T, class Acc, class Init, class Step, class Finish>
Tensor reduce_kernel(const Tensor& a, const DimMask& mask, bool keepdim, DType out_dtype, Init init,
                     Step step, Finish finish) {
  NoGradGuard no_grad;
  int64_t outer, r, inner;
  const Tensor src = arrange_for_reduce(a, mask, outer, r, inner);
  Tensor out = make_tensor(reduced_shape(a, mask, keepdim), out_dtype);
  const T* x = src.data_ptr<T>();
  std::unique_ptr<Acc[]> acc(new Acc[static_cast<size_t>(inner)]);
  std::vector<int64_t> arg(static_cast<size_t>(inner));
  dispatch(out_dtype, [&](auto otag) {
    using O = decltype(otag);
    O* o = out.data_ptr<O>();
    for (int64_t oi = 0; oi < outer; ++oi) {
      const T* base = x + oi * r * inner;
      for (int64_t i = 0; i < inner; ++i) {
        acc[i] = init();
        arg[i] = 0;
      }
      for (int64_t k = 0; k < r; ++k) {
        const T* row = base + k * inner;
        for (int64_t i = 0; i < inner; ++i) step(acc[i], arg[i], row[i], k);
      }
      for (int64_t i = 0; i < inner; ++i)
        o[oi * inner + i] = static_cast<O>(finish(acc[i], arg[i], r));
    }
  });
  return out;
}

// d(sum)/da: the gradient broadcast back over the reduced dimensions
struct SumBackward final : Node {
  Shape in_shape, kept_shape;  // kept_shape: the output with keepdim
  double scale = 1;            // 1/N for mean
  void backward(const Tensor& g, Grads& out) override {
    if (g.numel() == 1 && is_floating(g.dtype())) {  // a full reduction (a loss): one fill
      out[0] = dispatch_floating(g.dtype(), "sum", [&](auto tag) -> Tensor {
        using T = decltype(tag);
        // As the general path below: g times the scale rounded to T.
        T v = *reinterpret_cast<const T*>(g.impl()->base());
        if (scale != 1) v = v * static_cast<T>(scale);
        Tensor r = make_tensor(in_shape, g.dtype());
        T* o = r.data_ptr<T>();
        for (int64_t i = 0, n = r.numel(); i < n; ++i) o[i] = v;
        return r;
      });
      return;
    }
    Tensor gk = g.reshape(kept_shape);
    if (scale != 1) gk = gk * scale;
    out[0] = gk.expand(in_shape).contiguous();
  }
  const char* name() const override { return scale == 1 ? "SumBackward" : "MeanBackward"; }
};

// Sum (or mean) of a contiguous floating tensor over one block of leading dimensions
// [0, split) or trailing dimensions [split, dim): what bias gradients (sum over the
// batch) and losses (sum over all) need. Same arithmetic as reduce_kernel (a double
// accumulator per output, rows added in order) without its permutes and scratch
// allocations; a full reduction runs in SIMD lanes (omp simd), a change of summation
// order that is invisible after rounding the double result to float.
// Column sums of a narrow [r, NT] block (the bias gradient of a 1-3 unit layer): two
// interleaved double sums per column, kept in registers.
template <class T, int NT>
void narrow_column_sums(const T* x, int64_t r, bool is_mean, T* o) {
  double a0[NT] = {}, a1[NT] = {};
  int64_t k = 0;
  for (; k + 2 <= r; k += 2)
    for (int q = 0; q < NT; ++q) {
      a0[q] += static_cast<double>(x[k * NT + q]);
      a1[q] += static_cast<double>(x[(k + 1) * NT + q]);
    }
  if (k < r)
    for (int q = 0; q < NT; ++q) a0[q] += static_cast<double>(x[k * NT + q]);
  for (int q = 0; q < NT; ++q) {
    const double total = a0[q] + a1[q];
    o[q] = static_cast<T>(is_mean ? total / static_cast<double>(r) : total);
  }
}

template <class T>
void sum_contiguous(const T* x, int64_t outer, int64_t r, int64_t inner, bool is_mean, T* o) {
  if (r == 1) {  // a batch of one: the sum is the row itself; + 0 turns -0 into +0 as a sum does
    for (int64_t i = 0; i < outer * inner; ++i) o[i] = x[i] + T(0);
    return;
  }
  if (inner == 2 || inner == 3) {
    for (int64_t oi = 0; oi < outer; ++oi) {
      if (inner == 2)
        narrow_column_sums<T, 2>(x + oi * r * 2, r, is_mean, o + oi * 2);
      else
        narrow_column_sums<T, 3>(x + oi * r * 3, r, is_mean, o + oi * 3);
    }
    return;
  }
  if (inner == 1) {
    for (int64_t oi = 0; oi < outer; ++oi) {
      const T* xs = x + oi * r;
      double total = 0;
#pragma omp simd reduction(+ : total)
      for (int64_t k = 0; k < r; ++k) total += static_cast<double>(xs[k]);
      o[oi] = static_cast<T>(is_mean ? total / static_cast<double>(r) : total);
    }
    return;
  }
  constexpr int64_t kStack = 256;
  double stack[kStack];
  std::unique_ptr<double[]> heap;
  double* acc = stack;
  if (inner > kStack) {
    heap.reset(new double[static_cast<size_t>(inner)]);
    acc = heap.get();
  }
  for (int64_t oi = 0; oi < outer; ++oi) {
    const T* base = x + oi * r * inner;
    for (int64_t i = 0; i < inner; ++i) acc[i] = 0;
    for (int64_t k = 0; k < r; ++k)
      for (int64_t i = 0; i < inner; ++i) acc[i] += static_cast<double>(base[k * inner + i]);
    for (int64_t i = 0; i < inner; ++i)
      o[oi * inner + i] = static_cast<T>(is_mean ? acc[i] / static_cast<double>(r) : acc[i]);
  }
}

// The fast path's shape test: a contiguous floating tensor whose reduced dimensions are
// one leading or trailing run. Returns false (and leaves out undefined) otherwise.
bool try_sum_fast(const Tensor& a, const DimMask& mask, bool keepdim, bool is_mean, Tensor& out) {
  if (!is_floating(a.dtype()) || !a.is_contiguous()) return false;
  const int nd = a.dim();
  int first = nd, last = -1;
  for (int i = 0; i < nd; ++i)
    if (mask[i]) {
      first = std::min(first, i);
      last = i;
    }
  int64_t outer = 1, r = 1, inner = 1;
  if (last < 0) {
    // nothing reduced (0-d input): the fast path still applies, as a copy
  } else {
    for (int i = first; i <= last; ++i)
      if (!mask[i]) return false;
    if (first != 0 && last != nd - 1) return false;
    for (int i = 0; i < nd; ++i) (i < first ? outer : i <= last ? r : inner) *= a.shape()[i];
  }
  out = make_tensor(reduced_shape(a, mask, keepdim), a.dtype());
  dispatch_floating(a.dtype(), "sum", [&](auto tag) {
    using T = decltype(tag);
    sum_contiguous<T>(a.data_ptr<T>(), outer, r, inner, is_mean, out.data_ptr<T>());
  });
  return true;
}

Tensor sum_impl(const Tensor& a, const Shape& dims, bool keepdim, bool is_mean) {
  const auto mask = reduce_mask(a, dims);
  int64_t count = 1;
  for (int i = 0; i < a.dim(); ++i)
    if (mask[i]) count *= a.shape()[i];
  DType out_dtype = is_floating(a.dtype()) ? a.dtype() : (is_mean ? kFloat32 : kInt64);
  Tensor fast;
  Tensor r = try_sum_fast(a, mask, keepdim, is_mean, fast)
                 ? fast
                 : dispatch(a.dtype(), [&](auto tag) -> Tensor {
                     using T = decltype(tag);
                     using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
                     return reduce_kernel<T, Acc>(
                         a, mask, keepdim, out_dtype, [] { return Acc(0); },
                         [](Acc& acc, int64_t&, T v, int64_t) { acc += static_cast<Acc>(v); },
                         [is_mean](Acc acc, int64_t, int64_t n) {
                           return is_mean ? static_cast<double>(acc) / static_cast<double>(n)
                                          : static_cast<double>(acc);
                         });
                   });
  return record<SumBackward>(r, {a}, [&](SumBackward& n) {
    n.in_shape = a.shape();
    n.kept_shape = reduced_shape(a, mask, true);
    n.scale = is_mean ? 1.0 / static_cast<double>(count) : 1.0;
  });
}

// max/min: the gradient goes to the elements equal to the extreme, split evenly on ties
struct ExtremeBackward final : Node {
  Tensor a, result_kept;
  Shape dims;
  void backward(const Tensor& g, Grads& out) override {
    Tensor mask = eq(a, result_kept).to(g.dtype());
    Tensor count = sum(mask, dims, true);
    out[0] = mask / count * g.reshape(result_kept.shape());
  }
  const char* name() const override { return "MaxBackward"; }
};

Tensor extreme(const Tensor& a, const Shape& dims, bool keepdim, bool is_max, const char* name) {
  if (a.numel() == 0) throw Error(std::string(name) + ": cannot reduce an empty tensor");
  const auto mask = reduce_mask(a, dims);
  Tensor r = dispatch(a.dtype(), [&](auto tag) -> Tensor {
    using T = decltype(tag);
    return reduce_kernel<T, T>(
        a, mask, keepdim, a.dtype(),
        [is_max] {
          return is_max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
        },
        [is_max](T& acc, int64_t&, T v, int64_t) {
          // NaN propagates, as in NumPy.
          if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(v) || std::isnan(acc)) {
              acc = std::numeric_limits<T>::quiet_NaN();
              return;
            }
          }
          if (is_max ? v > acc : v < acc) acc = v;
        },
        [](T acc, int64_t, int64_t) { return acc; });
  });
  return record<ExtremeBackward>(r, {a}, [&](ExtremeBackward& n) {
    n.a = a.detach();
    n.result_kept = r.detach().reshape(reduced_shape(a, mask, true));
    for (int i = 0; i < a.dim(); ++i)
      if (mask[i]) n.dims.push_back(i);
  });
}

Tensor arg_extreme(const Tensor& a, const Shape& dims, bool keepdim, bool is_max) {
  if (a.numel() == 0) throw Error("argmax: cannot reduce an empty tensor");
  const auto mask = reduce_mask(a, dims);
  return dispatch(a.dtype(), [&](auto tag) -> Tensor {
    using T = decltype(tag);
    return reduce_kernel<T, T>(
        a, mask, keepdim, kInt64,
        [is_max] {
          return is_max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
        },
        [is_max](T& acc, int64_t& arg, T v, int64_t k) {
          if (k == 0 || (is_max ? v > acc : v < acc)) {
            acc = v;
            arg = k;
          }
        },
        [](T, int64_t arg, int64_t) { return arg; });
  });
}

}  // namespace

Tensor sum(const Tensor& a) { return sum_impl(a, {}, false, false); }
Tensor sum(const Tensor& a, const Shape& dims, bool keepdim) {
  return dims.empty() ? sum_impl(a, {}, keepdim, false) : sum_impl(a, dims, keepdim, false);
}
Tensor mean(const Tensor& a) { return sum_impl(a, {}, false, true); }
Tensor mean(const Tensor& a, const Shape& dims, bool keepdim) {
  return sum_impl(a, dims, keepdim, true);
}
Tensor Tensor::sum() const { return soma::sum(*this); }
Tensor Tensor::sum(const Shape& dims, bool keepdim) const {
  return soma::sum(*this, dims, keepdim);
}
Tensor Tensor::mean() const { return soma::mean(*this); }
Tensor Tensor::mean(const Shape& dims, bool keepdim) const {
  return soma::mean(*this, dims, keepdim);
}

Tensor max(const Tensor& a) { return extreme(a, {}, false, true, "max"); }
Tensor max(const Tensor& a, int64_t dim, bool keepdim) {
  return extreme(a, {dim}, keepdim, true, "max");
}
Tensor min(const Tensor& a) { return extreme(a, {}, false, false, "min"); }
Tensor min(const Tensor& a, int64_t dim, bool keepdim) {
  return extreme(a, {dim}, keepdim, false, "min");
}
Tensor argmax(const Tensor& a) { return arg_extreme(a.reshape({-1}), {}, false, true); }
Tensor argmax(const Tensor& a, int64_t dim, bool keepdim) {
  return arg_extreme(a, {dim}, keepdim, true);
}
Tensor argmin(const Tensor& a, int64_t dim, bool keepdim) {
  return arg_extreme(a, {dim}, keepdim, false);
}

// var = sum((a - mean)^2) / (N - correction), composed so autograd comes for free.
Tensor var(const Tensor& a, const Shape& dims, bool keepdim, int64_t correction) {
  const auto mask = reduce_mask(a, dims);
  int64_t n = 1;
  for (int i = 0; i < a.dim(); ++i)
    if (mask[i]) n *= a.shape()[i];
  Shape all;
  for (int i = 0; i < a.dim(); ++i)
    if (mask[i]) all.push_back(i);
  const Tensor centered = a - mean(a, all, true);
  const double denom = static_cast<double>(std::max<int64_t>(n - correction, 0));
  return sum(square(centered), all, keepdim) / denom;
}
Tensor var(const Tensor& a) { return var(a, Shape{}, false, 1); }
Tensor std(const Tensor& a, const Shape& dims, bool keepdim, int64_t correction) {
  return sqrt(var(a, dims, keepdim, correction));
}
Tensor std(const Tensor& a) { return sqrt(var(a)); }

Tensor sum_to(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  Shape dims;
  const int lead = g.dim() - shape.size();
  if (lead < 0)
    throw Error("sum_to: cannot reduce shape " + g.shape().str() + " to " + shape.str());
  for (int i = 0; i < g.dim(); ++i) {
    if (i < lead)
      dims.push_back(i);
    else if (shape[i - lead] == 1 && g.shape()[i] != 1)
      dims.push_back(i);
  }
  if (dims.empty()) return g.reshape(shape);
  return sum(g, dims, true).reshape(shape);
}

}  // namespace soma
