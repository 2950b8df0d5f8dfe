#include "soma/data/dataset.hpp"

#include <cstring>
#include <utility>

#include "soma/core/error.hpp"

namespace soma::data {

namespace {

// Raw bytes of a tensor of any dtype (data_ptr is typed).
char* bytes_of(Tensor& t) {
  switch (t.dtype()) {
    case DType::Float32:
      return reinterpret_cast<char*>(t.data_ptr<float>());
    case DType::Float64:
      return reinterpret_cast<char*>(t.data_ptr<double>());
    case DType::Int64:
      return reinterpret_cast<char*>(t.data_ptr<int64_t>());
    case DType::Bool:
      return reinterpret_cast<char*>(t.data_ptr<bool>());
  }
  return nullptr;
}

const char* bytes_of(const Tensor& t) { return bytes_of(const_cast<Tensor&>(t)); }

// A new tensor of `src`'s dtype holding the rows `indices` of src (contiguous, rows of
// `row_bytes`): the batch shape is src's with the first size replaced.
Tensor gather_rows(const Tensor& src, std::span<const int64_t> indices, size_t row_bytes) {
  Shape shape = src.shape();
  shape[0] = static_cast<int64_t>(indices.size());
  Tensor out = empty(shape, src.dtype());
  if (indices.empty() || row_bytes == 0) return out;
  const char* from = bytes_of(src);
  char* to = bytes_of(out);
  for (int64_t i : indices) {
    std::memcpy(to, from + static_cast<size_t>(i) * row_bytes, row_bytes);
    to += row_bytes;
  }
  return out;
}

}  // namespace

TensorDataset::TensorDataset(Tensor x, Tensor y) {
  if (!x.defined() || x.dim() == 0) throw Error("TensorDataset: x must have a first dimension");
  n_ = x.size(0);
  if (y.defined()) {
    if (y.dim() == 0 || y.size(0) != n_)
      throw Error("TensorDataset: x has " + std::to_string(n_) + " examples but y has shape " +
                  y.shape().str());
    y_ = y.detach().contiguous();
    y_row_bytes_ = n_ ? static_cast<size_t>(y_.numel() / n_) * itemsize(y_.dtype()) : 0;
  }
  x_ = x.detach().contiguous();
  x_row_bytes_ = n_ ? static_cast<size_t>(x_.numel() / n_) * itemsize(x_.dtype()) : 0;
}

Batch TensorDataset::get_batch(std::span<const int64_t> indices) const {
  for (int64_t i : indices)
    if (i < 0 || i >= n_)
      throw Error("TensorDataset: index " + std::to_string(i) + " out of range [0, " +
                  std::to_string(n_) + ")");
  Batch b;
  b.x = gather_rows(x_, indices, x_row_bytes_);
  if (y_.defined()) b.y = gather_rows(y_, indices, y_row_bytes_);
  return b;
}

Batch TensorDataset::get(int64_t i) const {
  if (i < 0 || i >= n_)
    throw Error("TensorDataset: index " + std::to_string(i) + " out of range [0, " +
                std::to_string(n_) + ")");
  Batch b;
  b.x = x_.select(0, i);
  if (y_.defined()) b.y = y_.select(0, i);
  return b;
}

Subset::Subset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {
  if (!dataset_) throw Error("Subset: no dataset");
  const int64_t n = dataset_->size();
  for (size_t k = 0; k < indices_.size(); ++k)
    if (indices_[k] < 0 || indices_[k] >= n)
      throw Error("Subset: index " + std::to_string(indices_[k]) + " at position " +
                  std::to_string(k) + " is out of range for a dataset of " + std::to_string(n) +
                  " examples");
}

Batch Subset::get_batch(std::span<const int64_t> indices) const {
  std::vector<int64_t> mapped;
  mapped.reserve(indices.size());
  for (int64_t i : indices) {
    if (i < 0 || i >= size())
      throw Error("Subset: index " + std::to_string(i) + " out of range [0, " +
                  std::to_string(size()) + ")");
    mapped.push_back(indices_[static_cast<size_t>(i)]);
  }
  return dataset_->get_batch(mapped);
}

}  // namespace soma::data
