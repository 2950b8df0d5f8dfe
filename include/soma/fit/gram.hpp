#pragma once
// Normal-equation sums in one pass (used by models that provide
// Residuals::evaluate_normal): for the columns c_0..c_{n-1} of the Jacobian
// and c_n = r, the products c_a . c_b (a <= b) give J^T J, J^T r and r^T r
// without the m x n Jacobian ever being stored. Rows arrive in blocks; each
// product keeps kLanes partial sums so the loop vectorises (the compiler may
// not reassociate a plain sum), and the products are independent chains.
#include <cstddef>
#include <span>
#include <vector>

namespace soma::fit::detail {

class GramAccumulator {
 public:
  static constexpr size_t kLanes = 8;  // rows per step: blocks are padded to a multiple
  explicit GramAccumulator(size_t n_params = 0);
  void reset();
  // One block of len rows (len a multiple of kLanes; pad with zero rows):
  // column c (c = 0..n, the residual last) at cols[c * stride .. + len).
  void add(const double* cols, size_t stride, size_t len);
  // r^T r, J^T J (n x n column-major, both triangles) and J^T r.
  void finish(double& ssr, std::span<double> jtj, std::span<double> jtr) const;

 private:
  size_t n_ = 0;
  std::vector<double> acc_;  // (n+1)(n+2)/2 products x 8 partial sums
};

// Rounds a block length up to a multiple of GramAccumulator::kLanes.
constexpr size_t gram_padded(size_t len) {
  return (len + GramAccumulator::kLanes - 1) / GramAccumulator::kLanes * GramAccumulator::kLanes;
}

}  // namespace soma::fit::detail
