#pragma once
// DataLoader: batches of a Dataset, in order or reshuffled every epoch, as torch's.
//
//   data::DataLoader loader(train_set, {.batch_size = 13, .shuffle = true, .seed = 42});
//   for (int epoch = 0; epoch < 2000; ++epoch)
//     for (auto& [x, y] : loader) { ... }   // each `for` is one epoch
//
// Every epoch visits each example exactly once (the last batch is smaller unless
// drop_last). With shuffle, epoch e uses the e-th permutation drawn from Rng(seed),
// so the same seed replays the same sequence of batches. The loader reuses its index
// buffer; a batch costs its two tensors and one memcpy per row, nothing else.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <vector>

#include "soma/core/random.hpp"
#include "soma/core/std_memory.hpp"
#include "soma/data/dataset.hpp"

namespace soma::data {

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;
  bool drop_last = false;  // leave out a last, smaller batch
  uint64_t seed = 42;
};

class DataLoader {
 public:
  // Takes the dataset by value (a TensorDataset is a few tensor handles).
  template <class D>
  requires std::derived_from<D, Dataset> DataLoader(D dataset, DataLoaderOptions options = {})
      : DataLoader(std::shared_ptr<const Dataset>(std::make_shared<const D>(std::move(dataset))),
                   options) {}
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options = {});

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = Batch*;
    using reference = Batch&;

    Iterator() = default;
    Batch& operator*() { return batch_; }
    Batch* operator->() { return &batch_; }
    Iterator& operator++();
    bool operator==(const Iterator& o) const { return index_ == o.index_; }

   private:
    friend class DataLoader;
    Iterator(const DataLoader* loader, int64_t index);
    void load();
    const DataLoader* loader_ = nullptr;
    int64_t index_ = 0;
    Batch batch_;
  };

  // Starts an epoch (a new permutation when shuffling) and returns its first batch.
  Iterator begin();
  Iterator end() const { return Iterator(nullptr, num_batches_); }

  // Batches per epoch, as len(loader).
  int64_t size() const { return num_batches_; }
  const Dataset& dataset() const { return *dataset_; }
  const DataLoaderOptions& options() const { return options_; }
  // The example order of the epoch begin() last started.
  const std::vector<int64_t>& order() const { return order_; }
  // Batch b of the current epoch, without iterating.
  Batch batch(int64_t b) const;

  // For checkpoints, which must hold the shuffling stream to resume bit for bit: the
  // generator, the current epoch's order back (checked to be a permutation of the
  // dataset's indices), and the current epoch continued at batch b (0 <= b <= size())
  // without a new shuffle.
  Rng& rng() { return rng_; }
  const Rng& rng() const { return rng_; }
  void set_order(std::vector<int64_t> order);
  Iterator resume_at(int64_t b);

 private:
  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  int64_t num_batches_ = 0;
  std::vector<int64_t> order_;
  Rng rng_;
};

}  // namespace soma::data
