// matmul / dot / linear through GEMM, with their gradients.
#include "gemm.hpp"
#include "impl.hpp"
#include "soma/core/error.hpp"

namespace soma {

namespace {

// A 2-d operand as GEMM sees it: a pointer, a leading dimension and whether it is
// stored transposed. Non-contiguous layouts other than a plain transpose are copied.
template <class T>
struct GemmOperand {
  Tensor keep;
  const T* ptr;
  int64_t ld;
  bool trans;
};

template <class T>
GemmOperand<T> as_operand(const Tensor& t) {
  const int64_t r = t.shape()[0], c = t.shape()[1];
  if (t.strides()[1] == 1 && (t.strides()[0] == c || r == 1))
    return {t, t.data_ptr<T>(), std::max<int64_t>(c, 1), false};
  if (t.strides()[0] == 1 && (t.strides()[1] == r || c == 1))
    return {t, t.data_ptr<T>(), std::max<int64_t>(r, 1), true};
  Tensor cont = t.contiguous();
  return {cont, cont.data_ptr<T>(), std::max<int64_t>(c, 1), false};
}

// out[M,N] = a[M,K] @ b[K,N] (+ beta*out)
template <class T>
void mm_into(const Tensor& a, const Tensor& b, Tensor& out, T beta) {
  const auto A = as_operand<T>(a);
  const auto B = as_operand<T>(b);
  gemm(A.trans, B.trans, a.shape()[0], b.shape()[1], a.shape()[1], T(1), A.ptr, A.ld, B.ptr, B.ld,
       beta, out.data_ptr<T>(), b.shape()[1]);
}

Tensor mm_raw(const Tensor& a, const Tensor& b) {
  Tensor out = make_tensor({a.shape()[0], b.shape()[1]}, a.dtype());
  dispatch_floating(a.dtype(), "matmul", [&](auto tag) {
    using T = decltype(tag);
    if (a.shape()[1] == 0) {
      out.zero_();
      return;
    }
    mm_into<T>(a, b, out, T(0));
  });
  return out;
}

// d(A@B)/dA = g @ B^T, d(A@B)/dB = A^T @ g (2-d)
struct MmBackward final : Node {
  Tensor a, b;
  void backward(const Tensor& g, Grads& out) override {
    if (inputs[0].requires_grad()) out[0] = mm_raw(g, b.t());
    if (inputs[1].requires_grad()) out[1] = mm_raw(a.t(), g);
  }
  const char* name() const override { return "MmBackward"; }
};

Tensor mm(const Tensor& a, const Tensor& b) {
  if (a.shape()[1] != b.shape()[0])
    throw Error("matmul: mat1 and mat2 shapes cannot be multiplied (" +
                std::to_string(a.shape()[0]) + "x" + std::to_string(a.shape()[1]) + " and " +
                std::to_string(b.shape()[0]) + "x" + std::to_string(b.shape()[1]) + ")");
  Tensor r = mm_raw(a, b);
  return record<MmBackward>(r, {a, b}, [&](MmBackward& n) {
    n.a = a.detach();
    n.b = b.detach();
  });
}

// Batched matmul with broadcast batch dimensions: [..., M, K] @ [..., K, N].
struct BmmBackward final : Node {
  Tensor a, b;
  void backward(const Tensor& g, Grads& out) override {
    if (inputs[0].requires_grad()) out[0] = sum_to(matmul(g, b.transpose(-1, -2)), a.shape());
    if (inputs[1].requires_grad()) out[1] = sum_to(matmul(a.transpose(-1, -2), g), b.shape());
  }
  const char* name() const override { return "BmmBackward"; }
};

Tensor bmm(const Tensor& a, const Tensor& b) {
  const int64_t M = a.size(-2), K = a.size(-1), N = b.size(-1);
  if (b.size(-2) != K)
    throw Error("matmul: shapes " + a.shape().str() + " and " + b.shape().str() +
                " cannot be multiplied (" + std::to_string(K) +
                " != " + std::to_string(b.size(-2)) + ")");
  Shape ba(std::span<const int64_t>(a.shape().begin(), a.dim() - 2));
  Shape bb(std::span<const int64_t>(b.shape().begin(), b.dim() - 2));
  Shape batch = broadcast_shapes(ba, bb);
  Shape sa = batch, sb = batch, so = batch;
  sa.push_back(M);
  sa.push_back(K);
  sb.push_back(K);
  sb.push_back(N);
  so.push_back(M);
  so.push_back(N);
  Tensor out = make_tensor(so, a.dtype());
  {
    NoGradGuard no_grad;
    const Tensor ea = a.expand(sa).contiguous().reshape({-1, M, K});
    const Tensor eb = b.expand(sb).contiguous().reshape({-1, K, N});
    const Tensor o3 = out.view({-1, M, N});
    for (int64_t i = 0; i < ea.shape()[0]; ++i) {
      Tensor oi = o3.select(0, i);
      oi.copy_(mm_raw(ea.select(0, i), eb.select(0, i)));
    }
  }
  return record<BmmBackward>(out, {a, b}, [&](BmmBackward& n) {
    n.a = a.detach();
    n.b = b.detach();
  });
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) throw Error("matmul: undefined operand");
  if (a.dim() == 0 || b.dim() == 0)
    throw Error("matmul: both arguments need at least 1 dimension, got 0-d");
  if (a.dtype() != b.dtype())
    throw Error(std::string("matmul: expected both operands of one dtype, got ") +
                dtype_name(a.dtype()) + " and " + dtype_name(b.dtype()));
  if (a.dim() == 1 && b.dim() == 1) return dot(a, b);
  if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
  if (b.dim() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
  if (a.dim() == 2 && b.dim() == 2) return mm(a, b);
  return bmm(a, b);
}

Tensor dot(const Tensor& a, const Tensor& b) {
  if (a.dim() != 1 || b.dim() != 1)
    throw Error("dot: 1D tensors expected, but got " + std::to_string(a.dim()) + "D and " +
                std::to_string(b.dim()) + "D tensors");
  if (a.numel() != b.numel())
    throw Error("dot: inconsistent tensor size, expected tensor " + a.shape().str() + " and src " +
                b.shape().str() + " to have the same number of elements");
  return sum(a * b);
}

namespace {
// y = x @ W^T + b: dx = g @ W, dW = g^T @ x, db = sum of g over rows
struct LinearBackward final : Node {
  Tensor x, w;
  bool has_bias = false;
  void backward(const Tensor& g, Grads& out) override {
    if (inputs[0].requires_grad()) out[0] = mm_raw(g, w);
    if (inputs[1].requires_grad()) out[1] = mm_raw(g.t(), x);
    if (has_bias && inputs[2].requires_grad()) out[2] = sum(g, {0});
  }
  const char* name() const override { return "LinearBackward"; }
};
}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  if (weight.dim() != 2)
    throw Error("linear: weight must be 2-d [out, in], got " + weight.shape().str());
  if (x.dim() == 0 || x.size(-1) != weight.shape()[1])
    throw Error("linear: input " + x.shape().str() + " does not end in the " +
                std::to_string(weight.shape()[1]) + " input features of weight " +
                weight.shape().str());
  if (x.dtype() != weight.dtype())
    throw Error(std::string("linear: input is ") + dtype_name(x.dtype()) + " but weight is " +
                dtype_name(weight.dtype()));
  if (x.dim() != 2) {
    Shape out_shape = x.shape();
    out_shape[out_shape.size() - 1] = weight.shape()[0];
    return linear(x.reshape({-1, x.size(-1)}), weight, bias).reshape(out_shape);
  }
  const int64_t m = x.shape()[0], n = weight.shape()[0];
  Tensor out = make_tensor({m, n}, x.dtype());
  dispatch_floating(x.dtype(), "linear", [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data_ptr<T>();
    if (bias.defined()) {
      if (bias.numel() != n)
        throw Error("linear: bias has " + std::to_string(bias.numel()) + " entries, expected " +
                    std::to_string(n));
      const Tensor bc = bias.to(x.dtype()).contiguous();
      const T* bp = bc.data_ptr<T>();
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) o[i * n + j] = bp[j];
    }
    // The transposed view is read once here; recording it for autograd would
    // only build a node that LinearBackward below makes unnecessary.
    NoGradGuard no_grad;
    mm_into<T>(x, weight.t(), out, bias.defined() ? T(1) : T(0));
  });
  if (bias.defined())
    return record<LinearBackward>(out, {x, weight, bias}, [&](LinearBackward& nd) {
      nd.x = x.detach();
      nd.w = weight.detach();
      nd.has_bias = true;
    });
  return record<LinearBackward>(out, {x, weight}, [&](LinearBackward& nd) {
    nd.x = x.detach();
    nd.w = weight.detach();
  });
}

}  // namespace soma
