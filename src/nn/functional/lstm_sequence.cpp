// The LSTM recurrence as one op. Composed from autograd ops it costs about 16 nodes per
// step, a slice backward that zero-fills the whole gate block four times per step, and
// 50 small GEMMs where one large one would do; written out it needs one GEMM for the
// input projection of all steps, one [B, H] x [H, 4H] GEMM per step each way, and one
// GEMM per weight gradient over all steps.
//
// Legend (t a step, b a sample, j in [0, H)):
//   forward:  G[t] = x[t] W_ih^T + b_ih + b_hh + h W_hh^T           [B, 4H]
//             i, f, o = sigmoid(G[t] blocks 0, 1, 3), g = tanh(G[t] block 2)
//             c' = f * c + i * g;  h' = o * tanh(c')
//             samples past their length keep h, c and output zero.
//   backward: dh_tot = dh + dy[t];  dc_tot = dc + dh_tot * o * (1 - tanh(c')^2)
//             di = dc_tot * g, df = dc_tot * c, dg = dc_tot * i, do = dh_tot * tanh(c')
//             dG = [di i(1-i), df f(1-f), dg (1-g^2), do o(1-o)];  dc = dc_tot * f
//             dh = dG W_hh;  after all steps: dW_hh = dG^T Hprev, dW_ih = dG^T X,
//             db = column sums of dG, dx = dG W_ih.
// W_hh is packed once per pass for the per-step products (tensor/gemm_packed.hpp): BLAS
// would repack it at each of the T steps.
#include "nn/functional/lstm_sequence.hpp"

#include <cstring>

#include "nn/functional/blas.hpp"
#include "nn/functional/lstm_gates.hpp"
#include "soma/core/error.hpp"
#include "soma/tensor/autograd.hpp"
#include "tensor/gemm_packed.hpp"

namespace soma::nn::functional::detail {

namespace {

// Whether sample b takes part in step t.
inline bool active(const std::vector<int64_t>& lengths, int64_t b, int64_t t) {
  return lengths.empty() || t < lengths[size_t(b)];
}

// What the forward pass keeps for the backward pass.
struct Saved {
  Tensor x;                 // [T*B, in]
  Tensor w_ih, w_hh;        // detached
  Tensor acts;              // [T, B, 4H]: i, f, g, o after their nonlinearities
  Tensor hprev, cprev, tc;  // [T, B, H]: h and c before each step, tanh(c') after
  std::vector<int64_t> lengths;
  bool reverse = false, has_bias = false;
};

struct LstmSequenceBackward final : Node, Saved {
  void backward(const Tensor& g, Grads& out) override {
    if (g.dtype() == kFloat32)
      run<float>(g, out);
    else
      run<double>(g, out);
  }
  const char* name() const override { return "LstmSequenceBackward"; }

  template <class T>
  void run(const Tensor& grad, Grads& out) {
    const int64_t Tn = acts.size(0), B = acts.size(1), H = hprev.size(2), in = x.size(1);
    const Tensor gy = grad.contiguous();
    const T* dy = gy.data_ptr<T>();
    Tensor dG = empty({Tn * B, 4 * H}, grad.dtype());
    Tensor dh = gy.select(0, Tn).clone(), dc = gy.select(0, Tn + 1).clone();
    Tensor dh_prev = empty({B, H}, grad.dtype());
    T* dgp = dG.data_ptr<T>();
    T* dhp = dh.data_ptr<T>();
    T* dcp = dc.data_ptr<T>();
    T* dhq = dh_prev.data_ptr<T>();
    const T* ap = acts.data_ptr<T>();
    const T* cp = cprev.data_ptr<T>();
    const T* tp = tc.data_ptr<T>();
    const PackedMatrix<T> whh(false, 4 * H, H, w_hh.data_ptr<T>(), H);  // dh = dG W_hh
    auto* const gates_backward = lstm_gate_kernels().backward<T>();
    for (int64_t s = Tn - 1; s >= 0; --s) {
      const int64_t t = reverse ? Tn - 1 - s : s;
      for (int64_t b = 0; b < B; ++b) {
        T* dgr = dgp + (t * B + b) * 4 * H;
        if (!active(lengths, b, t)) {
          std::memset(dgr, 0, sizeof(T) * size_t(4 * H));
          continue;
        }
        const T* a = ap + (t * B + b) * 4 * H;
        const T* c0 = cp + (t * B + b) * H;
        const T* tcr = tp + (t * B + b) * H;
        gates_backward(a, c0, tcr, dy + (t * B + b) * H, dhp + b * H, dcp + b * H, dgr, H);
      }
      // dh for the step before: dG[t] W_hh ([B, 4H] x [4H, H]); samples that sat this
      // step out keep theirs.
      whh.multiply(B, dgp + t * B * 4 * H, 4 * H, T(0), dhq, H);
      for (int64_t b = 0; b < B; ++b)
        if (active(lengths, b, t)) std::memcpy(dhp + b * H, dhq + b * H, sizeof(T) * size_t(H));
    }
    const int64_t rows = Tn * B;
    if (inputs[0].requires_grad()) {
      Tensor dx = empty({rows, in}, grad.dtype());
      gemm(false, false, rows, in, 4 * H, dgp, 4 * H, w_ih.data_ptr<T>(), in, T(0),
           dx.data_ptr<T>(), in);
      out[0] = dx.reshape({Tn, B, in});
    }
    if (inputs[1].requires_grad()) out[1] = dh;
    if (inputs[2].requires_grad()) out[2] = dc;
    if (inputs[3].requires_grad()) {
      Tensor dw = empty({4 * H, in}, grad.dtype());
      gemm(true, false, 4 * H, in, rows, dgp, 4 * H, x.data_ptr<T>(), in, T(0), dw.data_ptr<T>(),
           in);
      out[3] = dw;
    }
    if (inputs[4].requires_grad()) {
      Tensor dw = empty({4 * H, H}, grad.dtype());
      gemm(true, false, 4 * H, H, rows, dgp, 4 * H, hprev.data_ptr<T>(), H, T(0), dw.data_ptr<T>(),
           H);
      out[4] = dw;
    }
    if (has_bias && (inputs[5].requires_grad() || inputs[6].requires_grad())) {
      Tensor db = sum(dG, {0});
      if (inputs[5].requires_grad()) out[5] = db;
      if (inputs[6].requires_grad()) out[6] = db;
    }
  }
};

template <class T>
void forward_pass(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& w_ih,
                  const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh,
                  const std::vector<int64_t>& lengths, bool reverse, Tensor& result, Saved& saved) {
  const int64_t Tn = saved.acts.size(0), B = saved.acts.size(1), H = h0.size(1), in = x.size(1);
  T* G = saved.acts.data_ptr<T>();
  // Input projection of every step at once, both biases added first.
  if (b_ih.defined()) {
    const Tensor bias = (b_ih + b_hh).contiguous();
    const T* bp = bias.data_ptr<T>();
    for (int64_t r = 0; r < Tn * B; ++r) std::memcpy(G + r * 4 * H, bp, sizeof(T) * size_t(4 * H));
  }
  gemm(false, true, Tn * B, 4 * H, in, x.data_ptr<T>(), in, w_ih.data_ptr<T>(), in,
       b_ih.defined() ? T(1) : T(0), G, 4 * H);
  Tensor h = h0.clone(), c = c0.clone();
  T* hp = h.data_ptr<T>();
  T* cp = c.data_ptr<T>();
  T* y = result.data_ptr<T>();
  T* hs = saved.hprev.data_ptr<T>();
  T* cs = saved.cprev.data_ptr<T>();
  T* ts = saved.tc.data_ptr<T>();
  const PackedMatrix<T> whh_t(true, H, 4 * H, w_hh.data_ptr<T>(), H);  // h W_hh^T
  auto* const gates_forward = lstm_gate_kernels().forward<T>();
  for (int64_t s = 0; s < Tn; ++s) {
    const int64_t t = reverse ? Tn - 1 - s : s;
    T* Gt = G + t * B * 4 * H;
    std::memcpy(hs + t * B * H, hp, sizeof(T) * size_t(B * H));
    std::memcpy(cs + t * B * H, cp, sizeof(T) * size_t(B * H));
    whh_t.multiply(B, hp, H, T(1), Gt, 4 * H);
    for (int64_t b = 0; b < B; ++b) {
      T* a = Gt + b * 4 * H;
      T* yr = y + (t * B + b) * H;
      T* tr = ts + (t * B + b) * H;
      if (!active(lengths, b, t)) {
        std::memset(yr, 0, sizeof(T) * size_t(H));
        continue;
      }
      gates_forward(a, cp + b * H, tr, hp + b * H, yr, H);
    }
  }
  std::memcpy(y + Tn * B * H, hp, sizeof(T) * size_t(B * H));
  std::memcpy(y + (Tn + 1) * B * H, cp, sizeof(T) * size_t(B * H));
}

}  // namespace

Tensor lstm_sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& w_ih,
                     const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh,
                     const std::vector<int64_t>& lengths, bool reverse) {
  // Shapes are the caller's (nn::LSTM checks what a user passes); these guard the op.
  const int64_t Tn = x.size(0), B = x.size(1), in = x.size(2), H = w_hh.size(1);
  if (h0.shape() != Shape{B, H} || c0.shape() != Shape{B, H} || w_ih.shape() != Shape{4 * H, in} ||
      w_hh.shape() != Shape{4 * H, H} || (b_ih.defined() != b_hh.defined()) ||
      (!lengths.empty() && int64_t(lengths.size()) != B))
    throw Error("lstm_sequence: inconsistent shapes");
  Saved saved;
  const DType dt = x.dtype();
  saved.x = x.detach().contiguous().reshape({Tn * B, in});
  saved.w_ih = w_ih.detach().contiguous();
  saved.w_hh = w_hh.detach().contiguous();
  saved.acts = empty({Tn, B, 4 * H}, dt);
  saved.hprev = empty({Tn, B, H}, dt);
  saved.cprev = empty({Tn, B, H}, dt);
  saved.tc = empty({Tn, B, H}, dt);
  saved.lengths = lengths;
  saved.reverse = reverse;
  saved.has_bias = b_ih.defined();
  Tensor result = empty({Tn + 2, B, H}, dt);
  {
    NoGradGuard no_grad;
    const Tensor h = h0.detach().contiguous(), c = c0.detach().contiguous();
    if (dt == kFloat32)
      forward_pass<float>(saved.x, h, c, saved.w_ih, saved.w_hh, b_ih, b_hh, lengths, reverse,
                          result, saved);
    else
      forward_pass<double>(saved.x, h, c, saved.w_ih, saved.w_hh, b_ih, b_hh, lengths, reverse,
                           result, saved);
  }
  const auto keep = [&](LstmSequenceBackward& n) { static_cast<Saved&>(n) = std::move(saved); };
  if (b_ih.defined())
    return record<LstmSequenceBackward>(result, {x, h0, c0, w_ih, w_hh, b_ih, b_hh}, keep);
  return record<LstmSequenceBackward>(result, {x, h0, c0, w_ih, w_hh}, keep);
}

}  // namespace soma::nn::functional::detail
