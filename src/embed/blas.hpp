#pragma once
// The BLAS calls t-SNE needs, with OpenBLAS told to use soma's thread count.
#include <cblas.h>

#include "soma/core/threads.hpp"

namespace soma::embed::detail {

inline void sync_blas_threads() { openblas_set_num_threads(soma::num_threads()); }

}  // namespace soma::embed::detail
