#include "gemm_packed.hpp"

#include <algorithm>

#include "gemm_packed_kernels.hpp"
#include "soma/core/threads.hpp"

namespace soma {

template <class T>
PackedMatrix<T>::PackedMatrix(bool trans, int64_t k, int64_t n, const T* b, int64_t ldb,
                              cpu::Isa isa)
    : isa_(isa), k_(k), n_(n), panel_(packed_gemm_kernels(isa).panel<T>()) {
  const int64_t count = (n + panel_ - 1) / panel_;
  panels_.assign(static_cast<size_t>(count * k * panel_), T(0));
  for (int64_t j0 = 0; j0 < n; j0 += panel_) {
    T* dst = panels_.data() + j0 * k;  // panel j0 / panel_ starts at (j0 / panel_) * k * panel_
    const int64_t w = std::min(panel_, n - j0);
    if (trans) {  // B is n×k: column j of op(B) is row j of B
      for (int64_t j = 0; j < w; ++j) {
        const T* src = b + (j0 + j) * ldb;
        for (int64_t p = 0; p < k; ++p) dst[p * panel_ + j] = src[p];
      }
    } else {
      for (int64_t p = 0; p < k; ++p) std::copy_n(b + p * ldb + j0, w, dst + p * panel_);
    }
  }
}

template <class T>
void PackedMatrix<T>::multiply(int64_t m, const T* a, int64_t lda, T beta, T* c,
                               int64_t ldc) const {
  auto* const kernel = packed_gemm_kernels(isa_).panel_gemm<T>();
  const int64_t count = (n_ + panel_ - 1) / panel_;
  const auto run = [&](int64_t first, int64_t last) {
    for (int64_t q = first; q < last; ++q) {
      const int64_t j0 = q * panel_;
      kernel(m, k_, a, lda, panels_.data() + j0 * k_, static_cast<int>(std::min(panel_, n_ - j0)),
             beta, c + j0, ldc);
    }
  };
  // Under ~4 million multiply-adds a second thread costs more to wake than it saves.
  const int nt = m * n_ * k_ < (int64_t(1) << 22)
                     ? 1
                     : static_cast<int>(std::min<int64_t>(num_threads(), count));
  if (nt <= 1) return run(0, count);
  parallel_run(nt, [&](int t, int k) { run(count * t / k, count * (t + 1) / k); });
}

template class PackedMatrix<float>;
template class PackedMatrix<double>;

}  // namespace soma
