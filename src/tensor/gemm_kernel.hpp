#pragma once
// Which OpenBLAS kernel table soma runs on. On AVX-512 CPUs that Debian's OpenBLAS 0.3.21
// runs with AVX2 tables (OPENBLAS_CORETYPE=Haswell, unknown models), soma switches to the SkylakeX
// kernels at load time (see gemm_kernel.cpp); this reports the result ("SkylakeX", "Haswell", ...
// or "" when the BLAS is not a dynamic-arch OpenBLAS).
#include <string>

namespace soma {

const std::string& blas_kernel_name();

}  // namespace soma
