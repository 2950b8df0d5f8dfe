// Tensor handles: metadata, data access, conversion, creation.
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <ostream>
#include <sstream>

#include "impl.hpp"
#include "object_pool.hpp"
#include "soma/core/error.hpp"
#include "soma/core/system.hpp"
#include "strided_loop.hpp"

namespace soma {

// ---- dtype facts
size_t itemsize(DType d) {
  switch (d) {
    case DType::Float32:
      return 4;
    case DType::Float64:
      return 8;
    case DType::Int64:
      return 8;
    case DType::Bool:
      return 1;
  }
  return 1;
}
const char* dtype_name(DType d) {
  switch (d) {
    case DType::Float32:
      return "float32";
    case DType::Float64:
      return "float64";
    case DType::Int64:
      return "int64";
    case DType::Bool:
      return "bool";
  }
  return "?";
}
bool is_floating(DType d) { return d == DType::Float32 || d == DType::Float64; }
DType promote_types(DType a, DType b) {
  auto rank = [](DType d) {
    switch (d) {
      case DType::Bool:
        return 0;
      case DType::Int64:
        return 1;
      case DType::Float32:
        return 2;
      case DType::Float64:
        return 3;
    }
    return 0;
  };
  return rank(a) >= rank(b) ? a : b;
}
void throw_not_floating(const char* op, DType dtype) {
  throw Error(std::string(op) + ": expected a float32 or float64 tensor, got " + dtype_name(dtype));
}

// ---- construction of impls
namespace {

// The bytes of a new tensor of `shape`: every dimension non-negative, the element count
// and byte count computed without overflow, and within physical memory. Runs for every
// tensor made, so the message is built only on the way to an error.
size_t checked_bytes(const Shape& shape, DType dtype) {
  uint64_t n = 1;
  bool overflow = false, empty = false;
  for (int64_t d : shape) {
    if (d < 0) throw Error("negative dimension in shape " + shape.str());
    overflow = __builtin_mul_overflow(n, static_cast<uint64_t>(d), &n) || overflow;
    empty = empty || d == 0;
  }
  if (empty) return 0;
  uint64_t bytes = 0;
  overflow = __builtin_mul_overflow(n, static_cast<uint64_t>(itemsize(dtype)), &bytes) || overflow;
  if (overflow || bytes > physical_memory_bytes()) {
    long double exact = static_cast<long double>(itemsize(dtype));  // beyond 64 bits too
    for (int64_t d : shape) exact *= static_cast<long double>(d);
    check_fits_in_memory(exact,
                         "a tensor of shape " + shape.str() + " (" + dtype_name(dtype) + ")");
    throw Error("a tensor of shape " + shape.str() + " has too many elements");
  }
  return static_cast<size_t>(bytes);
}

}  // namespace

Tensor make_tensor(const Shape& shape, DType dtype) {
  const size_t bytes = checked_bytes(shape, dtype);
  auto impl = std::allocate_shared<TensorImpl>(detail::PoolAllocator<TensorImpl>());
  try {
    impl->storage = std::allocate_shared<Storage>(detail::PoolAllocator<Storage>(), bytes);
  } catch (const std::bad_alloc&) {
    throw Error("cannot allocate " + std::to_string(bytes) + " bytes for a tensor of shape " +
                shape.str() + " (" + dtype_name(dtype) + ")");
  }
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor make_view(const Tensor& src, const Shape& shape, const Shape& strides, int64_t offset) {
  auto impl = std::allocate_shared<TensorImpl>(detail::PoolAllocator<TensorImpl>());
  impl->storage = src.impl()->storage;
  impl->shape = shape;
  impl->strides = strides;
  impl->offset = offset;
  impl->dtype = src.dtype();
  return Tensor(std::move(impl));
}

namespace {
void require_defined(const Tensor& t, const char* what) {
  if (!t.defined()) throw Error(std::string(what) + ": the tensor is undefined");
}
}  // namespace

// ---- metadata
const Shape& Tensor::shape() const { return impl_->shape; }
const Shape& Tensor::strides() const { return impl_->strides; }
int64_t Tensor::offset() const { return impl_->offset; }
int64_t Tensor::size(int64_t d) const { return impl_->shape[wrap_dim(d, dim())]; }
int64_t Tensor::numel() const { return impl_->shape.numel(); }
DType Tensor::dtype() const { return impl_->dtype; }
bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (int i = dim() - 1; i >= 0; --i) {
    if (impl_->shape[i] != 1 && impl_->strides[i] != expected) return false;
    expected *= impl_->shape[i];
  }
  return true;
}

template <class T>
T* Tensor::data_ptr() {
  require_defined(*this, "data_ptr");
  if (dtype_of<T>() != dtype())
    throw Error(std::string("data_ptr: the tensor holds ") + dtype_name(dtype()) + ", not " +
                dtype_name(dtype_of<T>()));
  return reinterpret_cast<T*>(impl_->base());
}
template <class T>
const T* Tensor::data_ptr() const {
  return const_cast<Tensor*>(this)->data_ptr<T>();
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  require_defined(*this, "to_vector");
  Tensor c = to(dtype_of<T>()).contiguous();
  const T* p = c.data_ptr<T>();
  return std::vector<T>(p, p + c.numel());
}

template <class T>
T Tensor::item() const {
  require_defined(*this, "item");
  if (numel() != 1)
    throw Error("item: a tensor with " + std::to_string(numel()) +
                " elements cannot be converted to a scalar");
  return dispatch(dtype(), [&](auto tag) -> T {
    using S = decltype(tag);
    return static_cast<T>(*reinterpret_cast<const S*>(impl_->base()));
  });
}

#define SOMA_INSTANTIATE_DATA(T)                        \
  template T* Tensor::data_ptr<T>();                    \
  template const T* Tensor::data_ptr<T>() const;        \
  template std::vector<T> Tensor::to_vector<T>() const; \
  template T Tensor::item<T>() const;
SOMA_INSTANTIATE_DATA(float)
SOMA_INSTANTIATE_DATA(double)
SOMA_INSTANTIATE_DATA(int64_t)
SOMA_INSTANTIATE_DATA(bool)
template int Tensor::item<int>() const;
#undef SOMA_INSTANTIATE_DATA

// ---- autograd fields
bool Tensor::requires_grad() const { return impl_ && impl_->requires_grad; }
Tensor& Tensor::requires_grad_(bool on) {
  require_defined(*this, "requires_grad_");
  if (on && !is_floating(dtype()))
    throw Error(std::string("requires_grad_: only floating tensors can require gradients, not ") +
                dtype_name(dtype()));
  if (!on && impl_->grad_fn)
    throw Error(
        "requires_grad_(false): only leaf tensors can stop requiring gradients; use detach()");
  impl_->requires_grad = on;
  return *this;
}
Tensor Tensor::grad() const { return impl_ && impl_->grad ? Tensor(impl_->grad) : Tensor(); }
void Tensor::set_grad(const Tensor& g) const {
  require_defined(*this, "set_grad");
  impl_->grad = g.impl_ptr();
}
bool Tensor::is_leaf() const { return !impl_ || !impl_->grad_fn; }
const std::shared_ptr<Node>& Tensor::grad_fn() const {
  static const std::shared_ptr<Node> none;
  return impl_ ? impl_->grad_fn : none;
}
Tensor Tensor::detach() const {
  require_defined(*this, "detach");
  return make_view(*this, shape(), strides(), offset());
}

// ---- copies and conversion
namespace {
// Copies src (any strides, any dtype) into dst (same shape) converting element types.
void copy_into(const Tensor& dst, const Tensor& src) {
  dispatch(dst.dtype(), [&](auto dtag) {
    using D = decltype(dtag);
    dispatch(src.dtype(), [&](auto stag) {
      using S = decltype(stag);
      std::array<Shape, 2> strides{dst.strides(), src.strides()};
      for (auto& s : strides[0]) s *= sizeof(D);
      for (auto& s : strides[1]) s *= sizeof(S);
      strided_loop<2>(dst.shape(), strides, {dst.impl()->base(), src.impl()->base()},
                      [](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t n) {
                        if (s[0] == sizeof(D) && s[1] == sizeof(S)) {
                          D* d = reinterpret_cast<D*>(p[0]);
                          const S* x = reinterpret_cast<const S*>(p[1]);
                          if constexpr (std::is_same_v<D, S>) {
                            std::memcpy(d, x, n * sizeof(D));
                          } else {
                            for (int64_t i = 0; i < n; ++i) d[i] = static_cast<D>(x[i]);
                          }
                          return;
                        }
                        for (int64_t i = 0; i < n; ++i)
                          *reinterpret_cast<D*>(p[0] + i * s[0]) =
                              static_cast<D>(*reinterpret_cast<const S*>(p[1] + i * s[1]));
                      });
    });
  });
}
}  // namespace

Tensor Tensor::contiguous() const {
  require_defined(*this, "contiguous");
  if (is_contiguous()) return *this;
  return clone();
}

Tensor& Tensor::copy_(const Tensor& src) {
  require_defined(*this, "copy_");
  require_defined(src, "copy_");
  Tensor s = src.expand(shape());
  copy_into(*this, s);
  return *this;
}

Tensor& Tensor::fill_(double value) {
  require_defined(*this, "fill_");
  dispatch(dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T v = static_cast<T>(value);
    std::array<Shape, 1> strides{impl_->strides};
    for (auto& s : strides[0]) s *= sizeof(T);
    strided_loop<1>(shape(), strides, {impl_->base()},
                    [v](std::array<char*, 1> p, std::array<int64_t, 1> s, int64_t n) {
                      for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
                    });
  });
  return *this;
}

namespace {
template <class Gen>
void fill_random(Tensor& t, const char* op, Gen&& gen) {
  Tensor c = t.is_contiguous() ? t : empty(t.shape(), t.dtype());
  dispatch_floating(t.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    T* p = c.data_ptr<T>();
    for (int64_t i = 0, n = c.numel(); i < n; ++i) p[i] = static_cast<T>(gen());
  });
  if (c.impl() != t.impl()) t.copy_(c);
}
}  // namespace

Tensor& Tensor::uniform_(double lo, double hi, Rng& rng) {
  fill_random(*this, "uniform_", [&] { return rng.uniform(lo, hi); });
  return *this;
}
Tensor& Tensor::normal_(double mean, double stddev, Rng& rng) {
  fill_random(*this, "normal_", [&] { return rng.normal(mean, stddev); });
  return *this;
}

// Conversion and clone record a node so gradients flow through them.
namespace {
struct ToBackward final : Node {
  DType from = kFloat32;
  void backward(const Tensor& g, Grads& out) override { out[0] = g.to(from); }
  const char* name() const override { return "ToBackward"; }
};
}  // namespace

Tensor Tensor::to(DType target) const {
  require_defined(*this, "to");
  if (target == dtype()) return *this;
  Tensor out = make_tensor(shape(), target);
  copy_into(out, *this);
  if (!is_floating(target)) return out;
  return record<ToBackward>(out, {*this}, [&](ToBackward& n) { n.from = dtype(); });
}

namespace {
struct CloneBackward final : Node {
  void backward(const Tensor& g, Grads& out) override { out[0] = g; }
  const char* name() const override { return "CloneBackward"; }
};
}  // namespace

Tensor Tensor::clone() const {
  require_defined(*this, "clone");
  Tensor out = make_tensor(shape(), dtype());
  copy_into(out, *this);
  return record<CloneBackward>(out, {*this}, [](CloneBackward&) {});
}

// ---- creation
Tensor empty(const Shape& shape, DType dtype) { return make_tensor(shape, dtype); }
Tensor zeros(const Shape& shape, DType dtype) {
  Tensor t = make_tensor(shape, dtype);
  std::memset(t.impl()->base(), 0, static_cast<size_t>(t.numel()) * itemsize(dtype));
  return t;
}
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = make_tensor(shape, dtype);
  t.fill_(value);
  return t;
}
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype()); }
Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype()); }
Tensor scalar_tensor(double value, DType dtype) { return full({}, value, dtype); }

Tensor arange(double start, double end, double step, DType dtype) {
  if (step == 0) throw Error("arange: step must be nonzero");
  const double count = std::ceil((end - start) / step);
  const int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  Tensor t = make_tensor({n}, dtype);
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
  return t;
}
Tensor arange(int64_t end, DType dtype) {
  return arange(0.0, static_cast<double>(end), 1.0, dtype);
}

Tensor linspace(double start, double end, int64_t steps, DType dtype) {
  if (steps < 0) throw Error("linspace: number of steps must be non-negative");
  Tensor t = make_tensor({steps}, dtype);
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data_ptr<T>();
    const double delta = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
    // Fill from both ends, as NumPy does, so the last point is exactly `end`.
    for (int64_t i = 0; i < steps; ++i)
      p[i] = static_cast<T>(i < steps / 2 ? start + delta * static_cast<double>(i)
                                          : end - delta * static_cast<double>(steps - 1 - i));
  });
  return t;
}

Tensor eye(int64_t n, DType dtype) {
  Tensor t = zeros({n, n}, dtype);
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) p[i * n + i] = static_cast<T>(1);
  });
  return t;
}

Tensor rand(const Shape& shape, Rng& rng, DType dtype) {
  Tensor t = make_tensor(shape, dtype);
  return t.uniform_(0.0, 1.0, rng);
}
Tensor randn(const Shape& shape, Rng& rng, DType dtype) {
  Tensor t = make_tensor(shape, dtype);
  return t.normal_(0.0, 1.0, rng);
}
Tensor randint(int64_t low, int64_t high, const Shape& shape, Rng& rng) {
  if (high <= low) throw Error("randint: expected low < high");
  Tensor t = make_tensor(shape, kInt64);
  int64_t* p = t.data_ptr<int64_t>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = low + static_cast<int64_t>(rng.below(static_cast<uint64_t>(high - low)));
  return t;
}

namespace {
template <class T>
Tensor from_values(std::span<const T> values, const Shape& shape) {
  Tensor t = make_tensor({static_cast<int64_t>(values.size())}, dtype_of<T>());
  if (!values.empty()) std::memcpy(t.data_ptr<T>(), values.data(), values.size() * sizeof(T));
  return shape.empty() ? t : t.reshape(shape);
}
}  // namespace

Tensor tensor(std::span<const float> v, const Shape& s) { return from_values(v, s); }
Tensor tensor(std::span<const double> v, const Shape& s) { return from_values(v, s); }
Tensor tensor(std::span<const int64_t> v, const Shape& s) { return from_values(v, s); }
Tensor tensor(std::initializer_list<float> v, const Shape& s) {
  return from_values(std::span<const float>(v.begin(), v.size()), s);
}
Tensor tensor(std::initializer_list<double> v, const Shape& s) {
  return from_values(std::span<const double>(v.begin(), v.size()), s);
}
Tensor tensor(std::initializer_list<int64_t> v, const Shape& s) {
  return from_values(std::span<const int64_t>(v.begin(), v.size()), s);
}
Tensor tensor(const std::vector<bool>& v, const Shape& s) {
  Tensor t = make_tensor({static_cast<int64_t>(v.size())}, kBool);
  bool* p = t.data_ptr<bool>();
  for (size_t i = 0; i < v.size(); ++i) p[i] = v[i];
  return s.empty() ? t : t.reshape(s);
}

// ---- printing, in PyTorch's spirit
namespace {
void print_rec(std::ostream& os, const Tensor& t, int d, std::vector<int64_t>& idx) {
  if (d == t.dim()) {
    int64_t off = t.offset();
    for (int i = 0; i < t.dim(); ++i) off += idx[i] * t.strides()[i];
    dispatch(t.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T v = reinterpret_cast<const T*>(t.impl()->storage->data)[off];
      if constexpr (std::is_same_v<T, bool>)
        os << (v ? "True" : "False");
      else
        os << v;
    });
    return;
  }
  os << "[";
  for (int64_t i = 0; i < t.shape()[d]; ++i) {
    if (i) os << (d + 1 == t.dim() ? ", " : ",\n" + std::string(d + 8, ' '));
    idx[d] = i;
    print_rec(os, t, d + 1, idx);
  }
  os << "]";
}
}  // namespace

std::string Tensor::str() const {
  std::ostringstream os;
  os << *this;
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  std::vector<int64_t> idx(t.dim());
  os << "tensor(";
  print_rec(os, t, 0, idx);
  if (t.dtype() != kFloat32) os << ", dtype=" << dtype_name(t.dtype());
  if (t.requires_grad()) os << ", requires_grad=True";
  return os << ")";
}

}  // namespace soma

namespace soma {
Tensor tensor(std::initializer_list<bool> v, const Shape& s) {
  return tensor(std::vector<bool>(v), s);
}
}  // namespace soma
