#pragma once
// Datasets hand out batches of examples by index; a DataLoader (loader.hpp) decides
// which indices make each batch.
//
//   data::TensorDataset train_set(x, y);    // x: [N, 31] float32, y: [N] float32
//   data::Batch b = train_set.get_batch(std::vector<int64_t>{4, 0, 7});  // x [3, 31], y [3]
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "soma/tensor/tensor.hpp"

namespace soma::data {

// Inputs and targets of a batch; y is undefined for a dataset without targets.
// An aggregate, so `for (auto& [x, y] : loader)` binds both.
struct Batch {
  Tensor x{};
  Tensor y{};
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  // The examples `indices` (each in [0, size())), in that order, stacked along a new
  // first dimension.
  virtual Batch get_batch(std::span<const int64_t> indices) const = 0;
};

// Examples are the rows (first-dimension slices) of x and y, as torch's TensorDataset.
class TensorDataset final : public Dataset {
 public:
  // x and y must have the same first dimension; they are made contiguous once here so
  // every batch is gathered with one memcpy per row.
  explicit TensorDataset(Tensor x, Tensor y = Tensor());

  int64_t size() const override { return n_; }
  Batch get_batch(std::span<const int64_t> indices) const override;
  // Example i as views of x and y.
  Batch get(int64_t i) const;

  const Tensor& x() const { return x_; }
  const Tensor& y() const { return y_; }

 private:
  Tensor x_, y_;
  int64_t n_ = 0;
  size_t x_row_bytes_ = 0, y_row_bytes_ = 0;
};

// The examples `indices` of another dataset, in that order, as torch's Subset: a training
// part and a held-out part of one data set without a copy of its rows (soma train's
// validation split of Fashion-MNIST would otherwise hold its 188 MB of images twice).
//
//   auto all = std::make_shared<const TensorDataset>(x, y);
//   auto s = train_test_split(all->size(), {.test_size = 0.1});
//   DataLoader train(Subset(all, s.train)), valid(Subset(all, s.test));
class Subset final : public Dataset {
 public:
  // Every index must be in [0, dataset->size()); repeats are allowed.
  Subset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices);

  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  // The examples indices()[i] of the dataset for each i of `indices`.
  Batch get_batch(std::span<const int64_t> indices) const override;

  const std::vector<int64_t>& indices() const { return indices_; }

 private:
  std::shared_ptr<const Dataset> dataset_;
  std::vector<int64_t> indices_;
};

}  // namespace soma::data
