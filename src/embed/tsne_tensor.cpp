// TSNE::fit_transform on a Tensor, scikit-learn's form: a 2-D array in, a 2-D array out.
#include <string>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/embed/tsne.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::embed {

Tensor TSNE::fit_transform(const Tensor& X, TSNEResult* result) const {
  if (!X.defined()) throw Error("t-SNE fit_transform: X is an undefined Tensor");
  if (X.dim() != 2)
    throw Error("t-SNE fit_transform: X has shape " + X.shape().str() +
                ", expected 2 dimensions [n_samples, n_features]");
  if (X.dtype() != kFloat32 && X.dtype() != kFloat64)
    throw Error("t-SNE fit_transform: X has dtype " + std::string(dtype_name(X.dtype())) +
                ", expected float32 or float64");
  const int64_t n = X.size(0), d = X.size(1);
  // The pipeline works on float inputs (as its raw-pointer form); float64 is narrowed.
  const std::vector<float> values = X.to(kFloat32).contiguous().to_vector<float>();
  TSNEResult r = fit_transform(values.data(), n, d);
  Tensor Y = tensor(std::span<const double>(r.embedding), {n, r.n_components}).to(X.dtype());
  if (result) *result = std::move(r);
  return Y;
}

}  // namespace soma::embed
