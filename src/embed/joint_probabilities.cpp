// Symmetric joint probabilities p_ij = (p_{j|i} + p_{i|j}) / sum, dense or over the
// kNN graph, as sklearn's _joint_probabilities and _joint_probabilities_nn.
#include <algorithm>
#include <limits>
#include <string>

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
  if (n > std::numeric_limits<int32_t>::max())
    throw Error("joint_probabilities_nn: " + std::to_string(n) +
                " points exceed the 2^31 a sparse P indexes");
  // Entries of C and C^T bucketed by row (counting sort), each row then sorted by
  // column and summed where the two coincide.
  struct Entry {
    int32_t col;
    double val;
  };
  std::vector<int64_t> start(static_cast<size_t>(n + 1), 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < k; ++t) {
      ++start[i + 1];
      ++start[nn.indices[i * k + t] + 1];
    }
  for (int64_t i = 0; i < n; ++i) start[i + 1] += start[i];
  std::vector<Entry> entries(static_cast<size_t>(start[n]));
  std::vector<int64_t> fill(start.begin(), start.end() - 1);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < k; ++t) {
      const int64_t j = nn.indices[i * k + t];
      const double v = c.p[i * k + t];
      entries[fill[i]++] = {static_cast<int32_t>(j), v};
      entries[fill[j]++] = {static_cast<int32_t>(i), v};
    }
  // Merge duplicates within each row, in place; count what stays.
  std::vector<int64_t> kept(static_cast<size_t>(n), 0);
#pragma omp parallel for schedule(dynamic, 256)
  for (int64_t i = 0; i < n; ++i) {
    Entry* b = entries.data() + start[i];
    Entry* e = entries.data() + start[i + 1];
    std::sort(b, e, [](const Entry& x, const Entry& y) { return x.col < y.col; });
    Entry* out = b;
    for (Entry* it = b; it < e; ++it) {
      if (out > b && (out - 1)->col == it->col)
        (out - 1)->val += it->val;
      else
        *out++ = *it;
    }
    kept[i] = out - b;
  }
  SparseP P;
  P.n = n;
  P.row_ptr.assign(static_cast<size_t>(n + 1), 0);
  for (int64_t i = 0; i < n; ++i) P.row_ptr[i + 1] = P.row_ptr[i] + kept[i];
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = 0; e < kept[i]; ++e) sum += entries[start[i] + e].val;
  sum = std::max(sum, kMachineEpsilon);
  P.col.resize(static_cast<size_t>(P.row_ptr[n]));
  P.val.resize(static_cast<size_t>(P.row_ptr[n]));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = 0; e < kept[i]; ++e) {
      P.col[P.row_ptr[i] + e] = entries[start[i] + e].col;
      P.val[P.row_ptr[i] + e] = static_cast<float>(entries[start[i] + e].val / sum);
    }
  return P;
}

SparseP to_sparse(const DenseP& dense) {
  SparseP P;
  P.n = dense.n;
  P.row_ptr.push_back(0);
  for (int64_t i = 0; i < dense.n; ++i) {
    for (int64_t j = 0; j < dense.n; ++j)
      if (j != i) {
        P.col.push_back(static_cast<int32_t>(j));
        P.val.push_back(static_cast<float>(dense.p[i * dense.n + j]));
      }
    P.row_ptr.push_back(static_cast<int64_t>(P.col.size()));
  }
  return P;
}

}  // namespace soma::embed
