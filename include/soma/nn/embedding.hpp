#pragma once
// nn::Embedding: a lookup table, weight [num_embeddings, embedding_dim]; int64 indices of
// any shape [*] give [*, embedding_dim]. torch.nn.Embedding's names and initialisation
// (standard normal, the padding row zero).
//
//   nn::Embedding embed(128, 32);
//   Tensor x = embed(codes);  // codes: int64 [N, L] → [N, L, 32]
#include <cstdint>
#include <optional>

#include "soma/nn/module.hpp"

namespace soma::nn {

namespace functional {
// Rows of `weight` picked by `indices`. The backward pass adds each output row's
// gradient into its row of weight (repeated indices add up); the padding_idx row,
// if given, gets none. Indices outside [0, num_embeddings) throw soma::Error.
Tensor embedding(const Tensor& indices, const Tensor& weight,
                 std::optional<int64_t> padding_idx = std::nullopt);
}  // namespace functional

struct EmbeddingOptions {
  // An index whose row starts at zero and is never updated; negative counts from the end.
  std::optional<int64_t> padding_idx{};
};

class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, const EmbeddingOptions& options = {},
            Rng& rng = global_rng(), DType dtype = kFloat32);

  Tensor forward(const Tensor& indices) override;
  std::string name() const override;
  void reset_parameters(Rng& rng) override;

  int64_t num_embeddings() const { return num_; }
  int64_t embedding_dim() const { return dim_; }
  std::optional<int64_t> padding_idx() const { return padding_; }

  Tensor weight;  // [num_embeddings, embedding_dim]

 private:
  int64_t num_, dim_;
  std::optional<int64_t> padding_;  // wrapped into [0, num_embeddings)
};

}  // namespace soma::nn
