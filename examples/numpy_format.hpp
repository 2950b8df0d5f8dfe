#pragma once
// NumPy's printing of whole-number arrays, so that `soma example numpy-basics` shows each
// result as the tutorial's notebook does: print(a) gives str, "[[1 2 3]\n [4 5 6]]"; a
// cell's last expression gives repr, "array([[1, 2, 3],\n       [4, 5, 6]])"; shapes
// print as Python tuples, "(2, 3)", "(6,)". Elements are right-aligned to the widest, and
// sub-arrays of a 3-d array are set apart by a blank line, as NumPy does.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "soma/tensor/tensor.hpp"

namespace soma::examples {

inline std::string py_tuple(const Shape& s) {
  std::string out = "(";
  for (int i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.size() == 1 ? ",)" : ")");
}

namespace detail {
inline void numpy_rec(const std::vector<int64_t>& v, const Shape& s, int d, size_t& at, bool repr,
                      size_t width, int indent, std::string& out) {
  if (d == s.size()) {
    std::string e = std::to_string(v[at++]);
    out += std::string(width > e.size() ? width - e.size() : 0, ' ') + e;
    return;
  }
  out += '[';
  for (int64_t i = 0; i < s[d]; ++i) {
    if (i > 0) {
      if (repr) out += ',';
      if (d + 1 == s.size())
        out += ' ';
      else
        out +=
            std::string(size_t(s.size() - d - 1), '\n') + std::string(size_t(indent + d + 1), ' ');
    }
    numpy_rec(v, s, d + 1, at, repr, width, indent, out);
  }
  out += ']';
}
}  // namespace detail

// str (repr = false) or repr (true) of a tensor holding whole numbers.
inline std::string numpy_str(const Tensor& t, bool repr = false) {
  std::vector<int64_t> v;
  for (double x : t.to(kFloat64).contiguous().to_vector<double>()) v.push_back(std::llround(x));
  if (t.dim() == 0) return std::to_string(v.at(0));
  size_t width = 0;
  for (int64_t x : v) width = std::max(width, std::to_string(x).size());
  std::string out;
  size_t at = 0;
  detail::numpy_rec(v, t.shape(), 0, at, repr, width, repr ? 6 : 0, out);
  return repr ? "array(" + out + ")" : out;
}

}  // namespace soma::examples
