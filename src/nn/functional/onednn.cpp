// oneDNN's convolution primitives behind onednn.hpp. Creating a primitive costs far more
// than running one on a small batch (it searches oneDNN's kernels and JIT-compiles one),
// so each (operation, geometry) gets its primitive once, kept in a map for the process's
// life; a training loop sees a handful of shapes.
//
// Memory layouts: the primitives are created with format_tag::any, so oneDNN picks its
// blocked layouts (nChw16c and the like on AVX-512), and the plain NCHW arrays are
// reordered into and out of them around each call. SOMA_ONEDNN=plain asks for NCHW
// throughout instead (no reorders): measured on the GAN's and VAE's layers (one thread),
// oneDNN then ran every layer slower than soma's own im2col path, while with its blocked
// layouts the layers with 16 or more channels took 0.5 to 0.75 of soma's time, reorders
// included. Scratch memory is the caller's (scratchpad_mode::user), so two
// threads may run the same primitive at once.
#include "nn/functional/onednn.hpp"

#if SOMA_HAVE_ONEDNN
#include <omp.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "nn/functional/parallel.hpp"
#include "soma/core/error.hpp"
#endif

namespace soma::nn::functional::detail::onednn {

#if SOMA_HAVE_ONEDNN

namespace {

using dnnl::memory;
using Dims = memory::dims;

enum class Mode { off, plain, blocked };

Mode mode() {
  static const Mode m = [] {
    const char* e = std::getenv("SOMA_ONEDNN");
    if (e == nullptr || std::strcmp(e, "blocked") == 0 || *e == '\0') return Mode::blocked;
    if (std::strcmp(e, "off") == 0 || std::strcmp(e, "0") == 0) return Mode::off;
    if (std::strcmp(e, "plain") == 0) return Mode::plain;
    throw Error("SOMA_ONEDNN=" + std::string(e) +
                ": expected off (or 0), plain or blocked (the default)");
  }();
  return m;
}

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

enum Op { kForward, kForwardBias, kBackwardData, kBackwardWeights, kBackwardWeightsBias };

// One argument of a primitive: the plain layout the caller's array has, the layout the
// primitive wants, and the reorder between them where they differ.
struct Arg {
  int id = 0;  // DNNL_ARG_*
  bool output = false;
  memory::desc plain, want;
  std::optional<dnnl::reorder> reorder;  // plain -> want for inputs, want -> plain for outputs
};

struct Entry {
  std::optional<dnnl::primitive> prim;  // empty: oneDNN refused this geometry
  memory::desc scratch;
  std::vector<Arg> args;
  std::string impl;
};

// The convolution's dimensions in oneDNN's terms, or nothing where they do not map: oneDNN
// wants dst = (src + pad_l + pad_r - reach) / stride + 1 exactly, so pad_r is what makes it
// so (conv2d's floor drops rows; conv_transpose2d's output_padding adds some); a negative
// pad_r is left to soma's own path.
struct Dimensions {
  Dims src, wei, bias, dst, strides, dilates, pad_l, pad_r;
};

std::optional<Dimensions> dimensions_of(const Geometry& g) {
  if (g.n < 1 || g.c < 1 || g.o < 1 || g.oh < 1 || g.ow < 1) return std::nullopt;
  Dimensions d;
  d.src = {g.n, g.c, g.h, g.w};
  d.wei = {g.o, g.c, g.kh, g.kw};
  d.bias = {g.o};
  d.dst = {g.n, g.o, g.oh, g.ow};
  d.strides = {g.stride[0], g.stride[1]};
  d.dilates = {g.dil[0] - 1, g.dil[1] - 1};  // oneDNN counts the gaps: 0 is none
  d.pad_l = {g.pad[0], g.pad[1]};
  const int64_t in[2] = {g.h, g.w}, out[2] = {g.oh, g.ow}, kernel[2] = {g.kh, g.kw};
  for (int k = 0; k < 2; ++k) {
    const int64_t reach = (kernel[k] - 1) * g.dil[k] + 1;
    const int64_t pad_r = (out[k] - 1) * g.stride[k] + reach - in[k] - g.pad[k];
    if (pad_r < 0) return std::nullopt;
    d.pad_r.push_back(pad_r);
  }
  return d;
}

memory::desc desc_of(const Dims& dims, bool any) {
  using tag = memory::format_tag;
  const tag plain = dims.size() == 1 ? tag::a : tag::abcd;  // x, nchw / oihw
  return memory::desc(dims, memory::data_type::f32, any ? tag::any : plain);
}

void add_arg(Entry& e, int id, bool output, const Dims& dims, const memory::desc& want) {
  Arg a;
  a.id = id, a.output = output;
  a.plain = desc_of(dims, false);
  a.want = want;
  if (a.want != a.plain) {
    memory::desc from = output ? a.want : a.plain, to = output ? a.plain : a.want;
    a.reorder = dnnl::reorder(dnnl::reorder::primitive_desc(engine(), from, engine(), to));
  }
  e.args.push_back(std::move(a));
}

Entry create(int op, const Geometry& g) {
  Entry e;
  const std::optional<Dimensions> d = dimensions_of(g);
  if (!d) return e;
  const bool any = mode() == Mode::blocked;
  const memory::desc src = desc_of(d->src, any), wei = desc_of(d->wei, any),
                     dst = desc_of(d->dst, any), bias = desc_of(d->bias, false);
  const bool with_bias = op == kForwardBias || op == kBackwardWeightsBias;
  const auto algo = dnnl::algorithm::convolution_direct;
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  try {
    using fwd = dnnl::convolution_forward;
    const fwd::primitive_desc hint(
        with_bias ? fwd::desc(dnnl::prop_kind::forward_training, algo, src, wei, bias, dst,
                              d->strides, d->dilates, d->pad_l, d->pad_r)
                  : fwd::desc(dnnl::prop_kind::forward_training, algo, src, wei, dst, d->strides,
                              d->dilates, d->pad_l, d->pad_r),
        attr, engine());
    if (op == kForward || op == kForwardBias) {
      e.prim = fwd(hint);
      e.scratch = hint.scratchpad_desc();
      e.impl = hint.impl_info_str();
      add_arg(e, DNNL_ARG_SRC, false, d->src, hint.src_desc());
      add_arg(e, DNNL_ARG_WEIGHTS, false, d->wei, hint.weights_desc());
      if (with_bias) add_arg(e, DNNL_ARG_BIAS, false, d->bias, hint.bias_desc());
      add_arg(e, DNNL_ARG_DST, true, d->dst, hint.dst_desc());
    } else if (op == kBackwardData) {
      using bwd = dnnl::convolution_backward_data;
      const bwd::primitive_desc pd(
          bwd::desc(algo, src, wei, dst, d->strides, d->dilates, d->pad_l, d->pad_r), attr,
          engine(), hint);
      e.prim = bwd(pd);
      e.scratch = pd.scratchpad_desc();
      e.impl = pd.impl_info_str();
      add_arg(e, DNNL_ARG_DIFF_DST, false, d->dst, pd.diff_dst_desc());
      add_arg(e, DNNL_ARG_WEIGHTS, false, d->wei, pd.weights_desc());
      add_arg(e, DNNL_ARG_DIFF_SRC, true, d->src, pd.diff_src_desc());
    } else {
      using bwd = dnnl::convolution_backward_weights;
      const bwd::primitive_desc pd(
          with_bias
              ? bwd::desc(algo, src, wei, bias, dst, d->strides, d->dilates, d->pad_l, d->pad_r)
              : bwd::desc(algo, src, wei, dst, d->strides, d->dilates, d->pad_l, d->pad_r),
          attr, engine(), hint);
      e.prim = bwd(pd);
      e.scratch = pd.scratchpad_desc();
      e.impl = pd.impl_info_str();
      add_arg(e, DNNL_ARG_SRC, false, d->src, pd.src_desc());
      add_arg(e, DNNL_ARG_DIFF_DST, false, d->dst, pd.diff_dst_desc());
      add_arg(e, DNNL_ARG_DIFF_WEIGHTS, true, d->wei, pd.diff_weights_desc());
      if (with_bias) add_arg(e, DNNL_ARG_DIFF_BIAS, true, d->bias, pd.diff_bias_desc());
    }
  } catch (const dnnl::error&) {
    // No kernel for this geometry (or a dimension oneDNN rejects): soma's own path runs it.
    return Entry{};
  }
  return e;
}

using Key = std::array<int64_t, 16>;

// The primitive for (op, g), created on first use; null where oneDNN refuses it.
const Entry* entry(int op, const Geometry& g) {
  static std::mutex mutex;
  static std::map<Key, Entry> cache;
  const Key key{op,   g.n,  g.c,         g.h,         g.w,      g.o,      g.kh,     g.kw,
                g.oh, g.ow, g.stride[0], g.stride[1], g.pad[0], g.pad[1], g.dil[0], g.dil[1]};
  const std::lock_guard lock(mutex);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, create(op, g)).first;
  return it->second.prim ? &it->second : nullptr;
}

// oneDNN's blocked layouts hold channels in blocks of 16 (AVX-512; 8 on AVX2), so a layer
// with fewer on either side computes mostly padding: measured on the GAN's and VAE's
// layers (one thread), its input gradient for 1 or 2 input channels took 3 to 10 times
// soma's im2col path, while every layer with 16 or more channels on both sides ran in
// 0.5 to 0.75 of soma's time.
constexpr int64_t kMinChannels = 16;

// oneDNN runs on the calling thread alone while this lives: the threads are soma's
// (over_batch). Its OpenMP threads would spin between calls, as PyTorch's do, which on a
// loaded machine made soma's two-thread GAN epoch take 8 times the CPU of one thread.
struct OneOmpThread {
  int saved = omp_get_max_threads();
  OneOmpThread() {
    if (saved != 1) omp_set_num_threads(1);
  }
  ~OneOmpThread() {
    if (saved != 1) omp_set_num_threads(saved);
  }
  OneOmpThread(const OneOmpThread&) = delete;
  OneOmpThread& operator=(const OneOmpThread&) = delete;
};

// Runs the primitive for (op, g) on the arrays `data` (one per argument, in its order).
bool run(int op, const Geometry& g, const std::vector<const void*>& data) {
  const Entry* e = entry(op, g);
  if (e == nullptr) return false;
  const OneOmpThread one;
  dnnl::stream stream(engine());
  std::unordered_map<int, memory> args;
  std::vector<std::pair<const Arg*, memory>> outputs;  // (arg, the caller's array) to reorder into
  for (size_t i = 0; i < e->args.size(); ++i) {
    const Arg& a = e->args[i];
    memory user(a.plain, engine(), const_cast<void*>(data[i]));
    if (!a.reorder) {
      args.emplace(a.id, user);
      continue;
    }
    memory mine(a.want, engine());
    if (a.output)
      outputs.emplace_back(&a, user);
    else
      a.reorder->execute(stream, user, mine);
    args.emplace(a.id, mine);
  }
  memory scratch(e->scratch, engine());
  args.emplace(DNNL_ARG_SCRATCHPAD, scratch);
  e->prim->execute(stream, args);
  for (auto& [a, user] : outputs) a->reorder->execute(stream, args.at(a->id), user);
  stream.wait();
  return true;
}

}  // namespace

std::string describe() {
  const dnnl::version_t* v = dnnl::version();
  std::string out = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                    std::to_string(v->patch);
  if (mode() == Mode::off) return out + ", turned off by SOMA_ONEDNN=off";
  // The kernel of a DCGAN layer (32 -> 64 channels, 4x4, stride 2, 14x14): the ISA
  // oneDNN dispatched to on this CPU.
  Geometry g{};
  g.n = 1, g.c = 32, g.h = 14, g.w = 14, g.o = 64, g.kh = 4, g.kw = 4, g.oh = 7, g.ow = 7;
  g.stride = {2, 2}, g.pad = {1, 1}, g.dil = {1, 1};
  const Entry* e = entry(kForward, g);
  out += e != nullptr ? ", " + e->impl : ", no kernel for a 4x4 stride-2 layer";
  if (mode() == Mode::plain) out += ", plain layouts (SOMA_ONEDNN=plain)";
  return out;
}

namespace {

// Splits the batch over soma's threads as soma's own path does (contiguous, equal ranges
// of images, detail::threads_for), f(t, part) running the images of `part` (g with its n)
// starting at image `first`; false if any part was refused.
template <class F>
bool over_batch(const Geometry& g, double flops, F&& f) {
  if (mode() == Mode::off || g.c < kMinChannels || g.o < kMinChannels) return false;
  const int nt = threads_for(g.n, flops);
  std::atomic<bool> ok{true};
  parallel_ranges(nt, g.n, [&](int t, int64_t begin, int64_t end) {
    Geometry part = g;
    part.n = end - begin;
    if (part.n > 0 && !f(t, begin, part)) ok = false;
  });
  return ok;
}

double flops_of(const Geometry& g) { return 2.0 * g.n * g.o * g.k() * g.p(); }

}  // namespace

bool forward(const Geometry& g, const float* x, const float* w, const float* b, float* y) {
  const int64_t in = g.c * g.h * g.w, out = g.o * g.p();
  return over_batch(g, flops_of(g), [&](int, int64_t first, const Geometry& part) {
    if (b != nullptr) return run(kForwardBias, part, {x + first * in, w, b, y + first * out});
    return run(kForward, part, {x + first * in, w, y + first * out});
  });
}

bool backward_data(const Geometry& g, const float* dy, const float* w, float* dx) {
  const int64_t in = g.c * g.h * g.w, out = g.o * g.p();
  return over_batch(g, flops_of(g), [&](int, int64_t first, const Geometry& part) {
    return run(kBackwardData, part, {dy + first * out, w, dx + first * in});
  });
}

// Each thread's images give partial dw/db (thread 0's straight into the result), summed in
// thread order: the bits depend on the thread count, not on timing.
bool backward_weights(const Geometry& g, const float* x, const float* dy, float* dw, float* db) {
  const int64_t in = g.c * g.h * g.w, out = g.o * g.p(), nw = g.o * g.k(), nb = g.o;
  const int nt = threads_for(g.n, flops_of(g));
  std::vector<float> partial(static_cast<size_t>((nt - 1) * (nw + nb)));
  const bool ok = over_batch(g, flops_of(g), [&](int t, int64_t first, const Geometry& part) {
    float* pw = t == 0 ? dw : partial.data() + (t - 1) * (nw + nb);
    float* pb = db == nullptr ? nullptr : t == 0 ? db : partial.data() + (t - 1) * (nw + nb) + nw;
    if (pb != nullptr)
      return run(kBackwardWeightsBias, part, {x + first * in, dy + first * out, pw, pb});
    return run(kBackwardWeights, part, {x + first * in, dy + first * out, pw});
  });
  if (!ok) return false;
  for (int t = 1; t < nt; ++t) {
    const float* p = partial.data() + (t - 1) * (nw + nb);
    for (int64_t i = 0; i < nw; ++i) dw[i] += p[i];
    if (db != nullptr)
      for (int64_t i = 0; i < nb; ++i) db[i] += p[nw + i];
  }
  return true;
}

#else  // built without oneDNN: soma's own path runs every convolution

std::string describe() { return ""; }
bool forward(const Geometry&, const float*, const float*, const float*, float*) { return false; }
bool backward_data(const Geometry&, const float*, const float*, float*) { return false; }
bool backward_weights(const Geometry&, const float*, const float*, float*, float*) { return false; }

#endif

}  // namespace soma::nn::functional::detail::onednn
