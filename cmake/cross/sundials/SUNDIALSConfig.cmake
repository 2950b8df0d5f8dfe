# Stands in for SUNDIALS' own CMake package files in the arm64 cross build
# (cmake/toolchain-aarch64.cmake points SUNDIALS_DIR here). Debian's libsundials-dev is
# not Multi-Arch, so the cross build uses the arm64 runtime library
# (libsundials-cvode6:arm64, which also carries the serial N_Vector, the dense matrix and
# the dense linear solver) with the build machine's headers (/usr/include, identical on
# every 64-bit Debian architecture: double precision, int64_t indices).
# Defines what soma links: SUNDIALS::cvode_shared.
find_path(SUNDIALS_CROSS_INCLUDE_DIR cvode/cvode.h)
find_library(SUNDIALS_CROSS_CVODE_LIBRARY NAMES sundials_cvode libsundials_cvode.so.6)
if(NOT SUNDIALS_CROSS_INCLUDE_DIR OR NOT SUNDIALS_CROSS_CVODE_LIBRARY)
  set(SUNDIALS_FOUND FALSE)
  set(SUNDIALS_NOT_FOUND_MESSAGE
      "needs cvode/cvode.h (libsundials-dev) and the target's libsundials_cvode.so.6 "
      "(libsundials-cvode6:${CMAKE_LIBRARY_ARCHITECTURE}); run scripts/bootstrap --arm64")
  return()
endif()
file(STRINGS ${SUNDIALS_CROSS_INCLUDE_DIR}/sundials/sundials_config.h _sundials_version
     REGEX "^#define SUNDIALS_VERSION \"")
string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" SUNDIALS_VERSION "${_sundials_version}")
unset(_sundials_version)
if(NOT TARGET SUNDIALS::cvode_shared)
  add_library(SUNDIALS::cvode_shared SHARED IMPORTED)
  set_target_properties(SUNDIALS::cvode_shared PROPERTIES
    IMPORTED_LOCATION ${SUNDIALS_CROSS_CVODE_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${SUNDIALS_CROSS_INCLUDE_DIR})
endif()
set(SUNDIALS_FOUND TRUE)
