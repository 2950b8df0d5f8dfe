// Leave-one-out k-nearest-neighbour label accuracy in the embedding: how well the
// embedding keeps classes together (used by the example, the bench and the tests).
#include <algorithm>
#include <map>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/embed/gradient.hpp"

namespace soma::embed {

double knn_accuracy(const std::vector<double>& Y, int dims, const std::vector<int64_t>& labels,
                    int k) {
  const int64_t n = static_cast<int64_t>(labels.size());
  if (static_cast<int64_t>(Y.size()) != n * dims)
    throw Error("knn_accuracy: " + std::to_string(labels.size()) + " labels for " +
                std::to_string(Y.size() / std::max(dims, 1)) + " points");
  if (k < 1 || k > n - 1) throw Error("knn_accuracy: k must lie in [1, n - 1]");
  int64_t correct = 0;
#pragma omp parallel reduction(+ : correct)
  {
    std::vector<std::pair<double, int64_t>> heap;
#pragma omp for schedule(dynamic, 64)
    for (int64_t i = 0; i < n; ++i) {
      heap.clear();
      for (int64_t j = 0; j < n; ++j) {
        if (j == i) continue;
        double d2 = 0;
        for (int c = 0; c < dims; ++c) {
          const double t = Y[i * dims + c] - Y[j * dims + c];
          d2 += t * t;
        }
        if (static_cast<int>(heap.size()) < k) {
          heap.emplace_back(d2, j);
          std::push_heap(heap.begin(), heap.end());
        } else if (d2 < heap.front().first) {
          std::pop_heap(heap.begin(), heap.end());
          heap.back() = {d2, j};
          std::push_heap(heap.begin(), heap.end());
        }
      }
      std::map<int64_t, int> votes;
      for (const auto& [d2, j] : heap) ++votes[labels[j]];
      int64_t best = 0;
      int most = -1;
      for (const auto& [label, count] : votes)  // ascending labels: ties go to the smallest
        if (count > most) {
          most = count;
          best = label;
        }
      if (best == labels[i]) ++correct;
    }
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

}  // namespace soma::embed
