// The bridge from frames to tensors (kept apart from frame.cpp: the only file of the
// frame that needs the tensor module).
#include <cmath>

#include "soma/core/error.hpp"
#include "soma/data/frame.hpp"
#include "soma/data/scaler.hpp"

namespace soma::data {

namespace {

template <class T>
void fill(Tensor& t, const std::vector<double>& m, const std::vector<std::string>& names,
          size_t k) {
  T* p = t.data_ptr<T>();
  for (size_t i = 0; i < m.size(); ++i) {
    if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, bool>) {
      if (std::isnan(m[i]))
        throw Error("to_tensor: column '" + names[i % k] + "' has NaN at row " +
                    std::to_string(i / k) + ", which " + dtype_name(dtype_of<T>()) +
                    " cannot hold (fillna first)");
    }
    if constexpr (std::is_same_v<T, bool>)
      p[i] = m[i] != 0.0;
    else
      p[i] = static_cast<T>(m[i]);
  }
}

}  // namespace

Tensor DataFrame::to_tensor(const std::vector<std::string>& names, DType dtype) const {
  const std::vector<std::string> cols = names.empty() ? columns() : names;
  const auto m = to_matrix(cols);
  const size_t k = cols.size();
  Tensor t = empty({rows_, static_cast<int64_t>(k)}, dtype);
  if (k == 0) return t;
  switch (dtype) {
    case DType::Float32:
      fill<float>(t, m, cols, k);
      break;
    case DType::Float64:
      fill<double>(t, m, cols, k);
      break;
    case DType::Int64:
      fill<int64_t>(t, m, cols, k);
      break;
    case DType::Bool:
      fill<bool>(t, m, cols, k);
      break;
  }
  return t;
}

StandardScaler& StandardScaler::fit(const Tensor& x) {
  if (x.dim() != 2 || !is_floating(x.dtype()))
    throw Error("StandardScaler: expected a 2-d float tensor [rows, features], got " +
                std::string(dtype_name(x.dtype())) + " of shape " + x.shape().str());
  return fit(x.to_vector<double>(), x.size(1));
}

Tensor StandardScaler::transform(const Tensor& x) const {
  check_fitted("transform");
  if (x.dim() != 2 || !is_floating(x.dtype()) || x.size(1) != n_features())
    throw Error("StandardScaler: fitted on " + std::to_string(n_features()) + " features, given " +
                std::string(dtype_name(x.dtype())) + " of shape " + x.shape().str());
  auto v = x.to_vector<double>();
  transform(std::span<double>(v));
  return tensor(std::span<const double>(v), x.shape()).to(x.dtype());
}

}  // namespace soma::data
