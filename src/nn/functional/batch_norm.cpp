// batch_norm over dimension 1, fused forward and backward.
// Legend: x viewed as [N, C, S] (S = product of the dimensions after 1), M = N * S
// values per channel.
//   forward (training):  mean_c, var_c (biased) over M; invstd = 1 / sqrt(var + eps)
//                        xhat = (x - mean) * invstd; y = gamma * xhat + beta
//   backward (training): dbeta = sum g; dgamma = sum g * xhat;
//                        dx = gamma * invstd / M * (M * g - sum g - xhat * sum(g * xhat))
//   evaluation:          mean, var are the running statistics (constants), so
//                        dx = g * gamma * invstd.
#include <cmath>

#include "soma/core/error.hpp"
#include "soma/core/threads.hpp"
#include "soma/nn/functional.hpp"
#include "soma/tensor/autograd.hpp"

namespace soma::nn::functional {

namespace {

struct Layout {
  int64_t n, c, s;
};

template <class T>
const T* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

struct BatchNormBackward final : Node {
  Tensor x, gamma, mean, invstd;  // mean and invstd [C] in the input's dtype
  Layout l;
  bool training = true;
  void backward(const Tensor& g, Grads& out) override {
    if (g.dtype() == kFloat32)
      run<float>(g, out);
    else
      run<double>(g, out);
  }
  template <class T>
  void run(const Tensor& grad, Grads& out) {
    const Tensor gc = grad.contiguous();
    const T* g = gc.data_ptr<T>();
    const T* xs = x.data_ptr<T>();
    const T* ga = ptr_or_null<T>(gamma);
    const T* mu = mean.data_ptr<T>();
    const T* is = invstd.data_ptr<T>();
    const bool need_x = inputs[0].requires_grad();
    const bool need_w = inputs[1].defined() && inputs[1].requires_grad();
    const bool need_b = inputs[2].defined() && inputs[2].requires_grad();
    Tensor dx = need_x ? empty(x.shape(), x.dtype()) : Tensor();
    Tensor dw = need_w ? empty({l.c}, x.dtype()) : Tensor();
    Tensor db = need_b ? empty({l.c}, x.dtype()) : Tensor();
    T* dxp = need_x ? dx.data_ptr<T>() : nullptr;
    const double m = static_cast<double>(l.n * l.s);
#pragma omp parallel for schedule(static) if (num_threads() > 1 && l.n * l.c * l.s > 32768)
    for (int64_t c = 0; c < l.c; ++c) {
      double sum_g = 0, sum_gx = 0;
      const double mc = mu[c], ic = is[c];
      for (int64_t n = 0; n < l.n; ++n) {
        const T* gr = g + (n * l.c + c) * l.s;
        const T* xr = xs + (n * l.c + c) * l.s;
        // Lanes may sum in any order (still in double): a strictly ordered sum stays scalar.
#pragma omp simd reduction(+ : sum_g, sum_gx)
        for (int64_t i = 0; i < l.s; ++i) {
          sum_g += gr[i];
          sum_gx += gr[i] * (xr[i] - mc) * ic;
        }
      }
      if (need_w) dw.data_ptr<T>()[c] = static_cast<T>(sum_gx);
      if (need_b) db.data_ptr<T>()[c] = static_cast<T>(sum_g);
      if (!need_x) continue;
      const double scale = (ga ? ga[c] : 1.0) * is[c];
      for (int64_t n = 0; n < l.n; ++n) {
        const T* gr = g + (n * l.c + c) * l.s;
        const T* xr = xs + (n * l.c + c) * l.s;
        T* d = dxp + (n * l.c + c) * l.s;
        if (training) {
#pragma omp simd
          for (int64_t i = 0; i < l.s; ++i) {
            const double xhat = (xr[i] - mc) * ic;
            d[i] = static_cast<T>(scale / m * (m * gr[i] - sum_g - xhat * sum_gx));
          }
        } else {
#pragma omp simd
          for (int64_t i = 0; i < l.s; ++i) d[i] = static_cast<T>(scale * gr[i]);
        }
      }
    }
    out[0] = dx;
    out[1] = dw;
    out[2] = db;
  }
  const char* name() const override { return "BatchNormBackward"; }
};

template <class T>
void forward(const Tensor& x, Tensor& y, Tensor& mean, Tensor& invstd, Tensor rm, Tensor rv,
             const Tensor& w, const Tensor& b, bool training, double momentum, double eps,
             const Layout& l) {
  const T* xs = x.data_ptr<T>();
  T* ys = y.data_ptr<T>();
  T* mu = mean.data_ptr<T>();
  T* is = invstd.data_ptr<T>();
  const T* ga = ptr_or_null<T>(w);
  const T* be = ptr_or_null<T>(b);
  T* rmp = rm.defined() ? rm.data_ptr<T>() : nullptr;
  T* rvp = rv.defined() ? rv.data_ptr<T>() : nullptr;
  const int64_t m = l.n * l.s;
#pragma omp parallel for schedule(static) if (num_threads() > 1 && l.n * l.c * l.s > 32768)
  for (int64_t c = 0; c < l.c; ++c) {
    double mc, vc;
    if (training) {
      // Lanes may sum in any order (still in double): a strictly ordered sum stays scalar.
      double s = 0;
      for (int64_t n = 0; n < l.n; ++n) {
        const T* xr = xs + (n * l.c + c) * l.s;
#pragma omp simd reduction(+ : s)
        for (int64_t i = 0; i < l.s; ++i) s += xr[i];
      }
      mc = s / static_cast<double>(m);
      double ss = 0;  // two passes: exact enough for float32 data of any offset
      for (int64_t n = 0; n < l.n; ++n) {
        const T* xr = xs + (n * l.c + c) * l.s;
#pragma omp simd reduction(+ : ss)
        for (int64_t i = 0; i < l.s; ++i) {
          const double d = xr[i] - mc;
          ss += d * d;
        }
      }
      vc = ss / static_cast<double>(m);
      if (rmp) rmp[c] = static_cast<T>((1 - momentum) * rmp[c] + momentum * mc);
      if (rvp)
        rvp[c] = static_cast<T>((1 - momentum) * rvp[c] +
                                momentum * (m > 1 ? ss / static_cast<double>(m - 1) : vc));
    } else {
      mc = rmp[c];
      vc = rvp[c];
    }
    mu[c] = static_cast<T>(mc);
    is[c] = static_cast<T>(1.0 / std::sqrt(vc + eps));
    const double scale = (ga ? ga[c] : 1.0) / std::sqrt(vc + eps), shift = be ? be[c] : 0.0;
    for (int64_t n = 0; n < l.n; ++n) {
      const T* xr = xs + (n * l.c + c) * l.s;
      T* yr = ys + (n * l.c + c) * l.s;
#pragma omp simd
      for (int64_t i = 0; i < l.s; ++i) yr[i] = static_cast<T>((xr[i] - mc) * scale + shift);
    }
  }
}

void check_vector(const Tensor& t, const char* what, int64_t c, DType dtype) {
  if (!t.defined()) return;
  if (t.dim() != 1 || t.size(0) != c || t.dtype() != dtype || !t.is_contiguous())
    throw Error(std::string("batch_norm: ") + what + " must be a contiguous " + dtype_name(dtype) +
                " vector of " + std::to_string(c) + " values, got shape " + t.shape().str() + " " +
                dtype_name(t.dtype()));
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum,
                  double eps) {
  if (!input.defined() || input.dim() < 2)
    throw Error("batch_norm: expected an input [N, C] or [N, C, ...], got " +
                (input.defined() ? input.shape().str() : std::string("undefined")));
  if (!is_floating(input.dtype())) throw Error("batch_norm: expected a floating input");
  const int64_t c = input.size(1);
  check_vector(running_mean, "running_mean", c, input.dtype());
  check_vector(running_var, "running_var", c, input.dtype());
  check_vector(weight, "weight", c, input.dtype());
  check_vector(bias, "bias", c, input.dtype());
  if (!training && (!running_mean.defined() || !running_var.defined()))
    throw Error("batch_norm: evaluation mode needs running_mean and running_var");
  Layout l{input.size(0), c, c == 0 ? 0 : input.numel() / std::max<int64_t>(input.size(0) * c, 1)};
  if (training && l.n * l.s <= 1)
    throw Error(
        "batch_norm: expected more than 1 value per channel when training, got input of shape " +
        input.shape().str());
  const Tensor x = input.contiguous();
  Tensor y = empty(x.shape(), x.dtype()), mean = empty({c}, x.dtype()),
         invstd = empty({c}, x.dtype());
  {
    NoGradGuard no_grad;  // running statistics are updated outside autograd
    if (x.dtype() == kFloat32)
      forward<float>(x, y, mean, invstd, running_mean, running_var, weight, bias, training,
                     momentum, eps, l);
    else
      forward<double>(x, y, mean, invstd, running_mean, running_var, weight, bias, training,
                      momentum, eps, l);
  }
  return record<BatchNormBackward>(y, {input, weight, bias}, [&](BatchNormBackward& n) {
    n.x = x.detach();
    n.gamma = weight.defined() ? weight.detach() : Tensor();
    n.mean = mean;
    n.invstd = invstd;
    n.l = l;
    n.training = training;
  });
}

Tensor dropout(const Tensor& input, double p, bool training, Rng& rng) {
  if (!(p >= 0.0 && p <= 1.0))
    throw Error("dropout: probability must be in [0, 1], got " + std::to_string(p));
  if (!training || p == 0.0) return input;
  if (!is_floating(input.dtype())) throw Error("dropout: expected a floating input");
  // mask = keep / (1 - p), drawn in row-major order: the same seed drops the same units.
  Tensor mask = empty(input.shape(), input.dtype());
  const double scale = p == 1.0 ? 0.0 : 1.0 / (1.0 - p);
  auto fill = [&](auto tag) {
    using T = decltype(tag);
    T* m = mask.data_ptr<T>();
    for (int64_t i = 0; i < mask.numel(); ++i)
      m[i] = rng.uniform() < p ? T(0) : static_cast<T>(scale);
  };
  if (input.dtype() == kFloat32)
    fill(float{});
  else
    fill(double{});
  return input * mask;
}

}  // namespace soma::nn::functional
