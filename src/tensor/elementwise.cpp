// Element-wise ops with NumPy broadcasting; each forward sits beside its backward.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "elementwise_kernel.hpp"
#include "soma/core/error.hpp"

namespace soma {

namespace {

DType float_type(DType d) { return is_floating(d) ? d : kFloat32; }

// Runs a binary functor computing in the promoted floating/integer type of a and b.
template <class Op>
Tensor arith(const Tensor& a, const Tensor& b, Op op, const char* name) {
  if (!a.defined() || !b.defined()) throw Error(std::string(name) + ": undefined operand");
  const DType t = promote_types(a.dtype(), b.dtype());
  const Tensor x = as_dtype(a, t), y = as_dtype(b, t);
  return dispatch(t, [&](auto tag) -> Tensor {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      return binary_map<bool, bool>(x, y,
                                    [&](bool p, bool q) { return static_cast<bool>(op(p, q)); });
    } else {
      return binary_map<T, T>(x, y, op);
    }
  });
}

template <class Op>
Tensor float_binary(const Tensor& a, const Tensor& b, Op op, const char* name) {
  const DType t = float_type(promote_types(a.dtype(), b.dtype()));
  const Tensor x = as_dtype(a, t), y = as_dtype(b, t);
  return dispatch_floating(t, name, [&](auto tag) -> Tensor {
    using T = decltype(tag);
    return binary_map<T, T>(x, y, op);
  });
}

template <class Op>
Tensor float_unary(const Tensor& a, Op op, const char* name) {
  if (!a.defined()) throw Error(std::string(name) + ": undefined operand");
  const Tensor x = as_dtype(a, float_type(a.dtype()));
  return dispatch_floating(x.dtype(), name, [&](auto tag) -> Tensor {
    using T = decltype(tag);
    return unary_map<T, T>(x, op);
  });
}

template <class Op>
Tensor compare(const Tensor& a, const Tensor& b, Op op) {
  const DType t = promote_types(a.dtype(), b.dtype());
  const Tensor x = as_dtype(a, t), y = as_dtype(b, t);
  return dispatch(t, [&](auto tag) -> Tensor {
    using T = decltype(tag);
    return binary_map<T, bool>(x, y, op);
  });
}

Tensor scalar_like(const Tensor& t, double v) {
  return scalar_tensor(
      v, t.defined() && t.dtype() != kBool
             ? (is_floating(t.dtype()) ? t.dtype() : (v == std::floor(v) ? kInt64 : kFloat32))
             : kFloat32);
}

// ---- binary arithmetic and its gradients
struct AddBackward final : Node {
  Shape sa, sb;
  double alpha = 1;  // +1 for add, -1 for sub
  void backward(const Tensor& g, Grads& out) override {
    out[0] = sum_to(g, sa);
    out[1] = alpha == 1 ? sum_to(g, sb) : neg(sum_to(g, sb));
  }
  const char* name() const override { return alpha == 1 ? "AddBackward" : "SubBackward"; }
};

// d(a*b)/da = g*b, d(a*b)/db = g*a, each summed back over broadcast dimensions
struct MulBackward final : Node {
  Tensor a, b;
  void backward(const Tensor& g, Grads& out) override {
    if (inputs[0].requires_grad()) out[0] = sum_to(g * b, a.shape());
    if (inputs[1].requires_grad()) out[1] = sum_to(g * a, b.shape());
  }
  const char* name() const override { return "MulBackward"; }
};

// d(a/b)/da = g/b, d(a/b)/db = -g*a/b^2
struct DivBackward final : Node {
  Tensor a, b;
  void backward(const Tensor& g, Grads& out) override {
    if (inputs[0].requires_grad()) out[0] = sum_to(g / b, a.shape());
    if (inputs[1].requires_grad()) out[1] = sum_to(neg(g * a / (b * b)), b.shape());
  }
  const char* name() const override { return "DivBackward"; }
};

// d(a^b)/da = g*b*a^(b-1), d(a^b)/db = g*a^b*log(a)
struct PowBackward final : Node {
  Tensor a, b, result;
  void backward(const Tensor& g, Grads& out) override {
    if (inputs[0].requires_grad()) out[0] = sum_to(g * b * pow(a, b - 1.0), a.shape());
    if (inputs[1].requires_grad()) out[1] = sum_to(g * result * log(a), b.shape());
  }
  const char* name() const override { return "PowBackward"; }
};

// d(a^c)/da = g*c*a^(c-1) for a constant exponent c
struct PowScalarBackward final : Node {
  Tensor a;
  double c = 1;
  void backward(const Tensor& g, Grads& out) override {
    out[0] = c == 2 ? g * a * 2.0 : g * (pow(a, c - 1) * c);
  }
  const char* name() const override { return "PowScalarBackward"; }
};

// The gradient of max/min goes to the larger/smaller operand (split evenly on ties).
struct MaximumBackward final : Node {
  Tensor a, b;
  bool is_max = true;
  void backward(const Tensor& g, Grads& out) override {
    Tensor wa = float_binary(
        a, b,
        [m = is_max](auto x, auto y) {
          using T = decltype(x);
          return x == y ? T(0.5) : ((m ? x > y : x < y) ? T(1) : T(0));
        },
        "maximum");
    wa = as_dtype(wa, g.dtype());
    if (inputs[0].requires_grad()) out[0] = sum_to(g * wa, a.shape());
    if (inputs[1].requires_grad()) out[1] = sum_to(g * (1.0 - wa), b.shape());
  }
  const char* name() const override { return is_max ? "MaximumBackward" : "MinimumBackward"; }
};

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor r = arith(
      a, b, [](auto x, auto y) { return x + y; }, "add");
  return record<AddBackward>(r, {a, b}, [&](AddBackward& n) {
    n.sa = a.shape();
    n.sb = b.shape();
  });
}
Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor r = arith(
      a, b, [](auto x, auto y) { return x - y; }, "sub");
  return record<AddBackward>(r, {a, b}, [&](AddBackward& n) {
    n.sa = a.shape();
    n.sb = b.shape();
    n.alpha = -1;
  });
}
Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor r = arith(
      a, b, [](auto x, auto y) { return x * y; }, "mul");
  return record<MulBackward>(r, {a, b}, [&](MulBackward& n) {
    n.a = a.detach();
    n.b = b.detach();
  });
}
Tensor div(const Tensor& a, const Tensor& b) {
  const DType t = float_type(promote_types(a.dtype(), b.dtype()));
  Tensor r = float_binary(
      as_dtype(a, t), as_dtype(b, t), [](auto x, auto y) { return x / y; }, "div");
  return record<DivBackward>(r, {a, b}, [&](DivBackward& n) {
    n.a = a.detach();
    n.b = b.detach();
  });
}
Tensor pow(const Tensor& a, const Tensor& b) {
  Tensor r = float_binary(
      a, b, [](auto x, auto y) { return std::pow(x, y); }, "pow");
  return record<PowBackward>(r, {a, b}, [&](PowBackward& n) {
    n.a = a.detach();
    n.b = b.detach();
    n.result = r.detach();
  });
}
Tensor pow(const Tensor& a, double c) {
  Tensor r = c == 2
                 ? float_unary(
                       a, [](auto x) { return x * x; }, "pow")
                 : float_unary(
                       a, [c](auto x) { return static_cast<decltype(x)>(std::pow(x, c)); }, "pow");
  return record<PowScalarBackward>(r, {a}, [&](PowScalarBackward& n) {
    n.a = a.detach();
    n.c = c;
  });
}
Tensor maximum(const Tensor& a, const Tensor& b) {
  Tensor r = arith(
      a, b, [](auto x, auto y) { return x > y ? x : y; }, "maximum");
  return record<MaximumBackward>(r, {a, b}, [&](MaximumBackward& n) {
    n.a = a.detach();
    n.b = b.detach();
  });
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  Tensor r = arith(
      a, b, [](auto x, auto y) { return x < y ? x : y; }, "minimum");
  return record<MaximumBackward>(r, {a, b}, [&](MaximumBackward& n) {
    n.a = a.detach();
    n.b = b.detach();
    n.is_max = false;
  });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double b) { return add(a, scalar_like(a, b)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, scalar_like(a, b)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, scalar_like(a, b)); }
Tensor operator/(const Tensor& a, double b) { return div(a, scalar_like(a, b)); }
Tensor operator+(double a, const Tensor& b) { return add(scalar_like(b, a), b); }
Tensor operator-(double a, const Tensor& b) { return sub(scalar_like(b, a), b); }
Tensor operator*(double a, const Tensor& b) { return mul(scalar_like(b, a), b); }
Tensor operator/(double a, const Tensor& b) { return div(scalar_like(b, a), b); }
Tensor operator-(const Tensor& a) { return neg(a); }

// ---- comparisons and logic (no gradients)
Tensor eq(const Tensor& a, const Tensor& b) {
  return compare(a, b, [](auto x, auto y) { return x == y; });
}
Tensor ne(const Tensor& a, const Tensor& b) {
  return compare(a, b, [](auto x, auto y) { return x != y; });
}
Tensor lt(const Tensor& a, const Tensor& b) {
  return compare(a, b, [](auto x, auto y) { return x < y; });
}
Tensor le(const Tensor& a, const Tensor& b) {
  return compare(a, b, [](auto x, auto y) { return x <= y; });
}
Tensor gt(const Tensor& a, const Tensor& b) {
  return compare(a, b, [](auto x, auto y) { return x > y; });
}
Tensor ge(const Tensor& a, const Tensor& b) {
  return compare(a, b, [](auto x, auto y) { return x >= y; });
}
Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator<(const Tensor& a, double b) { return lt(a, scalar_like(a, b)); }
Tensor operator>(const Tensor& a, double b) { return gt(a, scalar_like(a, b)); }
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return binary_map<bool, bool>(as_dtype(a, kBool), as_dtype(b, kBool),
                                [](bool x, bool y) { return x && y; });
}
Tensor logical_not(const Tensor& a) {
  return unary_map<bool, bool>(as_dtype(a, kBool), [](bool x) { return !x; });
}

namespace {
// where: the gradient goes to whichever operand was chosen
struct WhereBackward final : Node {
  Tensor cond;
  Shape sa, sb;
  void backward(const Tensor& g, Grads& out) override {
    Tensor z = zeros({}, g.dtype());
    if (inputs[0].requires_grad()) out[0] = sum_to(where(cond, g, z), sa);
    if (inputs[1].requires_grad()) out[1] = sum_to(where(cond, z, g), sb);
  }
  const char* name() const override { return "WhereBackward"; }
};
}  // namespace

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  const DType t = promote_types(a.dtype(), b.dtype());
  const Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape()), b.shape());
  const Tensor c = as_dtype(cond, kBool).expand(shape).contiguous();
  const Tensor x = as_dtype(a, t).expand(shape).contiguous();
  const Tensor y = as_dtype(b, t).expand(shape).contiguous();
  Tensor r = dispatch(t, [&](auto tag) -> Tensor {
    using T = decltype(tag);
    Tensor o = make_tensor(shape, t);
    T* po = o.data_ptr<T>();
    const bool* pc = c.data_ptr<bool>();
    const T* px = x.data_ptr<T>();
    const T* py = y.data_ptr<T>();
    for (int64_t i = 0, n = o.numel(); i < n; ++i) po[i] = pc[i] ? px[i] : py[i];
    return o;
  });
  return record<WhereBackward>(r, {a, b}, [&](WhereBackward& n) {
    n.cond = c;
    n.sa = a.shape();
    n.sb = b.shape();
  });
}

// ---- unary functions. Each backward is itself one binary kernel: grad_in = f(g, saved).
namespace {
template <class GradOp>
struct UnaryBackward final : Node {
  // The output, when the formula wants it (a detached view: the output owns this node).
  // Formulas of the input read inputs[0], which the node holds anyway.
  Tensor output;
  const char* op_name = "";
  GradOp op{};
  void backward(const Tensor& g, Grads& out) override {
    const Tensor& saved = output.defined() ? output : inputs[0];
    out[0] = float_binary(g, as_dtype(saved, g.dtype()), op, op_name);
  }
  const char* name() const override { return op_name; }
};

template <class GradOp, class Fwd>
Tensor unary_op(const Tensor& a, Fwd fwd, const char* name, bool save_output, GradOp = {}) {
  Tensor r = float_unary(a, fwd, name);
  return record<UnaryBackward<GradOp>>(r, {a}, [&](UnaryBackward<GradOp>& n) {
    if (save_output) n.output = r.detach();
    n.op_name = name;
  });
}

struct NegGrad {
  template <class T>
  T operator()(T g, T) const {
    return -g;
  }
};
struct ExpGrad {
  template <class T>
  T operator()(T g, T y) const {
    return g * y;
  }
};
struct LogGrad {
  template <class T>
  T operator()(T g, T x) const {
    return g / x;
  }
};
struct SqrtGrad {
  template <class T>
  T operator()(T g, T y) const {
    return g / (T(2) * y);
  }
};
struct AbsGrad {
  template <class T>
  T operator()(T g, T x) const {
    return x > 0 ? g : (x < 0 ? -g : T(0));
  }
};
struct SquareGrad {
  template <class T>
  T operator()(T g, T x) const {
    return T(2) * g * x;
  }
};
struct SinGrad {
  template <class T>
  T operator()(T g, T x) const {
    return g * std::cos(x);
  }
};
struct CosGrad {
  template <class T>
  T operator()(T g, T x) const {
    return -g * std::sin(x);
  }
};
struct TanhGrad {
  template <class T>
  T operator()(T g, T y) const {
    return g * (T(1) - y * y);
  }
};
struct SigmoidGrad {
  template <class T>
  T operator()(T g, T y) const {
    return g * y * (T(1) - y);
  }
};
struct ReluGrad {  // of the input: x > 0 exactly where relu(x) > 0, NaN included
  template <class T>
  T operator()(T g, T x) const {
    return x > 0 ? g : T(0);
  }
};
}  // namespace

Tensor neg(const Tensor& a) {
  if (!is_floating(a.dtype()))
    return arith(
        scalar_tensor(0, a.dtype()), a, [](auto x, auto y) { return x - y; }, "neg");
  return unary_op<NegGrad>(
      a, [](auto x) { return -x; }, "NegBackward", false);
}
Tensor exp(const Tensor& a) {
  return unary_op<ExpGrad>(
      a, [](auto x) { return std::exp(x); }, "ExpBackward", true);
}
Tensor log(const Tensor& a) {
  return unary_op<LogGrad>(
      a, [](auto x) { return std::log(x); }, "LogBackward", false);
}
Tensor sqrt(const Tensor& a) {
  return unary_op<SqrtGrad>(
      a, [](auto x) { return std::sqrt(x); }, "SqrtBackward", true);
}
Tensor abs(const Tensor& a) {
  return unary_op<AbsGrad>(
      a, [](auto x) { return std::abs(x); }, "AbsBackward", false);
}
Tensor square(const Tensor& a) {
  return unary_op<SquareGrad>(
      a, [](auto x) { return x * x; }, "SquareBackward", false);
}
Tensor sin(const Tensor& a) {
  return unary_op<SinGrad>(
      a, [](auto x) { return std::sin(x); }, "SinBackward", false);
}
Tensor cos(const Tensor& a) {
  return unary_op<CosGrad>(
      a, [](auto x) { return std::cos(x); }, "CosBackward", false);
}
Tensor tanh(const Tensor& a) {
  return unary_op<TanhGrad>(
      a, [](auto x) { return std::tanh(x); }, "TanhBackward", true);
}
Tensor sigmoid(const Tensor& a) {
  return unary_op<SigmoidGrad>(
      a,
      [](auto x) {
        using T = decltype(x);
        // Split by sign so exp never overflows.
        return x >= 0 ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
      },
      "SigmoidBackward", true);
}
Tensor relu(const Tensor& a) {
  return unary_op<ReluGrad>(
      a, [](auto x) { return x > 0 ? x : decltype(x)(0); }, "ReluBackward", false);
}
Tensor sign(const Tensor& a) {
  NoGradGuard no_grad;  // piecewise constant: no gradient
  return float_unary(
      a,
      [](auto x) {
        using T = decltype(x);
        return x > 0 ? T(1) : (x < 0 ? T(-1) : T(0));
      },
      "sign");
}

namespace {
// leaky_relu's loop for contiguous float operands, y = (x > 0 ? v : v * s) with v = x
// forwards and v = the gradient backwards. Written with 16-byte vectors (SSE2/NEON, the
// baseline): GCC neither vectorised the plain loop (under -ftrapping-math it will not
// multiply unconditionally what one branch multiplies) nor kept the slope in a register,
// and that scalar branch on the sign cost 12% of a DCGAN step. The vector form computes
// v * s in every lane and selects, which gives the same values.
template <class T>
Tensor leaky_loop(const Tensor& x, const Tensor& v, double slope) {
  using V [[gnu::vector_size(16)]] = T;
  constexpr int64_t L = 16 / sizeof(T);
  Tensor r = make_tensor(x.shape(), x.dtype());
  const T s = static_cast<T>(slope);
  const T* xs = x.data_ptr<T>();
  const T* vs = v.data_ptr<T>();
  T* out = r.data_ptr<T>();
  const int64_t n = x.numel();
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    V xv, vv;
    std::memcpy(&xv, xs + i, sizeof(V));
    std::memcpy(&vv, vs + i, sizeof(V));
    const V y = xv > T(0) ? vv : vv * s;
    std::memcpy(out + i, &y, sizeof(V));
  }
  for (; i < n; ++i) out[i] = xs[i] > T(0) ? vs[i] : vs[i] * s;
  return r;
}

// The fast loop where x and v are contiguous, same-shape tensors of one floating dtype.
Tensor leaky_fast(const Tensor& x, const Tensor& v, double slope) {
  if (!x.defined() || !v.defined() || !x.is_contiguous() || !v.is_contiguous() ||
      x.dtype() != v.dtype() || x.shape() != v.shape())
    return Tensor();
  if (x.dtype() == kFloat32) return leaky_loop<float>(x, v, slope);
  if (x.dtype() == kFloat64) return leaky_loop<double>(x, v, slope);
  return Tensor();
}

// leaky_relu: slope s below zero
struct LeakyReluBackward final : Node {
  Tensor a;
  double slope = 0.01;
  void backward(const Tensor& g, Grads& out) override {
    if (Tensor r = leaky_fast(a, g, slope); r.defined()) {
      out[0] = r;
      return;
    }
    out[0] = float_binary(
        g, a,
        [s = slope](auto gv, auto x) { return x > 0 ? gv : gv * static_cast<decltype(gv)>(s); },
        "leaky_relu");
  }
  const char* name() const override { return "LeakyReluBackward"; }
};
// clamp: the gradient passes where the input was inside [lo, hi]
struct ClampBackward final : Node {
  Tensor a;
  double lo = 0, hi = 0;
  void backward(const Tensor& g, Grads& out) override {
    out[0] = float_binary(
        g, a,
        [l = lo, h = hi](auto gv, auto x) { return (x >= l && x <= h) ? gv : decltype(gv)(0); },
        "clamp");
  }
  const char* name() const override { return "ClampBackward"; }
};
}  // namespace

Tensor leaky_relu(const Tensor& a, double slope) {
  Tensor r = leaky_fast(a, a, slope);
  if (!r.defined())
    r = float_unary(
        a, [slope](auto x) { return x > 0 ? x : x * static_cast<decltype(x)>(slope); },
        "leaky_relu");
  return record<LeakyReluBackward>(r, {a}, [&](LeakyReluBackward& n) {
    n.a = a.detach();
    n.slope = slope;
  });
}

Tensor clamp(const Tensor& a, double lo, double hi) {
  if (lo > hi)
    throw Error("clamp: min " + std::to_string(lo) + " is greater than max " + std::to_string(hi));
  Tensor r = float_unary(
      a,
      [lo, hi](auto x) {
        using T = decltype(x);
        return x < T(lo) ? T(lo) : (x > T(hi) ? T(hi) : x);
      },
      "clamp");
  return record<ClampBackward>(r, {a}, [&](ClampBackward& n) {
    n.a = a.detach();
    n.lo = lo;
    n.hi = hi;
  });
}
Tensor clamp_min(const Tensor& a, double lo) { return clamp(a, lo, HUGE_VAL); }

namespace {
// prelu fused into one pass each way, as torch's kernels:
//   y = x > 0 ? x : w_c * x
//   dx = x > 0 ? g : w_c * g,   dw_c = sum over channel c of (x > 0 ? 0 : x * g)
// Channel c of element i is (i / inner) % channels for x of shape [N, C, inner...].
struct PreluBackward final : Node {
  Tensor x;  // contiguous input
  int64_t channels = 1, inner = 1;
  void backward(const Tensor& g, Grads& out) override {
    const Tensor gc = g.contiguous();
    const Tensor& w = inputs[1];
    dispatch_floating(x.dtype(), "prelu", [&](auto tag) {
      using T = decltype(tag);
      const Tensor wc = w.contiguous();
      const T* xp = x.data_ptr<T>();
      const T* gp = gc.data_ptr<T>();
      const T* wp = wc.data_ptr<T>();
      const int64_t n = x.numel();
      T* dx = nullptr;
      if (inputs[0].requires_grad()) {
        out[0] = make_tensor(x.shape(), x.dtype());
        dx = out[0].data_ptr<T>();
      }
      constexpr int64_t kStack = 64, kChunk = 256;
      double stack[kStack] = {};
      std::vector<double> heap;
      double* dw = stack;
      if (channels > kStack) {
        heap.assign(static_cast<size_t>(channels), 0.0);
        dw = heap.data();
      }
      for (int64_t start = 0, c = 0; start < n; start += inner, c = (c + 1) % channels) {
        const T wv = wp[c];
        if (dx)
          for (int64_t i = start; i < start + inner; ++i) dx[i] = xp[i] > T(0) ? gp[i] : wv * gp[i];
        // x * g where x <= 0, summed in double. Staged through a small buffer so both
        // loops vectorise (GCC will not if-convert the select inside a reduction), and the
        // sum runs in SIMD lanes in any order (omp simd).
        double acc = 0;
        for (int64_t s0 = start; s0 < start + inner; s0 += kChunk) {
          const int64_t len = std::min(kChunk, start + inner - s0);
          T part[kChunk];
          for (int64_t i = 0; i < len; ++i) {
            const T prod = xp[s0 + i] * gp[s0 + i];
            part[i] = xp[s0 + i] > T(0) ? T(0) : prod;
          }
#pragma omp simd reduction(+ : acc)
          for (int64_t i = 0; i < len; ++i) acc += static_cast<double>(part[i]);
        }
        dw[c] += acc;
      }
      if (inputs[1].requires_grad()) {
        out[1] = make_tensor(w.shape(), w.dtype());
        T* o = out[1].data_ptr<T>();
        for (int64_t c = 0; c < channels; ++c) o[c] = static_cast<T>(dw[c]);
      }
    });
  }
  const char* name() const override { return "PreluBackward"; }
};
}  // namespace

Tensor prelu(const Tensor& a, const Tensor& weight) {
  if (!a.defined() || !weight.defined()) throw Error("prelu: undefined operand");
  if (weight.numel() != 1 && (a.dim() < 2 || a.size(1) != weight.numel()))
    throw Error("prelu: weight has " + std::to_string(weight.numel()) + " entries but the input " +
                a.shape().str() + " has " +
                (a.dim() < 2 ? std::string("no channel dimension")
                             : std::to_string(a.size(1)) + " channels"));
  if (a.dtype() != weight.dtype() || !is_floating(a.dtype())) {
    // Mixed or integer dtypes: composed from ops that promote (max(0,x) + w*min(0,x)).
    Shape ws;
    ws.push_back(weight.numel());
    for (int d = 2; d < a.dim(); ++d) ws.push_back(1);
    const Tensor w = weight.numel() == 1 ? weight.reshape({}) : weight.reshape(ws);
    return relu(a) - w * relu(-a);
  }
  const Tensor x = a.contiguous();
  const int64_t channels = weight.numel();
  int64_t inner = x.numel();
  if (channels > 1) {
    inner = 1;
    for (int d = 2; d < x.dim(); ++d) inner *= x.size(d);
  }
  Tensor r = make_tensor(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "prelu", [&](auto tag) {
    using T = decltype(tag);
    const Tensor wc = weight.contiguous();
    const T* xp = x.data_ptr<T>();
    const T* wp = wc.data_ptr<T>();
    T* o = r.data_ptr<T>();
    const int64_t n = x.numel();
    for (int64_t start = 0, c = 0; start < n; start += inner, c = (c + 1) % channels) {
      const T wv = wp[c];
      for (int64_t i = start; i < start + inner; ++i) o[i] = xp[i] > T(0) ? xp[i] : wv * xp[i];
    }
  });
  return record<PreluBackward>(r, {a, weight}, [&](PreluBackward& n) {
    n.x = x.detach();
    n.channels = channels;
    n.inner = inner;
  });
}

}  // namespace soma
