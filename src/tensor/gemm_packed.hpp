#pragma once
// A right-hand matrix that many products with few rows reuse: an RNN's recurrent weights,
// multiplied by the [batch, hidden] state once per time step in each direction. BLAS
// repacks the whole weight matrix into its panel layout on every call (measured on the
// char-LSTM step: 11% of the time in OpenBLAS's copy routines); packed here once per
// sequence into the layout of this CPU's kernel (gemm_packed.simd.cpp), the products run
// without copying. Results equal BLAS's within float rounding (the sums run in k order).
#include <cstdint>
#include <vector>

#include "soma/core/cpu.hpp"

namespace soma {

template <class T>
class PackedMatrix {
 public:
  // op(B) is k×n: B itself (row-major, k×n, leading dimension ldb) or, with trans, B^T
  // for B stored n×k. `isa` picks the kernel (tests run every level the CPU has).
  PackedMatrix(bool trans, int64_t k, int64_t n, const T* b, int64_t ldb,
               cpu::Isa isa = cpu::active());

  // C = A op(B) + beta C, A row-major m×k; beta == 0 never reads C. Splits the columns
  // over soma's threads when the product is large enough to pay for waking them.
  void multiply(int64_t m, const T* a, int64_t lda, T beta, T* c, int64_t ldc) const;

  int64_t rows() const { return k_; }
  int64_t cols() const { return n_; }

 private:
  cpu::Isa isa_;
  int64_t k_, n_, panel_;  // panel_: columns per panel (the kernel's register block)
  std::vector<T> panels_;  // [n / panel_][k][panel_], the last panel zero-padded
};

extern template class PackedMatrix<float>;
extern template class PackedMatrix<double>;

}  // namespace soma
