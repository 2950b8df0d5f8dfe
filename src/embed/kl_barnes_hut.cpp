// Barnes-Hut t-SNE (van der Maaten 2014): the repulsive sums
//   sum_j w_ij^2 (y_i - y_j)  and  Z = sum_ij w_ij,   w_ij = 1 / (1 + |y_i - y_j|^2),
// take a far cell's points as one point at its centre of mass when
// width / distance < angle. Leaves (a few points each) are summed point by point.
#include <cmath>

#include "attractive.hpp"
#include "quadtree.hpp"
#include "soma/core/error.hpp"
#include "soma/embed/gradient.hpp"

namespace soma::embed {

double kl_divergence_bh(const SparseP& P, const std::vector<double>& Y, double angle,
                        std::vector<double>* grad, bool compute_error) {
  const int64_t n = P.n;
  if (static_cast<int64_t>(Y.size()) != 2 * n)
    throw Error("kl_divergence_bh: Barnes-Hut needs a 2-D embedding of the " + std::to_string(n) +
                " points");
  if (angle < 0) throw Error("angle = " + std::to_string(angle) + ": expected angle >= 0");
  const detail::QuadTree tree = detail::build_quadtree(Y, n);
  const double angle2 = angle * angle;
  // Kept between calls (per thread): fresh pages every iteration are costly.
  // Bound to references here: inside the parallel region each thread would otherwise
  // see its own thread_local copy.
  thread_local std::vector<double> rep_buffer, attr_buffer;
  std::vector<double>& rep = rep_buffer;
  std::vector<double>& attr = attr_buffer;
  rep.resize(static_cast<size_t>(2 * n));
  double z = 0.0;
#pragma omp parallel reduction(+ : z) if (n > detail::kParallelMin)
  {
    std::vector<int32_t> stack;
    // Visit points in tree order: neighbouring points walk similar paths (cache).
#pragma omp for schedule(dynamic, 256)
    for (int64_t t = 0; t < n; ++t) {
      const int64_t i = tree.perm[t];
      const double yi0 = Y[2 * i], yi1 = Y[2 * i + 1];
      double f0 = 0, f1 = 0, zi = 0;
      stack.assign(1, 0);
      while (!stack.empty()) {
        const detail::QuadCell& cell = tree.cells[stack.back()];
        stack.pop_back();
        const double d0 = yi0 - cell.com_x, d1 = yi1 - cell.com_y;
        const double d2 = d0 * d0 + d1 * d1;
        if (cell.width * cell.width < angle2 * d2) {
          const double w = 1.0 / (1.0 + d2);
          const double count = static_cast<double>(cell.end - cell.begin);
          zi += count * w;
          f0 += count * w * w * d0;
          f1 += count * w * w * d1;
        } else if (cell.first_child < 0) {
          for (int64_t s = cell.begin; s < cell.end; ++s) {
            const int64_t j = tree.perm[s];
            if (j == i) continue;
            const double e0 = yi0 - Y[2 * j], e1 = yi1 - Y[2 * j + 1];
            const double w = 1.0 / (1.0 + e0 * e0 + e1 * e1);
            zi += w;
            f0 += w * w * e0;
            f1 += w * w * e1;
          }
        } else {
          for (int q = 0; q < 4; ++q) {
            const auto& child = tree.cells[cell.first_child + q];
            if (child.end > child.begin) stack.push_back(cell.first_child + q);
          }
        }
      }
      rep[2 * i] = f0;
      rep[2 * i + 1] = f1;
      z += zi;
    }
  }
  if (grad) {
    detail::attractive_forces_2d(P, Y, attr);
    grad->resize(static_cast<size_t>(2 * n));
    for (int64_t m = 0; m < 2 * n; ++m) (*grad)[m] = 4.0 * (attr[m] - rep[m] / z);
  }
  return compute_error ? detail::sparse_kl_2d(P, Y, z) : 0.0;
}

}  // namespace soma::embed
