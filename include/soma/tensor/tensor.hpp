#pragma once
// soma::Tensor: an N-d array with NumPy broadcasting and PyTorch-style autograd.
//
//   Tensor w = randn({3, 2}).requires_grad_();      // a leaf that wants a gradient
//   Tensor x = tensor({1.f, 2.f}).reshape({1, 2});   // from data
//   Tensor y = sigmoid(matmul(x, w.t())).sum();      // every op records how to go back
//   y.backward();                                    // dy/dw lands in w.grad()
//
// A Tensor is a cheap handle to shared state (storage, dtype, shape, strides, offset,
// and the autograd fields). Views — reshape of contiguous data, transpose, permute,
// slice, squeeze, expand — share storage and copy nothing. Ops that are not views
// return new, contiguous tensors. Errors a caller can make (shapes that do not
// broadcast, bad dimensions, wrong dtypes) throw soma::Error.
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/core/random.hpp"
#include "soma/core/std_memory.hpp"
#include "soma/tensor/dtype.hpp"
#include "soma/tensor/shape.hpp"

namespace soma {

struct TensorImpl;
struct Node;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }

  // ---- metadata
  const Shape& shape() const;
  const Shape& strides() const;
  int64_t offset() const;
  int dim() const { return shape().size(); }
  int64_t size(int64_t d) const;
  int64_t numel() const;
  DType dtype() const;
  Device device() const { return Device::CPU; }
  bool is_contiguous() const;

  // ---- data access (the dtype must match T exactly)
  template <class T>
  T* data_ptr();
  template <class T>
  const T* data_ptr() const;
  // The single value of a one-element tensor, converted to T.
  template <class T>
  T item() const;
  // All values in row-major order, converted to T.
  template <class T>
  std::vector<T> to_vector() const;

  // ---- autograd
  bool requires_grad() const;
  Tensor& requires_grad_(bool on = true);
  Tensor grad() const;
  void set_grad(const Tensor& g) const;
  bool is_leaf() const;
  const std::shared_ptr<Node>& grad_fn() const;
  // Reverse-mode differentiation from this tensor. A non-scalar needs `gradient`.
  void backward(const Tensor& gradient = Tensor()) const;
  // Same data, cut from the graph.
  Tensor detach() const;

  // ---- conversion and copies
  Tensor to(DType dtype) const;
  Tensor clone() const;
  Tensor contiguous() const;

  // ---- views and shape ops
  Tensor reshape(const Shape& shape) const;  // one size may be -1
  Tensor view(const Shape& shape) const;     // like reshape, but never copies
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor t() const;  // transpose of a 1-d or 2-d tensor
  Tensor T() const;  // all dimensions reversed
  Tensor permute(const Shape& order) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor expand(const Shape& shape) const;

  // ---- reductions as members, for reading comfort
  Tensor sum() const;
  Tensor sum(const Shape& dims, bool keepdim = false) const;
  Tensor sum(int64_t dim, bool keepdim = false) const { return sum(Shape{dim}, keepdim); }
  Tensor mean() const;
  Tensor mean(const Shape& dims, bool keepdim = false) const;
  Tensor mean(int64_t dim, bool keepdim = false) const { return mean(Shape{dim}, keepdim); }

  // ---- in-place updates outside autograd (optimisers, initialisers, loaders)
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }
  Tensor& copy_(const Tensor& src);  // src broadcasts to this tensor's shape
  Tensor& uniform_(double lo, double hi, Rng& rng = global_rng());
  Tensor& normal_(double mean, double stddev, Rng& rng = global_rng());

  std::string str() const;
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ---- creation (float32 unless a dtype is given)
Tensor empty(const Shape& shape, DType dtype = kFloat32);
Tensor zeros(const Shape& shape, DType dtype = kFloat32);
Tensor ones(const Shape& shape, DType dtype = kFloat32);
Tensor full(const Shape& shape, double value, DType dtype = kFloat32);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor empty_like(const Tensor& t);
Tensor scalar_tensor(double value, DType dtype = kFloat32);
// [start, end) in steps of `step`, as numpy.arange.
Tensor arange(double start, double end, double step = 1.0, DType dtype = kFloat32);
Tensor arange(int64_t end, DType dtype = kInt64);
// `steps` points from start to end inclusive, as numpy.linspace.
Tensor linspace(double start, double end, int64_t steps, DType dtype = kFloat32);
Tensor eye(int64_t n, DType dtype = kFloat32);
// Uniform in [0, 1) and standard normal.
Tensor rand(const Shape& shape, Rng& rng = global_rng(), DType dtype = kFloat32);
Tensor randn(const Shape& shape, Rng& rng = global_rng(), DType dtype = kFloat32);
// Uniform integers in [low, high).
Tensor randint(int64_t low, int64_t high, const Shape& shape, Rng& rng = global_rng());
// From data: a 1-d tensor, optionally reshaped.
Tensor tensor(std::span<const float> values, const Shape& shape = {});
Tensor tensor(std::span<const double> values, const Shape& shape = {});
Tensor tensor(std::span<const int64_t> values, const Shape& shape = {});
Tensor tensor(std::initializer_list<float> values, const Shape& shape = {});
Tensor tensor(std::initializer_list<double> values, const Shape& shape = {});
Tensor tensor(std::initializer_list<int64_t> values, const Shape& shape = {});
Tensor tensor(const std::vector<bool>& values, const Shape& shape = {});
Tensor tensor(std::initializer_list<bool> values, const Shape& shape = {});

// ---- element-wise arithmetic with NumPy broadcasting
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, double exponent);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator-(const Tensor& a);

// Comparisons give bool tensors (no gradient).
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);
// Elements of a where cond is true, of b elsewhere (all three broadcast).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// ---- element-wise functions
Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor abs(const Tensor& a);
Tensor square(const Tensor& a);
Tensor sin(const Tensor& a);
Tensor cos(const Tensor& a);
Tensor tanh(const Tensor& a);
Tensor sigmoid(const Tensor& a);
Tensor relu(const Tensor& a);
Tensor leaky_relu(const Tensor& a, double negative_slope = 0.01);
// Parametric ReLU: max(0,x) + weight * min(0,x); weight has 1 or C (= size of dim 1) entries.
Tensor prelu(const Tensor& a, const Tensor& weight);
Tensor clamp(const Tensor& a, double min, double max);
Tensor clamp_min(const Tensor& a, double min);
Tensor sign(const Tensor& a);

// ---- reductions: over all elements, or over `dims` (negative counts from the end)
Tensor sum(const Tensor& a);
Tensor sum(const Tensor& a, const Shape& dims, bool keepdim = false);
Tensor mean(const Tensor& a);
Tensor mean(const Tensor& a, const Shape& dims, bool keepdim = false);
Tensor max(const Tensor& a);
Tensor max(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor min(const Tensor& a);
Tensor min(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& a);  // index into the flattened tensor
Tensor argmax(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& a, int64_t dim, bool keepdim = false);
// Variance and standard deviation with Bessel's correction by default (as torch).
// With `using namespace soma`, call soma::std (plain std names the standard library).
// Empty dims mean all dimensions: var(a, {}, false, 0) is the population variance.
Tensor var(const Tensor& a);
Tensor var(const Tensor& a, const Shape& dims, bool keepdim = false, int64_t correction = 1);
Tensor std(const Tensor& a);
Tensor std(const Tensor& a, const Shape& dims, bool keepdim = false, int64_t correction = 1);
// Sums g down to `shape` over the dimensions broadcasting stretched (the gradient of broadcast).
Tensor sum_to(const Tensor& g, const Shape& shape);

// ---- joining
Tensor concat(const std::vector<Tensor>& tensors, int64_t dim = 0);
// torch's name for concat.
inline Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0) {
  return concat(tensors, dim);
}
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);

// ---- linear algebra (float32/float64 through BLAS)
// numpy.matmul: 1-d·1-d is a dot product, 2-d @ 2-d a matrix product, leading
// dimensions broadcast as batches.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor dot(const Tensor& a, const Tensor& b);  // 1-d only
// x @ weight^T + bias, one GEMM (the Linear layer). x: [..., in], weight: [out, in].
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// ---- softmax family and losses (reduction: mean over the batch)
enum class Reduction { Mean, Sum, None };
Tensor softmax(const Tensor& a, int64_t dim);
Tensor log_softmax(const Tensor& a, int64_t dim);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction r = Reduction::Mean);
// input holds probabilities in (0,1); log terms clamped at -100 as PyTorch does.
Tensor bce_loss(const Tensor& input, const Tensor& target, Reduction r = Reduction::Mean);
Tensor bce_with_logits(const Tensor& logits, const Tensor& target, Reduction r = Reduction::Mean);
// logits [N, C] (or [C]) and int64 class indices [N].
Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction r = Reduction::Mean);
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction r = Reduction::Mean);

// Is autograd recording? False inside a NoGradGuard.
bool grad_enabled();

// No graph is recorded while one of these is alive (torch.no_grad()).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace soma
