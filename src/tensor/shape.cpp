#include "soma/tensor/shape.hpp"

#include "soma/core/error.hpp"

namespace soma {

Shape::Shape(std::initializer_list<int64_t> dims)
    : Shape(std::span<const int64_t>(dims.begin(), dims.size())) {}

Shape::Shape(std::span<const int64_t> dims) {
  if (dims.size() > kMaxDims)
    throw Error("shape has " + std::to_string(dims.size()) + " dimensions; at most " +
                std::to_string(kMaxDims) + " are supported");
  for (int64_t d : dims) d_[n_++] = d;
}

void Shape::push_back(int64_t v) {
  if (n_ == kMaxDims) throw Error("shape would exceed " + std::to_string(kMaxDims) + " dimensions");
  d_[n_++] = v;
}

void Shape::insert(int pos, int64_t v) {
  if (n_ == kMaxDims) throw Error("shape would exceed " + std::to_string(kMaxDims) + " dimensions");
  for (int i = n_; i > pos; --i) d_[i] = d_[i - 1];
  d_[pos] = v;
  ++n_;
}

void Shape::erase(int pos) {
  for (int i = pos; i + 1 < n_; ++i) d_[i] = d_[i + 1];
  --n_;
}

void Shape::resize(int n, int64_t fill) {
  for (int i = n_; i < n; ++i) d_[i] = fill;
  n_ = n;
}

int64_t Shape::numel() const {
  // Unsigned, so that a shape like (2^62, 4, 0) multiplies without undefined behaviour:
  // a zero anywhere gives 0 whatever wrapped before it, and a shape without a zero has
  // had its product checked by make_tensor before any tensor of it exists.
  uint64_t n = 1;
  for (int i = 0; i < n_; ++i) n *= static_cast<uint64_t>(d_[i]);
  return static_cast<int64_t>(n);
}

bool Shape::operator==(const Shape& o) const {
  if (n_ != o.n_) return false;
  for (int i = 0; i < n_; ++i)
    if (d_[i] != o.d_[i]) return false;
  return true;
}

std::string Shape::str() const {
  std::string s = "(";
  for (int i = 0; i < n_; ++i) {
    if (i) s += ",";
    s += std::to_string(d_[i]);
  }
  if (n_ == 1) s += ",";
  return s + ")";
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides;
  strides.resize(shape.size());
  int64_t s = 1;
  for (int i = shape.size() - 1; i >= 0; --i) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  if (a == b) return a;
  const int n = std::max(a.size(), b.size());
  Shape out;
  out.resize(n);
  for (int i = 0; i < n; ++i) {
    const int ia = a.size() - n + i, ib = b.size() - n + i;
    const int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    if (da != db && da != 1 && db != 1)
      throw Error("operands could not be broadcast together with shapes " + a.str() + " " +
                  b.str());
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int wrap_dim(int64_t dim, int ndim) {
  const int64_t n = std::max(ndim, 1);
  if (dim < -n || dim >= n)
    throw Error("dimension out of range (expected to be in range of [" + std::to_string(-n) + ", " +
                std::to_string(n - 1) + "], but got " + std::to_string(dim) + ")");
  return static_cast<int>(dim < 0 ? dim + n : dim);
}

}  // namespace soma
