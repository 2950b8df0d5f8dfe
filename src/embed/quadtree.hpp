#pragma once
// A 2-D quadtree over the embedding for Barnes-Hut, laid out for the traversal:
// points are copied in tree order (a cell owns the contiguous range [begin, begin +
// count) of px/py), a cell's non-empty children are consecutive nodes, and each node
// stores the squared distance beyond which it may be summarised, so the opening test
// is one comparison.
#include <cstdint>
#include <vector>

namespace soma::embed::detail {

struct QuadNode {
  double com_x = 0, com_y = 0;   // centre of mass
  double open_d2 = 0;            // summarise from points farther than sqrt(open_d2)
  int32_t begin = 0, count = 0;  // points px/py[begin, begin + count)
  int32_t first_child = -1;      // children nodes[first_child, + n_children); -1: leaf
  int32_t n_children = 0;
};

struct QuadTree {
  std::vector<QuadNode> nodes;  // nodes[0] is the root
  std::vector<int32_t> perm;    // perm[t]: the point at tree position t
  std::vector<double> px, py;   // coordinates in tree order
};

// Builds the tree over Y (n x 2) into `tree` (its buffers are reused between calls).
// Cells with at most `leaf_size` points, or too small to split further (duplicate
// points), are leaves. A cell of side w is summarised for points at distance d when
// w / d < angle (angle = 0: never).
void build_quadtree(const std::vector<double>& Y, int64_t n, double angle, int leaf_size,
                    QuadTree& tree);

}  // namespace soma::embed::detail
