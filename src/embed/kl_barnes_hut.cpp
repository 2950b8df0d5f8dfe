// Barnes-Hut t-SNE (van der Maaten 2014): the repulsive sums
//   sum_j w_ij^2 (y_i - y_j)  and  Z = sum_ij w_ij,   w_ij = 1 / (1 + |y_i - y_j|^2),
// take a far cell's points as one point at its centre of mass when
// width / distance < angle.
//
// Grouped traversal (Barnes 1990): the points of one leaf walk the tree together. A
// cell is summarised for the whole group when it is far enough from the group's
// bounding box, which implies it is far enough from each of its points, so every
// summary used is one the point-by-point criterion would also accept (the result is
// at least as accurate). The walk yields one interaction list per group (cell centres
// of mass weighted by their counts, and the points of the near leaves with weight 1),
// and each point of the group then sums over that list in one SIMD loop, in float
// relative to the group's centre: the walk's cost is shared by the group and the sums
// have no branches.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

#include "attractive.hpp"
#include "quadtree.hpp"
#include "repulsion_kernels.hpp"
#include "soma/core/error.hpp"
#include "soma/core/threads.hpp"
#include "soma/embed/gradient.hpp"

namespace soma::embed {

namespace {

// Points per leaf, which is also the group that shares a walk: larger groups share
// each walk more widely but open more cells (their boxes are bigger).
constexpr int kLeafSize = 64;
// Threads share the gradient from this many points: below, the iteration is a few tens
// of microseconds and waking a second thread costs about as much as it saves.
constexpr int64_t kParallelMinPoints = 512;

// One thread or all of soma's for the gradient, chosen by measuring both: every
// kProbeEvery calls, two run on each, and the calls in between use the faster (moving
// averages of the wall time; more threads must win by 10%). On a quiet machine
// two threads pay from ~1,000 points; on a busy one each call may wait milliseconds for
// a descheduled worker (measured at load 4 on 1,000 points: 0.8 s for 1,000 gradients
// on two threads, 0.4 s on one). The gradient is the same either way (work is split by
// group and row, and Z summed in group order), so the choice changes only the time.
class ThreadChoice {
 public:
  int pick(int64_t n, int most) {
    if (n != n_ || most != most_) {
      *this = ThreadChoice();
      n_ = n;
      most_ = most;
    }
    if (most_ < 2) return 1;
    // Each probe is two calls in a row, the first not timed: after a spell on one
    // thread the pool's worker sleeps, and waking it is not the cost of the next calls.
    const int64_t phase = calls_++ % kProbeEvery;
    if (phase < 2 || time_[0] < 0) return 1;
    if (phase < 4 || time_[1] < 0) return most_;
    return time_[1] < 0.9 * time_[0] ? most_ : 1;
  }
  void record(int nt, double seconds) {
    const int slot = nt > 1 ? 1 : 0;
    const bool first = slot != last_;
    last_ = slot;
    if (first) return;
    double& t = time_[slot];
    t = t < 0 ? seconds : 0.7 * t + 0.3 * seconds;
  }

 private:
  static constexpr int64_t kProbeEvery = 32;
  int64_t n_ = -1, calls_ = 0;
  int most_ = 1, last_ = -1;
  double time_[2] = {-1, -1};  // seconds per call on one thread, on most_
};

// Interaction lists are padded to a multiple of this (16 floats: one AVX-512 vector).
constexpr size_t kPad = 16;

// One group's interaction list, structure of arrays, coordinates relative to the
// group's centre.
struct Interactions {
  std::vector<float> x, y, weight;
  size_t size = 0;
  void reserve(size_t m) {
    if (x.size() < m) {
      x.resize(m);
      y.resize(m);
      weight.resize(m);
    }
  }
};

// Walks the tree for the group held by leaf node `g`, filling `list`.
void interaction_list(const detail::QuadTree& tree, const detail::QuadNode& g, double cx, double cy,
                      double lo_x, double lo_y, double hi_x, double hi_y, Interactions& list) {
  const detail::QuadNode* nodes = tree.nodes.data();
  const double* px = tree.px.data();
  const double* py = tree.py.data();
  // Depth is bounded by the 1e-12 minimum cell size (about 40 levels, 3 pending
  // siblings each), far below the stack's size.
  int32_t stack[512];
  int top = 0;
  stack[top++] = 0;
  list.size = 0;
  while (top > 0) {
    const detail::QuadNode& node = nodes[stack[--top]];
    // Squared distance from the centre of mass to the group's bounding box. Cells that
    // hold the group itself are always opened (with angle > 1/sqrt(2) they could pass
    // the test), so that each point meets itself exactly once, in its own leaf.
    const double ex = std::max({lo_x - node.com_x, node.com_x - hi_x, 0.0});
    const double ey = std::max({lo_y - node.com_y, node.com_y - hi_y, 0.0});
    const bool holds_group = node.begin <= g.begin && g.begin < node.begin + node.count;
    if (ex * ex + ey * ey > node.open_d2 && !holds_group) {
      list.reserve(list.size + 1);
      list.x[list.size] = static_cast<float>(node.com_x - cx);
      list.y[list.size] = static_cast<float>(node.com_y - cy);
      list.weight[list.size] = static_cast<float>(node.count);
      ++list.size;
    } else if (node.first_child < 0) {
      list.reserve(list.size + static_cast<size_t>(node.count));
      float* x = list.x.data() + list.size;
      float* y = list.y.data() + list.size;
      float* w = list.weight.data() + list.size;
      for (int32_t s = 0; s < node.count; ++s) {
        x[s] = static_cast<float>(px[node.begin + s] - cx);
        y[s] = static_cast<float>(py[node.begin + s] - cy);
        w[s] = 1.0f;
      }
      list.size += static_cast<size_t>(node.count);
    } else {
      for (int32_t c = 0; c < node.n_children; ++c) stack[top++] = node.first_child + c;
    }
  }
}

// The repulsion on every point of leaf `g` (positions t in tree order): forces into
// rep (original order), returns the group's share of Z.
double group_repulsion(const detail::QuadTree& tree, const detail::QuadNode& g, Interactions& list,
                       double* rep) {
  const double* px = tree.px.data();
  const double* py = tree.py.data();
  double lo_x = px[g.begin], hi_x = lo_x, lo_y = py[g.begin], hi_y = lo_y;
  for (int32_t t = g.begin + 1; t < g.begin + g.count; ++t) {
    lo_x = std::min(lo_x, px[t]);
    hi_x = std::max(hi_x, px[t]);
    lo_y = std::min(lo_y, py[t]);
    hi_y = std::max(hi_y, py[t]);
  }
  const double cx = 0.5 * (lo_x + hi_x), cy = 0.5 * (lo_y + hi_y);
  interaction_list(tree, g, cx, cy, lo_x, lo_y, hi_x, hi_y, list);
  // Padded with weightless entries to whole SIMD vectors: no scalar remainder loop.
  const size_t m_padded = (list.size + kPad - 1) / kPad * kPad;
  list.reserve(m_padded);
  for (size_t s = list.size; s < m_padded; ++s) list.x[s] = list.y[s] = list.weight[s] = 0.0f;
  const float* lx = list.x.data();
  const float* ly = list.y.data();
  const float* lw = list.weight.data();
  const int64_t m = static_cast<int64_t>(m_padded);
  auto* const point_sums = detail::repulsion_kernels().point_sums;
  double z = 0.0;
  for (int32_t t = g.begin; t < g.begin + g.count; ++t) {
    const float yi0 = static_cast<float>(px[t] - cx), yi1 = static_cast<float>(py[t] - cy);
    float sums[3];
    point_sums(lx, ly, lw, m, yi0, yi1, sums);
    // The point itself (in its own leaf, weight 1) adds w = 1 and no force.
    z += static_cast<double>(sums[0]) - 1.0;
    const int32_t i = tree.perm[t];
    rep[2 * i] = sums[1];
    rep[2 * i + 1] = sums[2];
  }
  return z;
}

}  // namespace

double kl_divergence_bh(const SparseP& P, const std::vector<double>& Y, double angle,
                        std::vector<double>* grad, bool compute_error) {
  const int64_t n = P.n;
  if (static_cast<int64_t>(Y.size()) != 2 * n)
    throw Error("kl_divergence_bh: Barnes-Hut needs a 2-D embedding of the " + std::to_string(n) +
                " points");
  if (angle < 0) throw Error("angle = " + std::to_string(angle) + ": expected angle >= 0");
  // Kept between calls (per thread): fresh pages every iteration are costly.
  // Bound to references here: inside the parallel region each thread would otherwise
  // see its own thread_local copy.
  thread_local detail::QuadTree tree_buffer;
  thread_local std::vector<double> rep_buffer, attr_buffer;
  thread_local std::vector<int32_t> leaf_buffer;
  detail::QuadTree& tree = tree_buffer;
  detail::build_quadtree(Y, n, angle, kLeafSize, tree);
  std::vector<int32_t>& leaves = leaf_buffer;
  leaves.clear();
  for (size_t c = 0; c < tree.nodes.size(); ++c)
    if (tree.nodes[c].first_child < 0) leaves.push_back(static_cast<int32_t>(c));
  std::vector<double>& rep = rep_buffer;
  std::vector<double>& attr = attr_buffer;
  rep.resize(static_cast<size_t>(2 * n));
  const int64_t n_leaves = static_cast<int64_t>(leaves.size());
  thread_local std::vector<float> yf_buffer;
  std::vector<float>& yf = yf_buffer;
  if (grad) {
    attr.resize(static_cast<size_t>(2 * n));
    detail::to_float(Y, yf);
  }
  // Each group's share of Z, summed in group order afterwards: the same result whichever
  // thread took which group.
  thread_local std::vector<double> z_buffer;
  std::vector<double>& z_group = z_buffer;
  z_group.resize(static_cast<size_t>(n_leaves));
  // One parallel run per gradient for both halves, work handed out through atomic
  // counters: groups first (their lists differ in length), then attractive rows in
  // blocks. soma's pool rather than OpenMP: its idle threads sleep after ~50 us, and a
  // thread descheduled on a busy machine leaves its share to the others instead of
  // holding the rest at a barrier they spin on (measured on 1,000 points at load 6:
  // OpenMP took 2-12 s of wall time where one thread takes 0.4 s).
  constexpr int64_t kRows = 128;
  std::atomic<int64_t> next_group{0}, next_row{0};
  auto work = [&](int, int) {
    thread_local Interactions list_buffer;
    Interactions& list = list_buffer;
    for (int64_t l; (l = next_group.fetch_add(1, std::memory_order_relaxed)) < n_leaves;)
      z_group[l] = group_repulsion(tree, tree.nodes[leaves[l]], list, rep.data());
    if (grad)
      for (int64_t r0; (r0 = next_row.fetch_add(kRows, std::memory_order_relaxed)) < n;)
        detail::attractive_range(P, yf.data(), attr.data(), r0, std::min(n, r0 + kRows));
  };
  const int most = n >= kParallelMinPoints ? num_threads() : 1;
  thread_local ThreadChoice choice;
  const int nt = choice.pick(n, most);
  const auto start = std::chrono::steady_clock::now();
  parallel_run(nt, work);
  choice.record(nt,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  double z = 0.0;
  for (const double zg : z_group) z += zg;
  if (grad) {
    grad->resize(static_cast<size_t>(2 * n));
    for (int64_t m = 0; m < 2 * n; ++m) (*grad)[m] = 4.0 * (attr[m] - rep[m] / z);
  }
  return compute_error ? detail::sparse_kl_2d(P, Y, z) : 0.0;
}

}  // namespace soma::embed
