// The data section of a training configuration as tensors: CSV through a fitted
// data::Pipeline, IDX and Fashion-MNIST images as they are.
#include "soma/train/prepare.hpp"

#include <algorithm>

#include "soma/core/error.hpp"
#include "soma/data/csv.hpp"
#include "soma/data/fashion_mnist.hpp"
#include "soma/data/idx.hpp"
#include "soma/data/split.hpp"

namespace soma::train {

Tensor targets_for_loss(const std::string& loss, const Tensor& y) {
  if (loss == "cross_entropy") return y.to(kInt64).reshape({-1});
  return y.to(kFloat32).reshape({-1, 1});
}

namespace {

// The label column as a tensor: numeric and complete (a NaN label has no class).
Tensor target_tensor(const Config& c, const data::DataFrame& df, const std::string& what) {
  const data::Column& y = df[c.data.target];
  if (!y.is_numeric())
    throw Error(what + ": the target column '" + c.data.target + "' is " + y.dtype() +
                ", expected numbers (class indices 0, 1, ... or values)");
  if (y.null_count() > 0)
    throw Error(what + ": the target column '" + c.data.target + "' has " +
                std::to_string(y.null_count()) + " missing values");
  return targets_for_loss(c.loss, df.to_tensor({c.data.target}, kFloat32));
}

// Reads the training CSV, splits off a test set when there is no test file, fits the
// preprocessing on the training part and applies it to both.
void prepare_csv(const Config& c, PreparedData& p) {
  const auto& d = c.data;
  const data::DataFrame all = data::read_csv(d.train);
  if (!all.contains(d.target))
    throw Error(c.source_name + ": data.target: no column '" + d.target + "' in " + d.train);
  for (const auto& f : d.features)
    if (!all.contains(f))
      throw Error(c.source_name + ": data.features: no column '" + f + "' in " + d.train);
  data::DataFrame train, test;
  if (!d.test.empty()) {
    train = all;
    test = data::read_csv(d.test);
    if (!test.contains(d.target))
      throw Error(c.source_name + ": data.test: no column '" + d.target + "' (the target) in " +
                  d.test);
  } else {
    const auto split =
        data::train_test_split(all.rows(), {.test_size = d.test_split, .seed = c.seed});
    train = all.take(split.train);
    test = all.take(split.test);
  }
  p.pipeline = data::Pipeline(d.preprocess, d.features, d.target);
  try {
    train = p.pipeline.fit_transform(train);
  } catch (const Error& e) {
    throw Error(c.source_name + ": data.preprocess, fitted on " + d.train + ": " + e.what());
  }
  const std::string test_name = d.test.empty() ? d.train : d.test;
  try {
    test = p.pipeline.transform(test);
  } catch (const Error& e) {
    throw Error(test_name + ": " + e.what());
  }
  p.train_x = p.pipeline.features(train, d.train);
  p.test_x = p.pipeline.features(test, test_name);
  p.train_y = target_tensor(c, train, d.train);
  p.test_y = target_tensor(c, test, test_name);
  p.feature_names = p.pipeline.outputs();
}

}  // namespace

PreparedData prepare_data(const Config& c) {
  PreparedData p;
  const auto& d = c.data;
  if (d.format == "csv") {
    prepare_csv(c, p);
  } else {
    data::LabelledImages train, test;
    if (d.format == "idx") {
      train = data::read_idx_images(d.train_images, d.train_labels);
      test = data::read_idx_images(d.test_images, d.test_labels);
    } else {
      train = data::fashion_mnist("train", d.dir);
      test = data::fashion_mnist("test", d.dir);
    }
    p.train_x = train.images;
    p.test_x = test.images;
    p.train_y = targets_for_loss(c.loss, train.labels);
    p.test_y = targets_for_loss(c.loss, test.labels);
  }
  if (c.loss == "cross_entropy") {
    const Tensor& y = p.train_y;
    const int64_t* v = y.data_ptr<int64_t>();
    int64_t top = -1;
    for (int64_t i = 0; i < y.numel(); ++i) {
      if (v[i] < 0)
        throw Error(c.source_name + ": data.target: class labels must be 0, 1, 2...; found " +
                    std::to_string(v[i]));
      top = std::max(top, v[i]);
    }
    p.num_classes = top + 1;
  } else if (c.loss != "mse") {
    p.num_classes = 2;
  }
  return p;
}

}  // namespace soma::train
