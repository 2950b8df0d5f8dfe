#include "quadtree.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "soma/core/error.hpp"

namespace soma::embed::detail {

void build_quadtree(const std::vector<double>& Y, int64_t n, double angle, int leaf_size,
                    QuadTree& tree) {
  if (n > std::numeric_limits<int32_t>::max())
    throw Error("Barnes-Hut: " + std::to_string(n) + " points exceed the 2^31 the tree indexes");
  tree.perm.resize(static_cast<size_t>(n));
  std::iota(tree.perm.begin(), tree.perm.end(), int32_t{0});
  double lo_x = INFINITY, lo_y = INFINITY, hi_x = -INFINITY, hi_y = -INFINITY;
  for (int64_t i = 0; i < n; ++i) {
    lo_x = std::min(lo_x, Y[2 * i]);
    hi_x = std::max(hi_x, Y[2 * i]);
    lo_y = std::min(lo_y, Y[2 * i + 1]);
    hi_y = std::max(hi_y, Y[2 * i + 1]);
  }
  const double side = std::max({hi_x - lo_x, hi_y - lo_y, 1e-300}) * (1.0 + 1e-9);
  const double inv_angle2 = angle > 0 ? 1.0 / (angle * angle) : INFINITY;
  // Box corner and side of each node, kept beside the nodes while building.
  struct Box {
    double x, y, width;
  };
  thread_local std::vector<Box> boxes;
  boxes.clear();
  auto& nodes = tree.nodes;
  nodes.clear();
  nodes.push_back({0, 0, 0, 0, static_cast<int32_t>(n), -1, 0});
  boxes.push_back({lo_x, lo_y, side});
  // Breadth-first: a node's children are appended together, right after each other.
  for (size_t c = 0; c < nodes.size(); ++c) {
    const Box box = boxes[c];
    const int32_t begin = nodes[c].begin, count = nodes[c].count;
    int32_t* b = tree.perm.data() + begin;
    int32_t* e = b + count;
    double sx = 0, sy = 0;
    for (const int32_t* t = b; t < e; ++t) {
      sx += Y[2 * *t];
      sy += Y[2 * *t + 1];
    }
    nodes[c].com_x = sx / count;
    nodes[c].com_y = sy / count;
    nodes[c].open_d2 = box.width * box.width * inv_angle2;
    // Stop at small cells, and at cells so small that splitting cannot separate points.
    if (count <= leaf_size || box.width < 1e-12 * side) continue;
    const double half = box.width / 2, mid_x = box.x + half, mid_y = box.y + half;
    int32_t* m_y = std::partition(b, e, [&](int32_t i) { return Y[2 * i + 1] < mid_y; });
    int32_t* m_x0 = std::partition(b, m_y, [&](int32_t i) { return Y[2 * i] < mid_x; });
    int32_t* m_x1 = std::partition(m_y, e, [&](int32_t i) { return Y[2 * i] < mid_x; });
    const int32_t* bounds[5] = {b, m_x0, m_y, m_x1, e};
    nodes[c].first_child = static_cast<int32_t>(nodes.size());
    for (int q = 0; q < 4; ++q) {
      if (bounds[q + 1] == bounds[q]) continue;
      nodes.push_back({0, 0, 0, static_cast<int32_t>(bounds[q] - tree.perm.data()),
                       static_cast<int32_t>(bounds[q + 1] - bounds[q]), -1, 0});
      boxes.push_back({box.x + ((q & 1) ? half : 0), box.y + ((q & 2) ? half : 0), half});
      ++nodes[c].n_children;
    }
  }
  tree.px.resize(static_cast<size_t>(n));
  tree.py.resize(static_cast<size_t>(n));
  for (int64_t t = 0; t < n; ++t) {
    tree.px[t] = Y[2 * tree.perm[t]];
    tree.py[t] = Y[2 * tree.perm[t] + 1];
  }
}

}  // namespace soma::embed::detail
