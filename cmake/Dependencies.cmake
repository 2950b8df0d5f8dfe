# Every dependency comes from a Debian package that scripts/bootstrap installs.
find_package(Threads REQUIRED)
find_package(OpenMP REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
# Found here, at the top, so that libsoma.so (in src/) can link what any module links.
pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3)
find_package(SUNDIALS REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# The dashboard's server: Boost.Asio and Beast (header-only, libboost-dev) and brotli for
# its replies (libbrotli-dev, which libcpp-httplib-dev depends on).
find_package(Boost 1.74 REQUIRED)
pkg_check_modules(BROTLIENC REQUIRED IMPORTED_TARGET libbrotlienc)
if(SOMA_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()

# -Wno-restrict: GCC 12 reports false positives inside std::string at -O3 (GCC bug 105329).
# -Wmissing-field-initializers stays on (-Wextra): every member of a public aggregate has a
# default initialiser, so designated initialisers that name a few members (FitOptions{.epochs
# = 3}) compile cleanly in users' builds too, and this build keeps it that way.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # clang (the fuzz build) has neither GCC's -Wshadow=local nor -Wrestrict, and an unknown
  # warning option is itself an error under -Werror.
  set(SOMA_WARNINGS -Wall -Wextra -Wpedantic -Wnon-virtual-dtor)
else()
  set(SOMA_WARNINGS -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wno-restrict)
endif()
if(SOMA_WERROR)
  list(APPEND SOMA_WARNINGS -Werror)
endif()
set(SOMA_OPT_FLAGS)
if(SOMA_NATIVE)
  list(APPEND SOMA_OPT_FLAGS -march=native)
endif()
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  list(APPEND SOMA_OPT_FLAGS -O3 -fno-semantic-interposition)
endif()
if(SOMA_SANITIZE)
  # GCC 12's -Wmaybe-uninitialized misfires inside <regex> and <functional> once the
  # sanitizers instrument them; the sanitizers themselves catch real uses.
  list(APPEND SOMA_WARNINGS -Wno-maybe-uninitialized)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(SOMA_FUZZ)
  # libFuzzer (fuzz/CMakeLists.txt): everything instrumented for coverage and checked by
  # ASan + UBSan; only the fuzz executables link libFuzzer's main (-fsanitize=fuzzer).
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SOMA_FUZZ needs clang for libFuzzer: use `make fuzz`, or configure with "
                        "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  # The instrumentation keeps clang from vectorising some `omp simd` reductions, which it
  # reports as -Wpass-failed; the same loops vectorise in an uninstrumented clang build.
  list(APPEND SOMA_WARNINGS -Wno-pass-failed)
  add_link_options(-fsanitize=address,undefined)
endif()

# Data-parallel training over MPI (soma::dist, Debian's OpenMPI: libopenmpi-dev). Optional:
# without it soma builds and runs as one rank. Not looked for when cross-compiling (the
# host's mpicc would hand out the host's libraries).
option(SOMA_MPI "Build soma::dist with MPI when OpenMPI is found" ON)
set(SOMA_HAVE_MPI OFF)
if(SOMA_MPI AND NOT CMAKE_CROSSCOMPILING)
  find_package(MPI COMPONENTS C QUIET)
  if(MPI_C_FOUND)
    set(SOMA_HAVE_MPI ON)
  endif()
endif()
message(STATUS "soma::dist with MPI: ${SOMA_HAVE_MPI}")

# oneDNN (Debian's libdnnl-dev) for float32 Conv2d / ConvTranspose2d: its direct convolution
# kernels, chosen at run time for the CPU, are about twice as fast as im2col + OpenBLAS on
# the small images of the GAN/VAE examples. Optional: without it (SOMA_ONEDNN OFF, not
# found, or cross-compiling without the target's package) every convolution runs soma's
# im2col + GEMM path (src/nn/functional/onednn.cpp). Found by its library and header rather
# than Debian's dnnl-config.cmake, which also wants the OpenCL development files.
option(SOMA_ONEDNN "Run float32 convolutions through oneDNN when libdnnl-dev is found" ON)
set(SOMA_HAVE_ONEDNN OFF)
if(SOMA_ONEDNN)
  find_path(ONEDNN_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
  find_library(ONEDNN_LIBRARY dnnl)
  if(ONEDNN_INCLUDE_DIR AND ONEDNN_LIBRARY)
    add_library(OneDNN::dnnl SHARED IMPORTED)
    set_target_properties(OneDNN::dnnl PROPERTIES IMPORTED_LOCATION ${ONEDNN_LIBRARY}
                                                     INTERFACE_INCLUDE_DIRECTORIES ${ONEDNN_INCLUDE_DIR})
    set(SOMA_HAVE_ONEDNN ON)
  endif()
endif()
message(STATUS "float32 convolutions through oneDNN: ${SOMA_HAVE_ONEDNN}")
