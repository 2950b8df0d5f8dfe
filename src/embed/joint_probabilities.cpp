// Symmetric joint probabilities p_ij = (p_{j|i} + p_{i|j}) / sum, dense or over the
// kNN graph, as sklearn's _joint_probabilities and _joint_probabilities_nn.
#include <algorithm>
#include <limits>

#include "soma/core/error.hpp"
#include "soma/embed/affinities.hpp"

namespace soma::embed {

namespace {
constexpr double kMachineEpsilon = std::numeric_limits<double>::epsilon();
}

DenseP joint_probabilities(const ConditionalP& c) {
  if (c.k != c.n) throw Error("joint_probabilities: expected dense (n x n) conditionals");
  const int64_t n = c.n;
  DenseP P;
  P.n = n;
  P.p.resize(static_cast<size_t>(n * n));
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const double v = c.p[i * n + j] + c.p[j * n + i];
      P.p[i * n + j] = v;
      sum += v;
    }
  sum = std::max(sum, kMachineEpsilon);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      P.p[i * n + j] = i == j ? 0.0 : std::max(P.p[i * n + j] / sum, kMachineEpsilon);
  return P;
}

SparseP joint_probabilities_nn(const ConditionalP& c, const Neighbors& nn) {
  if (c.n != nn.n || c.k != nn.k)
    throw Error("joint_probabilities_nn: conditionals and neighbours differ in shape");
  const int64_t n = c.n, k = c.k;
  // Triplets of C and C^T, sorted by (row, col) and summed where they coincide.
  struct Entry {
    int64_t row, col;
    double val;
  };
  std::vector<Entry> entries;
  entries.reserve(static_cast<size_t>(2 * n * k));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < k; ++t) {
      const int64_t j = nn.indices[i * k + t];
      const double v = c.p[i * k + t];
      entries.push_back({i, j, v});
      entries.push_back({j, i, v});
    }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.row != b.row ? a.row < b.row : a.col < b.col;
  });
  SparseP P;
  P.n = n;
  P.row_ptr.assign(static_cast<size_t>(n + 1), 0);
  double sum = 0.0;
  for (size_t e = 0; e < entries.size();) {
    size_t f = e;
    double v = 0.0;
    while (f < entries.size() && entries[f].row == entries[e].row &&
           entries[f].col == entries[e].col)
      v += entries[f++].val;
    P.col.push_back(entries[e].col);
    P.val.push_back(v);
    ++P.row_ptr[entries[e].row + 1];
    sum += v;
    e = f;
  }
  for (int64_t i = 0; i < n; ++i) P.row_ptr[i + 1] += P.row_ptr[i];
  sum = std::max(sum, kMachineEpsilon);
  for (double& v : P.val) v /= sum;
  return P;
}

SparseP to_sparse(const DenseP& dense) {
  SparseP P;
  P.n = dense.n;
  P.row_ptr.push_back(0);
  for (int64_t i = 0; i < dense.n; ++i) {
    for (int64_t j = 0; j < dense.n; ++j)
      if (j != i) {
        P.col.push_back(j);
        P.val.push_back(dense.p[i * dense.n + j]);
      }
    P.row_ptr.push_back(static_cast<int64_t>(P.col.size()));
  }
  return P;
}

}  // namespace soma::embed
