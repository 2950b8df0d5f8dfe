// Embedding lookup with a scatter-add backward: one pass over the indices, no
// per-index temporaries (index_select's general backward would make one per row).
#include "soma/nn/embedding.hpp"

#include <cstring>

#include "soma/core/error.hpp"
#include "soma/nn/init.hpp"
#include "soma/tensor/autograd.hpp"

namespace soma::nn {

namespace functional {

namespace {

// out[i, :] = weight[idx[i], :]  →  dweight[idx[i], :] += g[i, :] (except the padding row)
struct EmbeddingBackward final : Node {
  Tensor indices;  // contiguous int64, flattened
  int64_t rows = 0, dim = 0, padding = -1;
  void backward(const Tensor& g, Grads& out) override {
    Tensor gw = zeros({rows, dim}, g.dtype());
    const Tensor gc = g.contiguous();
    const int64_t* idx = indices.data_ptr<int64_t>();
    auto run = [&](auto tag) {
      using T = decltype(tag);
      const T* src = gc.data_ptr<T>();
      T* dst = gw.data_ptr<T>();
      for (int64_t i = 0; i < indices.numel(); ++i) {
        if (idx[i] == padding) continue;
        T* row = dst + idx[i] * dim;
        const T* from = src + i * dim;
        for (int64_t j = 0; j < dim; ++j) row[j] += from[j];
      }
    };
    if (g.dtype() == kFloat32)
      run(float{});
    else
      run(double{});
    out[1] = gw;
  }
  const char* name() const override { return "EmbeddingBackward"; }
};

}  // namespace

Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx) {
  if (!weight.defined() || weight.dim() != 2)
    throw Error("embedding: weight must be 2-d [num_embeddings, embedding_dim]");
  if (!is_floating(weight.dtype()))
    throw Error(std::string("embedding: weight must be floating, got ") +
                dtype_name(weight.dtype()));
  if (!indices.defined() || indices.dtype() != kInt64)
    throw Error(std::string("embedding: indices must be int64, got ") +
                (indices.defined() ? dtype_name(indices.dtype()) : "undefined"));
  const int64_t rows = weight.size(0), dim = weight.size(1);
  const Tensor idx = indices.contiguous().reshape({-1});
  const int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i)
    if (p[i] < 0 || p[i] >= rows)
      throw Error("embedding: index " + std::to_string(p[i]) + " at position " + std::to_string(i) +
                  " is outside [0, " + std::to_string(rows) + ") (num_embeddings)");
  Shape full = indices.shape();
  full.push_back(dim);
  Tensor out = empty(full, weight.dtype());
  {
    const Tensor w = weight.detach().contiguous();
    const size_t bytes = static_cast<size_t>(dim) * itemsize(weight.dtype());
    auto copy = [&](auto tag) {
      using T = decltype(tag);
      const T* from = w.data_ptr<T>();
      T* to = out.data_ptr<T>();
      for (int64_t i = 0; i < idx.numel(); ++i) std::memcpy(to + i * dim, from + p[i] * dim, bytes);
    };
    if (weight.dtype() == kFloat32)
      copy(float{});
    else
      copy(double{});
  }
  int64_t pad = -1;
  if (padding_idx) pad = *padding_idx < 0 ? *padding_idx + rows : *padding_idx;
  return record<EmbeddingBackward>(out, {indices, weight}, [&](EmbeddingBackward& n) {
    n.indices = idx;
    n.rows = rows;
    n.dim = dim;
    n.padding = pad;
  });
}

}  // namespace functional

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, const EmbeddingOptions& options,
                     Rng& rng, DType dtype)
    : num_(num_embeddings), dim_(embedding_dim) {
  if (num_embeddings < 1 || embedding_dim < 1)
    throw Error(
        "Embedding: sizes must be positive, got num_embeddings=" + std::to_string(num_embeddings) +
        ", embedding_dim=" + std::to_string(embedding_dim));
  if (!is_floating(dtype))
    throw Error(std::string("Embedding: dtype must be floating, got ") + dtype_name(dtype));
  if (options.padding_idx) {
    const int64_t p = *options.padding_idx;
    if (p < -num_embeddings || p >= num_embeddings)
      throw Error("Embedding: padding_idx=" + std::to_string(p) + " is outside [" +
                  std::to_string(-num_embeddings) + ", " + std::to_string(num_embeddings) + ")");
    padding_ = p < 0 ? p + num_embeddings : p;
  }
  weight = register_parameter("weight", empty({num_embeddings, embedding_dim}, dtype));
  draw_parameters(rng);
}

void Embedding::reset_parameters(Rng& rng) {
  init::normal_(weight, 0.0, 1.0, rng);
  if (padding_) {
    NoGradGuard no_grad;
    weight.select(0, *padding_).zero_();
  }
}

Tensor Embedding::forward(const Tensor& indices) {
  return functional::embedding(indices, weight, padding_);
}

std::string Embedding::name() const {
  std::string s = "Embedding(" + std::to_string(num_) + ", " + std::to_string(dim_);
  if (padding_) s += ", padding_idx=" + std::to_string(*padding_);
  return s + ")";
}

}  // namespace soma::nn
