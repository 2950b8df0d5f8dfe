// Softmax family and losses; the fused ones keep what their gradient needs.
#include <cmath>

#include "elementwise_kernel.hpp"
#include "soma/core/error.hpp"

namespace soma {

namespace {

// Views a as [outer, n, inner] around `dim` (contiguous copy if needed).
struct AroundDim {
  Tensor src;
  int64_t outer = 1, n = 1, inner = 1;
};
AroundDim around(const Tensor& a, int dim) {
  AroundDim r{a.contiguous()};
  for (int i = 0; i < a.dim(); ++i) {
    if (i < dim)
      r.outer *= a.shape()[i];
    else if (i == dim)
      r.n = a.shape()[i];
    else
      r.inner *= a.shape()[i];
  }
  return r;
}

// Softmax (or log-softmax) along the middle axis of [outer, n, inner].
template <class T>
void softmax_kernel(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool log_space) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const T* xs = x + o * n * inner + i;
      T* ys = y + o * n * inner + i;
      T mx = xs[0];
      for (int64_t k = 1; k < n; ++k) mx = std::max(mx, xs[k * inner]);
      double total = 0;
      for (int64_t k = 0; k < n; ++k) total += std::exp(static_cast<double>(xs[k * inner] - mx));
      if (log_space) {
        // (x - max) - log(sum), as torch: x - max is exact for nearby values, so a common
        // offset of the row cancels; x - (max + log(sum)) would round max + log(sum) at
        // the offset's magnitude (0.0078 at 1e5 in float).
        const T log_total = static_cast<T>(std::log(total));
        for (int64_t k = 0; k < n; ++k) ys[k * inner] = (xs[k * inner] - mx) - log_total;
      } else {
        const double inv = 1.0 / total;
        for (int64_t k = 0; k < n; ++k)
          ys[k * inner] = static_cast<T>(std::exp(static_cast<double>(xs[k * inner] - mx)) * inv);
      }
    }
}

Tensor softmax_forward(const Tensor& a, int dim, bool log_space) {
  const AroundDim v = around(a, dim);
  Tensor out = make_tensor(a.shape(), a.dtype());
  dispatch_floating(a.dtype(), "softmax", [&](auto tag) {
    using T = decltype(tag);
    softmax_kernel<T>(v.src.data_ptr<T>(), out.data_ptr<T>(), v.outer, v.n, v.inner, log_space);
  });
  return out;
}

// softmax: dx = y * (g - sum(g*y))
struct SoftmaxBackward final : Node {
  Tensor y;
  int dim = 0;
  void backward(const Tensor& g, Grads& out) override {
    out[0] = y * (g - sum(g * y, {dim}, true));
  }
  const char* name() const override { return "SoftmaxBackward"; }
};
// log_softmax: dx = g - exp(y) * sum(g)
struct LogSoftmaxBackward final : Node {
  Tensor y;
  int dim = 0;
  void backward(const Tensor& g, Grads& out) override { out[0] = g - exp(y) * sum(g, {dim}, true); }
  const char* name() const override { return "LogSoftmaxBackward"; }
};

Tensor reduce(const Tensor& losses, Reduction r) {
  switch (r) {
    case Reduction::Mean:
      return mean(losses);
    case Reduction::Sum:
      return sum(losses);
    case Reduction::None:
      return losses;
  }
  return losses;
}

// The fused losses record one node for loss and reduction together, so the
// reduction itself must not be recorded.
Tensor reduce_untracked(const Tensor& losses, Reduction r) {
  NoGradGuard no_grad;
  return reduce(losses, r);
}

void check_same_shape(const char* op, const Tensor& input, const Tensor& target) {
  if (input.shape() != target.shape())
    throw Error(std::string(op) + ": target size " + target.shape().str() +
                " must be the same as input size " + input.shape().str());
}

// Class indices as a contiguous int64 vector of length N, checked against C classes.
Tensor check_targets(const char* op, const Tensor& target, int64_t n, int64_t classes) {
  if (target.dtype() != kInt64)
    throw Error(std::string(op) + ": target must hold int64 class indices, got " +
                dtype_name(target.dtype()));
  if (target.numel() != n)
    throw Error(std::string(op) + ": expected " + std::to_string(n) + " targets, got " +
                target.shape().str());
  Tensor t = target.contiguous();
  const int64_t* p = t.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i)
    if (p[i] < 0 || p[i] >= classes)
      throw Error(std::string(op) + ": target " + std::to_string(p[i]) + " at position " +
                  std::to_string(i) + " is out of bounds for " + std::to_string(classes) +
                  " classes");
  return t;
}

// cross_entropy fused: loss_i = logsumexp(x_i) - x_i[t_i]; dx = (softmax(x) - onehot(t)) * g
struct CrossEntropyBackward final : Node {
  Tensor probs, target;
  Reduction reduction = Reduction::Mean;
  void backward(const Tensor& g, Grads& out) override {
    const int64_t n = probs.shape()[0], c = probs.shape()[1];
    Tensor dx = probs.clone();
    dispatch_floating(probs.dtype(), "cross_entropy", [&](auto tag) {
      using T = decltype(tag);
      T* d = dx.data_ptr<T>();
      const int64_t* t = target.data_ptr<int64_t>();
      const Tensor gc = g.contiguous();
      const T* gp = gc.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i) {
        const T scale = reduction == Reduction::None
                            ? gp[i]
                            : (reduction == Reduction::Mean ? gp[0] / T(n) : gp[0]);
        d[i * c + t[i]] -= T(1);
        for (int64_t k = 0; k < c; ++k) d[i * c + k] *= scale;
      }
    });
    out[0] = dx.reshape(inputs[0].shape());
  }
  const char* name() const override { return "CrossEntropyBackward"; }
};

// bce on probabilities: dl/dp = (p - t) / max(p(1-p), 1e-12), as PyTorch
struct BceBackward final : Node {
  Tensor p, t;
  Reduction reduction = Reduction::Mean;
  void backward(const Tensor& g, Grads& out) override {
    Tensor d = float_binary_grad(p, t);
    const double scale = reduction == Reduction::Mean ? 1.0 / static_cast<double>(p.numel()) : 1.0;
    out[0] = reduction == Reduction::None ? d * g : d * (g * scale);
  }
  static Tensor float_binary_grad(const Tensor& p, const Tensor& t) {
    return dispatch_floating(p.dtype(), "bce_loss", [&](auto tag) -> Tensor {
      using T = decltype(tag);
      return binary_map<T, T>(
          p, t, [](T pv, T tv) { return (pv - tv) / std::max(pv * (T(1) - pv), T(1e-12)); });
    });
  }
  const char* name() const override { return "BceBackward"; }
};

// bce with logits: dl/dx = sigmoid(x) - t
struct BceLogitsBackward final : Node {
  Tensor x, t;
  Reduction reduction = Reduction::Mean;
  void backward(const Tensor& g, Grads& out) override {
    NoGradGuard no_grad;
    Tensor d = sigmoid(x) - t;
    const double scale = reduction == Reduction::Mean ? 1.0 / static_cast<double>(x.numel()) : 1.0;
    out[0] = reduction == Reduction::None ? d * g : d * (g * scale);
  }
  const char* name() const override { return "BceLogitsBackward"; }
};

}  // namespace

Tensor softmax(const Tensor& a, int64_t dim) {
  const int d = wrap_dim(dim, a.dim());
  Tensor y = softmax_forward(a, d, false);
  return record<SoftmaxBackward>(y, {a}, [&](SoftmaxBackward& n) {
    n.y = y.detach();
    n.dim = d;
  });
}

Tensor log_softmax(const Tensor& a, int64_t dim) {
  const int d = wrap_dim(dim, a.dim());
  Tensor y = softmax_forward(a, d, true);
  return record<LogSoftmaxBackward>(y, {a}, [&](LogSoftmaxBackward& n) {
    n.y = y.detach();
    n.dim = d;
  });
}

namespace {
// mse fused: loss_i = (x_i - t_i)^2; dx = norm * (x - t) * g with norm = 2/N for the mean
// (2 otherwise) rounded to the input type, in torch's order (mse_backward_cpu_kernel);
// dt = -dx.
struct MseBackward final : Node {
  Tensor x, t;  // contiguous, one dtype
  Reduction reduction = Reduction::Mean;
  void backward(const Tensor& g, Grads& out) override {
    const Tensor gc = g.contiguous();
    Tensor dx = make_tensor(x.shape(), x.dtype());
    dispatch_floating(x.dtype(), "mse_loss", [&](auto tag) {
      using T = decltype(tag);
      const T norm =
          static_cast<T>(reduction == Reduction::Mean ? 2.0 / static_cast<double>(x.numel()) : 2.0);
      const T* xp = x.data_ptr<T>();
      const T* tp = t.data_ptr<T>();
      const T* gp = gc.data_ptr<T>();
      T* d = dx.data_ptr<T>();
      const int64_t n = x.numel();
      if (reduction == Reduction::None) {
        for (int64_t i = 0; i < n; ++i) d[i] = norm * (xp[i] - tp[i]) * gp[i];
      } else {
        const T gv = gp[0];
        for (int64_t i = 0; i < n; ++i) d[i] = norm * (xp[i] - tp[i]) * gv;
      }
    });
    if (inputs[1].requires_grad()) out[1] = neg(dx).to(inputs[1].dtype());
    if (inputs[0].requires_grad()) out[0] = as_dtype(dx, inputs[0].dtype());
  }
  const char* name() const override { return "MseLossBackward"; }
};
}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction r) {
  if (!input.defined() || !target.defined()) throw Error("mse_loss: undefined operand");
  check_same_shape("mse_loss", input, target);
  const DType dt = promote_types(input.dtype(), target.dtype());
  if (!is_floating(dt)) return reduce(square(input - target), r);
  const Tensor x = as_dtype(input, dt).contiguous();
  const Tensor t = as_dtype(target, dt).contiguous();
  Tensor losses = dispatch_floating(dt, "mse_loss", [&](auto tag) -> Tensor {
    using T = decltype(tag);
    return binary_map<T, T>(x, t, [](T a, T b) { return (a - b) * (a - b); });
  });
  Tensor out = reduce_untracked(losses, r);
  return record<MseBackward>(out, {input, target}, [&](MseBackward& n) {
    n.x = x.detach();
    n.t = t.detach();
    n.reduction = r;
  });
}

Tensor bce_loss(const Tensor& input, const Tensor& target, Reduction r) {
  check_same_shape("bce_loss", input, target);
  const Tensor t = as_dtype(target, input.dtype()).contiguous();
  const Tensor p = input.contiguous();
  Tensor losses = dispatch_floating(input.dtype(), "bce_loss", [&](auto tag) -> Tensor {
    using T = decltype(tag);
    return binary_map<T, T>(p, t, [](T pv, T tv) {
      // log terms clamped at -100 so a confident wrong answer gives a large, finite loss
      const T lp = std::max(std::log(pv), T(-100));
      const T lq = std::max(std::log(T(1) - pv), T(-100));
      return -(tv * lp + (T(1) - tv) * lq);
    });
  });
  Tensor out = reduce_untracked(losses, r);
  return record<BceBackward>(out, {input}, [&](BceBackward& n) {
    n.p = p.detach();
    n.t = t;
    n.reduction = r;
  });
}

Tensor bce_with_logits(const Tensor& logits, const Tensor& target, Reduction r) {
  check_same_shape("bce_with_logits", logits, target);
  const Tensor t = as_dtype(target, logits.dtype()).contiguous();
  const Tensor x = logits.contiguous();
  Tensor losses = dispatch_floating(logits.dtype(), "bce_with_logits", [&](auto tag) -> Tensor {
    using T = decltype(tag);
    return binary_map<T, T>(x, t, [](T xv, T tv) {
      return std::max(xv, T(0)) - xv * tv + std::log1p(std::exp(-std::abs(xv)));
    });
  });
  Tensor out = reduce_untracked(losses, r);
  return record<BceLogitsBackward>(out, {logits}, [&](BceLogitsBackward& n) {
    n.x = x.detach();
    n.t = t;
    n.reduction = r;
  });
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction r) {
  if (logits.dim() == 1) {
    Tensor l = cross_entropy(logits.unsqueeze(0), target.reshape({1}), r);
    return r == Reduction::None ? l.reshape({}) : l;
  }
  if (logits.dim() != 2)
    throw Error("cross_entropy: expected logits of shape [N, C] or [C], got " +
                logits.shape().str());
  const int64_t n = logits.shape()[0], c = logits.shape()[1];
  const Tensor t = check_targets("cross_entropy", target, n, c);
  // -log softmax from the log-space form, accurate even where p underflows
  Tensor log_probs = softmax_forward(logits, 1, true);
  Tensor losses = make_tensor({n}, logits.dtype());
  Tensor probs = make_tensor(logits.shape(), logits.dtype());
  dispatch_floating(logits.dtype(), "cross_entropy", [&](auto tag) {
    using T = decltype(tag);
    const T* lp = log_probs.data_ptr<T>();
    T* pr = probs.data_ptr<T>();
    const int64_t* tp = t.data_ptr<int64_t>();
    T* l = losses.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) {
      l[i] = -lp[i * c + tp[i]];
      for (int64_t k = 0; k < c; ++k) pr[i * c + k] = std::exp(lp[i * c + k]);
    }
  });
  Tensor out = reduce_untracked(losses, r);
  return record<CrossEntropyBackward>(out, {logits}, [&](CrossEntropyBackward& nd) {
    nd.probs = probs;
    nd.target = t;
    nd.reduction = r;
  });
}

namespace {
// nll: dl/dlogp[i, t_i] = -g (divided by N for the mean)
struct NllBackward final : Node {
  Tensor target;
  Shape in_shape;
  Reduction reduction = Reduction::Mean;
  void backward(const Tensor& g, Grads& out) override {
    const int64_t n = in_shape[0], c = in_shape[1];
    Tensor d = zeros(in_shape, g.dtype());
    dispatch_floating(g.dtype(), "nll_loss", [&](auto tag) {
      using T = decltype(tag);
      T* dp = d.data_ptr<T>();
      const Tensor gc = g.contiguous();
      const T* gp = gc.data_ptr<T>();
      const int64_t* t = target.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i)
        dp[i * c + t[i]] = reduction == Reduction::None
                               ? -gp[i]
                               : (reduction == Reduction::Mean ? -gp[0] / T(n) : -gp[0]);
    });
    out[0] = d;
  }
  const char* name() const override { return "NllBackward"; }
};
}  // namespace

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction r) {
  if (log_probs.dim() != 2)
    throw Error("nll_loss: expected log-probabilities of shape [N, C], got " +
                log_probs.shape().str());
  const int64_t n = log_probs.shape()[0], c = log_probs.shape()[1];
  const Tensor t = check_targets("nll_loss", target, n, c);
  const Tensor lp = log_probs.contiguous();
  Tensor losses = make_tensor({n}, log_probs.dtype());
  dispatch_floating(log_probs.dtype(), "nll_loss", [&](auto tag) {
    using T = decltype(tag);
    const T* p = lp.data_ptr<T>();
    const int64_t* tp = t.data_ptr<int64_t>();
    T* l = losses.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) l[i] = -p[i * c + tp[i]];
  });
  Tensor out = reduce_untracked(losses, r);
  return record<NllBackward>(out, {log_probs}, [&](NllBackward& nd) {
    nd.target = t;
    nd.in_shape = log_probs.shape();
    nd.reduction = r;
  });
}

}  // namespace soma
