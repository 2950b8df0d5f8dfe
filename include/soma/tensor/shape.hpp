#pragma once
// Shape: the sizes (or strides) of a tensor, stored inline so that making a tensor
// never allocates for its metadata. Eight dimensions is more than any op here needs.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

namespace soma {

class Shape {
 public:
  static constexpr int kMaxDims = 8;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(std::span<const int64_t> dims);

  int size() const { return n_; }
  bool empty() const { return n_ == 0; }
  int64_t operator[](int i) const { return d_[i]; }
  int64_t& operator[](int i) { return d_[i]; }
  const int64_t* begin() const { return d_; }
  const int64_t* end() const { return d_ + n_; }
  int64_t* begin() { return d_; }
  int64_t* end() { return d_ + n_; }
  int64_t back() const { return d_[n_ - 1]; }
  void push_back(int64_t v);
  void insert(int pos, int64_t v);
  void erase(int pos);
  void resize(int n, int64_t fill = 0);

  // Product of the sizes (1 for a 0-d shape).
  int64_t numel() const;
  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }
  // NumPy's spelling: "(2,3)", "(2,)", "()".
  std::string str() const;

 private:
  int64_t d_[kMaxDims] = {};
  int n_ = 0;
};

// Row-major (C-order) strides for a shape, in elements.
Shape contiguous_strides(const Shape& shape);

// NumPy broadcasting of two shapes: align on the right, size-1 dimensions stretch.
// Throws soma::Error "operands could not be broadcast together with shapes (2,3) (2,)".
Shape broadcast_shapes(const Shape& a, const Shape& b);

// Wraps a possibly negative dimension index into [0, ndim); throws soma::Error if out of range.
int wrap_dim(int64_t dim, int ndim);

}  // namespace soma
