#pragma once
// Fashion-MNIST as tensors, read from the four IDX files of Zalando's distribution
// (Debian's dataset-fashion-mnist installs them in /usr/share/datasets/fashion-mnist).
//
//   auto test = soma::data::fashion_mnist("test");   // images [10000, 1, 28, 28] in [0, 1]
//   auto train = soma::data::fashion_mnist("train", "/data/fmnist");
//
// Files may be gzip-compressed (`train-images-idx3-ubyte.gz`) or plain (no `.gz`).
// A missing file, a wrong shape or labels outside 0..9 throw soma::Error naming the file.
#include <array>
#include <string>

#include "soma/tensor/tensor.hpp"

namespace soma::data {

struct LabelledImages {
  Tensor images{};  // float32 [N, 1, 28, 28], pixels / 255
  Tensor labels{};  // int64 [N], class indices 0..9
};

// Where Debian's package puts the files.
std::string fashion_mnist_default_dir();

// `split` is "train" (60,000 images) or "test" (10,000); an empty `dir` means the default.
LabelledImages fashion_mnist(const std::string& split, const std::string& dir = {});

// Images and labels from any pair of IDX files ([N, H, W] u8 images, [N] labels).
LabelledImages read_idx_images(const std::string& images, const std::string& labels);

// The ten class names, in label order.
const std::array<std::string, 10>& fashion_mnist_classes();

}  // namespace soma::data
