#include "soma/data/loader.hpp"

#include <algorithm>
#include <numeric>

#include "soma/core/error.hpp"

namespace soma::data {

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options), rng_(options.seed) {
  if (!dataset_) throw Error("DataLoader: no dataset");
  if (options_.batch_size < 1)
    throw Error("DataLoader: batch_size must be at least 1, got " +
                std::to_string(options_.batch_size));
  const int64_t n = dataset_->size();
  num_batches_ = options_.drop_last ? n / options_.batch_size
                                    : (n + options_.batch_size - 1) / options_.batch_size;
  order_.resize(static_cast<size_t>(n));
  std::iota(order_.begin(), order_.end(), 0);
}

DataLoader::Iterator DataLoader::begin() {
  if (options_.shuffle) {
    // Each epoch shuffles the identity afresh, so epoch e's order depends only on the
    // seed and e, not on how far earlier epochs were iterated.
    std::iota(order_.begin(), order_.end(), 0);
    rng_.shuffle(order_.begin(), order_.end());
  }
  return Iterator(this, 0);
}

void DataLoader::set_order(std::vector<int64_t> order) {
  const int64_t n = dataset_->size();
  if (static_cast<int64_t>(order.size()) != n)
    throw Error("DataLoader: the restored order has " + std::to_string(order.size()) +
                " indices, the dataset has " + std::to_string(n) + " examples");
  std::vector<char> seen(static_cast<size_t>(n), 0);
  for (const int64_t i : order) {
    if (i < 0 || i >= n || seen[static_cast<size_t>(i)])
      throw Error("DataLoader: the restored order is not a permutation of 0.." +
                  std::to_string(n - 1) + " (index " + std::to_string(i) + ")");
    seen[static_cast<size_t>(i)] = 1;
  }
  order_ = std::move(order);
}

DataLoader::Iterator DataLoader::resume_at(int64_t b) {
  if (b < 0 || b > num_batches_)
    throw Error("DataLoader: cannot resume at batch " + std::to_string(b) + " of " +
                std::to_string(num_batches_));
  return Iterator(this, b);
}

Batch DataLoader::batch(int64_t b) const {
  if (b < 0 || b >= num_batches_)
    throw Error("DataLoader: batch " + std::to_string(b) + " out of range [0, " +
                std::to_string(num_batches_) + ")");
  const int64_t start = b * options_.batch_size;
  const int64_t stop = std::min<int64_t>(start + options_.batch_size, dataset_->size());
  return dataset_->get_batch(
      std::span<const int64_t>(order_.data() + start, static_cast<size_t>(stop - start)));
}

DataLoader::Iterator::Iterator(const DataLoader* loader, int64_t index)
    : loader_(loader), index_(index) {
  load();
}

void DataLoader::Iterator::load() {
  if (loader_ && index_ < loader_->num_batches_) batch_ = loader_->batch(index_);
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  ++index_;
  load();
  return *this;
}

}  // namespace soma::data
