#pragma once
// The state behind a Tensor handle. Private to the tensor module: other modules
// use the public Tensor API (data_ptr, record, attach_node).
#include <cstdlib>
#include <memory>

#include "soma/tensor/autograd.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma {

// A block of memory from the caching allocator. Freed blocks go back to a free
// list by size class instead of to the system: touching fresh pages costs ~11 us per
// 4 KiB here, so reuse is a large part of speed on repeated passes.
struct Storage {
  void* data = nullptr;
  size_t nbytes = 0;
  int size_class = -1;
  explicit Storage(size_t bytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape, strides;
  DType dtype = kFloat32;
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<Node> grad_fn;

  char* base() const { return static_cast<char*>(storage->data) + offset * itemsize(dtype); }
};

// A new contiguous tensor (uninitialised contents).
Tensor make_tensor(const Shape& shape, DType dtype);
// A view of `src`'s storage with other metadata.
Tensor make_view(const Tensor& src, const Shape& shape, const Shape& strides, int64_t offset);

// Calls f(T{}) with T the C++ type of dtype.
template <class F>
decltype(auto) dispatch(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Float32:
      return f(float{});
    case DType::Float64:
      return f(double{});
    case DType::Int64:
      return f(int64_t{});
    case DType::Bool:
      return f(bool{});
  }
  std::abort();
}

// Same, for floating types only; others throw soma::Error naming `op`.
template <class F>
decltype(auto) dispatch_floating(DType dtype, const char* op, F&& f) {
  void throw_not_floating(const char* op, DType dtype);
  switch (dtype) {
    case DType::Float32:
      return f(float{});
    case DType::Float64:
      return f(double{});
    default:
      throw_not_floating(op, dtype);
  }
  std::abort();
}

}  // namespace soma
