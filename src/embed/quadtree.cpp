#include "quadtree.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace soma::embed::detail {

QuadTree build_quadtree(const std::vector<double>& Y, int64_t n, int leaf_size) {
  QuadTree tree;
  tree.perm.resize(static_cast<size_t>(n));
  std::iota(tree.perm.begin(), tree.perm.end(), int64_t{0});
  double lo_x = INFINITY, lo_y = INFINITY, hi_x = -INFINITY, hi_y = -INFINITY;
  for (int64_t i = 0; i < n; ++i) {
    lo_x = std::min(lo_x, Y[2 * i]);
    hi_x = std::max(hi_x, Y[2 * i]);
    lo_y = std::min(lo_y, Y[2 * i + 1]);
    hi_y = std::max(hi_y, Y[2 * i + 1]);
  }
  const double side = std::max({hi_x - lo_x, hi_y - lo_y, 1e-300}) * (1.0 + 1e-9);
  // Box corner of each cell, kept beside the cells while building.
  std::vector<std::pair<double, double>> corner;
  tree.cells.push_back({0, 0, side, 0, n, -1});
  corner.emplace_back(lo_x, lo_y);
  tree.cells.reserve(static_cast<size_t>(n / 2 + 16));
  std::vector<int32_t> stack = {0};
  while (!stack.empty()) {
    const int32_t c = stack.back();
    stack.pop_back();
    QuadCell cell = tree.cells[c];
    double sx = 0, sy = 0;
    for (int64_t t = cell.begin; t < cell.end; ++t) {
      sx += Y[2 * tree.perm[t]];
      sy += Y[2 * tree.perm[t] + 1];
    }
    const double count = static_cast<double>(cell.end - cell.begin);
    tree.cells[c].com_x = sx / count;
    tree.cells[c].com_y = sy / count;
    // Stop at small cells, and at cells so small that splitting cannot separate points.
    if (cell.end - cell.begin <= leaf_size || cell.width < 1e-12 * side) continue;
    const auto [cx, cy] = corner[c];
    const double half = cell.width / 2, mid_x = cx + half, mid_y = cy + half;
    auto* b = tree.perm.data() + cell.begin;
    auto* e = tree.perm.data() + cell.end;
    auto* m_y = std::partition(b, e, [&](int64_t i) { return Y[2 * i + 1] < mid_y; });
    auto* m_x0 = std::partition(b, m_y, [&](int64_t i) { return Y[2 * i] < mid_x; });
    auto* m_x1 = std::partition(m_y, e, [&](int64_t i) { return Y[2 * i] < mid_x; });
    const int64_t bounds[5] = {cell.begin, cell.begin + (m_x0 - b), cell.begin + (m_y - b),
                               cell.begin + (m_x1 - b), cell.end};
    const int32_t first = static_cast<int32_t>(tree.cells.size());
    tree.cells[c].first_child = first;
    for (int q = 0; q < 4; ++q) {
      tree.cells.push_back({0, 0, half, bounds[q], bounds[q + 1], -1});
      corner.emplace_back(cx + ((q & 1) ? half : 0), cy + ((q & 2) ? half : 0));
      if (bounds[q + 1] > bounds[q]) stack.push_back(first + q);
    }
  }
  return tree;
}

}  // namespace soma::embed::detail
