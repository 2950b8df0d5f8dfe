#pragma once
// The t-SNE tutorial's data recipe on the data set that is here. The tutorial draws 1,000
// of MNIST's 70,000 images with np.random.seed(100); np.random.choice(70000, 1000,
// replace=False). No MNIST digits are packaged on this system (fetch_openml needs the
// network), so this draws the same way from Fashion-MNIST, which has the same shape:
// 70,000 images of 28 x 28 pixels in 10 classes, ordered as fetch_openml('Fashion-MNIST')
// orders them (the 60,000 training images, then the 10,000 test images). Pixels stay raw
// 0-255 as fetch_openml returns them: t-SNE's P does not depend on the scale, but the
// tutorial's distance matrix and its Student-t perplexities do.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/core/numpy_random.hpp"
#include "soma/data/idx.hpp"

namespace soma::examples::tsne {

// Fashion-MNIST's class names, by label.
inline const std::vector<std::string> kClassNames = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

struct Sample {
  std::vector<float> pixels;     // n x dim, 0-255
  std::vector<int64_t> labels;   // n
  std::vector<int64_t> indices;  // into the 70,000 (training images first)
  int64_t n = 0, dim = 0;
  NumpyRandomState stream{100};  // the global stream after the choice, for what follows
};

inline Sample load_sample(const std::filesystem::path& dir, int64_t n, uint32_t seed = 100) {
  std::vector<uint8_t> bytes;
  std::vector<int64_t> labels;
  int64_t dim = 0;
  for (const char* part : {"train", "t10k"}) {
    const auto images = data::read_idx(dir / (std::string(part) + "-images-idx3-ubyte.gz"));
    const auto lab = data::read_idx(dir / (std::string(part) + "-labels-idx1-ubyte.gz"));
    if (images.dims.size() != 3 || lab.dims.size() != 1 || images.dims[0] != lab.dims[0] ||
        images.type != data::IdxType::u8)
      throw Error(dir.string() + "/" + part + ": expected N x 28 x 28 u8 images and N labels");
    dim = images.dims[1] * images.dims[2];
    bytes.insert(bytes.end(), images.bytes.begin(), images.bytes.end());
    const auto l = data::idx_to_labels(lab);
    labels.insert(labels.end(), l.begin(), l.end());
  }
  const auto available = static_cast<int64_t>(labels.size());
  if (n < 2 || n > available)
    throw Error("--n " + std::to_string(n) + ": expected 2 to " + std::to_string(available) +
                " images");
  Sample s;
  s.n = n;
  s.dim = dim;
  s.stream = NumpyRandomState(seed);
  s.indices = s.stream.choice(available, n);
  for (int64_t i : s.indices) {
    s.labels.push_back(labels[size_t(i)]);
    const uint8_t* p = &bytes[size_t(i * dim)];
    for (int64_t k = 0; k < dim; ++k) s.pixels.push_back(float(p[k]));
  }
  return s;
}

}  // namespace soma::examples::tsne
