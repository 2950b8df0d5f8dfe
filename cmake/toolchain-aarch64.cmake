# Cross build for 64-bit ARM on a Debian 12 x86-64 machine (`make test-arm64`):
#
#   scripts/bootstrap --arm64
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=$PWD/cmake/toolchain-aarch64.cmake
#
# Debian's cross compiler (g++-aarch64-linux-gnu) builds against the arm64 multiarch
# packages: headers in /usr/include (plus /usr/include/aarch64-linux-gnu), libraries in
# /usr/lib/aarch64-linux-gnu, CMake package files in /usr/lib/aarch64-linux-gnu/cmake.
# The compiler already searches those, so there is no separate sysroot.
# On an ARM machine none of this is needed: the plain build is native.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# find_library and find_package(CONFIG) look in <prefix>/lib/aarch64-linux-gnu first and
# never in another architecture's lib/x86_64-linux-gnu. (CMake reads this from the
# compiler too; set here so that it is known before the compiler check.)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Where the target's files are: the cross libc (libc6-dev-arm64-cross) and the multiarch
# tree under /. Libraries, headers and packages only from there; programs (pkg-config,
# gnuplot, sh) are the build machine's own.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config (OpenBLAS, FFTW, toml++, cpp-httplib, libxml2): the arm64 .pc files only.
# The environment is set again whenever CMake re-runs, since it re-reads this file.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
unset(ENV{PKG_CONFIG_PATH})
unset(ENV{PKG_CONFIG_SYSROOT_DIR})

# GTest, nlohmann_json and CLI11 need nothing more: GTestConfig.cmake comes with
# libgtest-dev:arm64 in /usr/lib/aarch64-linux-gnu/cmake/GTest, and the other two are
# architecture-independent (/usr/share/cmake). OpenMP is the cross compiler's libgomp.
#
# SUNDIALS: libsundials-dev is not Multi-Arch (its arm64 build cannot be installed next to
# the amd64 one the native build needs, and pulls in gfortran:arm64, MPI and PETSc).
# bootstrap --arm64 installs only the arm64 CVODE runtime library; the headers, which are
# the same on every 64-bit Debian architecture, come from the amd64 libsundials-dev, and
# cmake/cross/sundials/SUNDIALSConfig.cmake stands in for the package's CMake files.
if(NOT EXISTS /usr/lib/aarch64-linux-gnu/cmake/sundials/SUNDIALSConfig.cmake)
  set(SUNDIALS_DIR ${CMAKE_CURRENT_LIST_DIR}/cross/sundials CACHE PATH
      "SUNDIALS stand-in for the arm64 cross build")
endif()

# ctest runs the unit tests through user-mode QEMU. The dynamic loader and every
# library come from the arm64 multiarch packages (libc6:arm64 installs
# /lib/ld-linux-aarch64.so.1), so the prefix is / ; QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
# would load the cross package's ld.so, which then finds libc6:arm64's libc.so.6 in
# /lib/aarch64-linux-gnu (the multiarch libraries' dependencies): two glibc builds in one
# process, and the program hangs at start.
# (Used on an ARM machine, the file builds natively and runs the tests directly.)
if(NOT CMAKE_HOST_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /)
endif()
