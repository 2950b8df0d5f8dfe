#pragma once
// A 2-D quadtree over the embedding for Barnes-Hut: every cell knows its square box,
// its point count and its centre of mass. Points are kept in one permutation array;
// a cell owns the range [begin, end) of it, so leaves need no per-cell storage.
#include <cstdint>
#include <vector>

namespace soma::embed::detail {

struct QuadCell {
  double com_x = 0, com_y = 0;  // centre of mass
  double width = 0;             // side of the cell's square box
  int64_t begin = 0, end = 0;   // points perm[begin, end)
  int32_t first_child = -1;     // four consecutive cells, or -1 for a leaf
};

struct QuadTree {
  std::vector<QuadCell> cells;  // cells[0] is the root
  std::vector<int64_t> perm;    // point indices, grouped by cell
};

// Builds the tree over Y (n x 2). Cells with at most `leaf_size` points, or too small
// to split further (duplicate points), are leaves.
QuadTree build_quadtree(const std::vector<double>& Y, int64_t n, int leaf_size = 8);

}  // namespace soma::embed::detail
