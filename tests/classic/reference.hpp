#pragma once
// Reads tests/reference/data/classic_*.txt (written by tests/reference/classic_logreg.py):
// "n d", n rows "x_1 .. x_d y", then free-form lines of fitted values.
#include <cstdint>
#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "soma/tensor/tensor.hpp"

namespace classic_test {

struct Reference {
  int64_t n = 0, d = 0;
  std::vector<double> x, y;
  std::vector<std::vector<std::string>> fits;  // the trailing lines, split into words
};

inline Reference read_reference(const std::string& name) {
  std::ifstream in(std::string(SOMA_SOURCE_DIR) + "/tests/reference/data/" + name);
  Reference r;
  if (!(in >> r.n >> r.d)) return r;
  for (int64_t i = 0; i < r.n; ++i) {
    for (int64_t j = 0; j < r.d; ++j) r.x.push_back(0), in >> r.x.back();
    r.y.push_back(0), in >> r.y.back();
  }
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    if (!w.empty()) r.fits.push_back(w);
  }
  return r;
}

// int64 class labels from a brace list (mixed literals do not deduce for soma::tensor).
inline soma::Tensor labels(const std::vector<int64_t>& v) {
  return soma::tensor(std::span<const int64_t>(v), {int64_t(v.size())});
}

}  // namespace classic_test
