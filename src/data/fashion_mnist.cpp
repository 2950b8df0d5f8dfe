#include "soma/data/fashion_mnist.hpp"

#include <algorithm>
#include <filesystem>

#include "soma/core/error.hpp"
#include "soma/data/idx.hpp"

namespace soma::data {

std::string fashion_mnist_default_dir() { return "/usr/share/datasets/fashion-mnist"; }

const std::array<std::string, 10>& fashion_mnist_classes() {
  static const std::array<std::string, 10> names = {
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

namespace {

// The compressed file as distributed, else the same name without `.gz`.
std::string find_file(const std::string& dir, const std::string& stem) {
  const auto gz = std::filesystem::path(dir) / (stem + ".gz");
  if (std::filesystem::exists(gz)) return gz.string();
  const auto plain = std::filesystem::path(dir) / stem;
  if (std::filesystem::exists(plain)) return plain.string();
  throw Error("Fashion-MNIST: neither " + gz.string() + " nor " + plain.string() +
              " exists (install Debian's dataset-fashion-mnist or pass the directory holding the "
              "IDX files)");
}

}  // namespace

LabelledImages read_idx_images(const std::string& images_path, const std::string& labels_path) {
  const IdxArray images = read_idx(images_path);
  const IdxArray labels = read_idx(labels_path);
  if (images.dims.size() != 3)
    throw Error(images_path + ": expected images of shape [N, H, W], got " +
                std::to_string(images.dims.size()) + " dimensions");
  if (labels.dims.size() != 1)
    throw Error(labels_path + ": expected labels of shape [N], got " +
                std::to_string(labels.dims.size()) + " dimensions");
  // Caught here, where the file can be named: an empty set would otherwise fail far
  // later, inside a batch's index_select.
  if (images.dims[0] == 0) throw Error(images_path + ": holds 0 images, expected at least one");
  if (labels.dims[0] != images.dims[0])
    throw Error(labels_path + ": " + std::to_string(labels.dims[0]) + " labels for " +
                std::to_string(images.dims[0]) + " images in " + images_path);
  const std::vector<int64_t> classes = idx_to_labels(labels, labels_path);
  for (size_t i = 0; i < classes.size(); ++i)
    if (classes[i] < 0 || classes[i] > 9)
      throw Error(labels_path + ": label " + std::to_string(i) + " is " +
                  std::to_string(classes[i]) + ", expected a class in 0..9");
  LabelledImages out;
  // Pixels go straight into the tensor: a float vector in between would be 4 bytes per
  // pixel more of peak memory and of freshly faulted pages.
  out.images = empty({images.dims[0], 1, images.dims[1], images.dims[2]}, kFloat32);
  float* dst = out.images.data_ptr<float>();
  if (images.type == IdxType::u8) {
    const uint8_t* src = images.bytes.data();
    const int64_t n = images.size();
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
  } else {
    const std::vector<float> pixels = idx_to_float(images);
    std::copy(pixels.begin(), pixels.end(), dst);
  }
  out.labels = tensor(std::span<const int64_t>(classes));
  return out;
}

LabelledImages fashion_mnist(const std::string& split, const std::string& dir) {
  std::string prefix;
  if (split == "train")
    prefix = "train";
  else if (split == "test")
    prefix = "t10k";
  else
    throw Error("Fashion-MNIST: unknown split '" + split + "', expected 'train' or 'test'");
  const auto root = dir.empty() ? fashion_mnist_default_dir() : dir;
  return read_idx_images(find_file(root, prefix + "-images-idx3-ubyte"),
                         find_file(root, prefix + "-labels-idx1-ubyte"));
}

}  // namespace soma::data
