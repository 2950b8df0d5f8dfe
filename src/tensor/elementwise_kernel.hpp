#pragma once
// The one broadcasting traversal behind every unary and binary element-wise op
// (forward and backward alike). An op is a functor with a templated call operator.
#include "impl.hpp"
#include "strided_loop.hpp"

namespace soma {

// out[i] = op(a[i]) over contiguous or strided a; out has a's shape and dtype Out.
template <class In, class Out, class Op>
Tensor unary_map(const Tensor& a, Op op) {
  Tensor out = make_tensor(a.shape(), dtype_of<Out>());
  Out* o = out.data_ptr<Out>();
  if (a.is_contiguous()) {
    const In* x = a.data_ptr<In>();
    const int64_t n = a.numel();
    for (int64_t i = 0; i < n; ++i) o[i] = op(x[i]);
    return out;
  }
  std::array<Shape, 2> strides{out.strides(), a.strides()};
  for (auto& s : strides[0]) s *= sizeof(Out);
  for (auto& s : strides[1]) s *= sizeof(In);
  strided_loop<2>(a.shape(), strides, {out.impl()->base(), a.impl()->base()},
                  [&](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t n) {
                    for (int64_t i = 0; i < n; ++i)
                      *reinterpret_cast<Out*>(p[0] + i * s[0]) =
                          op(*reinterpret_cast<const In*>(p[1] + i * s[1]));
                  });
  return out;
}

// Broadcast strides: a's strides aligned to `shape`, 0 where a is stretched.
inline Shape broadcast_strides(const Tensor& a, const Shape& shape, size_t elem) {
  Shape s;
  s.resize(shape.size());
  const int off = shape.size() - a.dim();
  for (int i = 0; i < shape.size(); ++i) {
    const int j = i - off;
    s[i] = (j < 0 || a.shape()[j] == 1) ? 0 : a.strides()[j] * static_cast<int64_t>(elem);
  }
  return s;
}

// out = op(a, b) with NumPy broadcasting; a and b must already be of type In.
template <class In, class Out, class Op>
Tensor binary_map(const Tensor& a, const Tensor& b, Op op) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape());
  Tensor out = make_tensor(shape, dtype_of<Out>());
  Out* o = out.data_ptr<Out>();
  const int64_t n = out.numel();
  const In* x = reinterpret_cast<const In*>(a.impl()->base());
  const In* y = reinterpret_cast<const In*>(b.impl()->base());
  // The common cases of small networks, without the general loop's bookkeeping.
  if (a.shape() == b.shape() && a.is_contiguous() && b.is_contiguous()) {
    for (int64_t i = 0; i < n; ++i) o[i] = op(x[i], y[i]);
    return out;
  }
  if (b.numel() == 1 && a.shape() == shape && a.is_contiguous()) {
    const In v = *y;
    for (int64_t i = 0; i < n; ++i) o[i] = op(x[i], v);
    return out;
  }
  if (a.numel() == 1 && b.shape() == shape && b.is_contiguous()) {
    const In v = *x;
    for (int64_t i = 0; i < n; ++i) o[i] = op(v, y[i]);
    return out;
  }
  std::array<Shape, 3> strides{out.strides(), broadcast_strides(a, shape, sizeof(In)),
                               broadcast_strides(b, shape, sizeof(In))};
  for (auto& s : strides[0]) s *= sizeof(Out);
  strided_loop<3>(shape, strides, {out.impl()->base(), a.impl()->base(), b.impl()->base()},
                  [&](std::array<char*, 3> p, std::array<int64_t, 3> s, int64_t m) {
                    Out* oo = reinterpret_cast<Out*>(p[0]);
                    const In* xa = reinterpret_cast<const In*>(p[1]);
                    const In* yb = reinterpret_cast<const In*>(p[2]);
                    constexpr int64_t e = sizeof(In);
                    if (s[0] == sizeof(Out) && s[1] == e && s[2] == e) {
                      for (int64_t i = 0; i < m; ++i) oo[i] = op(xa[i], yb[i]);
                    } else if (s[0] == sizeof(Out) && s[1] == e && s[2] == 0) {
                      const In v = *yb;
                      for (int64_t i = 0; i < m; ++i) oo[i] = op(xa[i], v);
                    } else if (s[0] == sizeof(Out) && s[1] == 0 && s[2] == e) {
                      const In v = *xa;
                      for (int64_t i = 0; i < m; ++i) oo[i] = op(v, yb[i]);
                    } else {
                      for (int64_t i = 0; i < m; ++i)
                        *reinterpret_cast<Out*>(p[0] + i * s[0]) =
                            op(*reinterpret_cast<const In*>(p[1] + i * s[1]),
                               *reinterpret_cast<const In*>(p[2] + i * s[2]));
                    }
                  });
  return out;
}

// Casts t to dtype unless it already is (no copy in the common case).
inline Tensor as_dtype(const Tensor& t, DType dtype) {
  return t.dtype() == dtype ? t : t.to(dtype);
}

}  // namespace soma
