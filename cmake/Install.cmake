include(CMakePackageConfigHelpers)
# Components, one Debian package each (cmake/Package.cmake): lib (libsoma.so.0 and its
# Plotly.js), dev (headers, the libsoma.so link, CMake and pkg-config files), cli.
install(TARGETS soma EXPORT somaTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT lib NAMELINK_COMPONENT dev
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT lib)
install(DIRECTORY include/soma DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
if(TARGET soma_cli)
  install(TARGETS soma_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
endif()
install(EXPORT somaTargets NAMESPACE soma:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/soma
  COMPONENT dev)
configure_package_config_file(cmake/somaConfig.cmake.in
  ${CMAKE_BINARY_DIR}/somaConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/soma)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/somaConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/somaConfig.cmake ${CMAKE_BINARY_DIR}/somaConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/soma COMPONENT dev)

# Plotly.js for HTML figures, beside the library as src/plot/plotly_asset.cpp looks for it
# (absent from the build when web/node_modules was not installed: then not installed).
install(FILES ${CMAKE_BINARY_DIR}/share/soma/plotly.min.js
  DESTINATION ${CMAKE_INSTALL_DATADIR}/soma COMPONENT lib OPTIONAL)

# pkg-config, Debian's other convention beside the CMake package. The file names the
# prefix it lands in, which `cmake --install --prefix` and CPack choose at install time,
# so the prefix is filled in then; everything else now.
# Requires.private/Libs.private: what libsoma.so links (cmake/Dependencies.cmake), for
# `pkg-config --static`; tests/install checks them against the library's DT_NEEDED.
set(SOMA_PC_REQUIRES_PRIVATE "openblas fftw3f libbrotlienc zlib tomlplusplus")
if(SOMA_HAVE_MPI)
  string(APPEND SOMA_PC_REQUIRES_PRIVATE " ompi-c")  # soma::dist (libopenmpi-dev's ompi-c.pc)
endif()
set(SOMA_PC_LIBS_PRIVATE "-lsundials_cvode -fopenmp -pthread -ldl")
if(SOMA_HAVE_ONEDNN)
  string(APPEND SOMA_PC_LIBS_PRIVATE " -ldnnl")  # float32 convolutions (libdnnl-dev has no .pc)
endif()
foreach(var PREFIX LIBDIR INCLUDEDIR DATADIR)
  set(SOMA_PC_${var} "@SOMA_PC_${var}@")  # left for the install step
endforeach()
configure_file(cmake/soma.pc.in ${CMAKE_BINARY_DIR}/soma.pc.in @ONLY)
foreach(dir LIBDIR INCLUDEDIR DATADIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(soma_pc_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(soma_pc_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
install(CODE "
  set(SOMA_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(SOMA_PC_LIBDIR [[${soma_pc_LIBDIR}]])
  set(SOMA_PC_INCLUDEDIR [[${soma_pc_INCLUDEDIR}]])
  set(SOMA_PC_DATADIR [[${soma_pc_DATADIR}]])
  configure_file([[${CMAKE_BINARY_DIR}/soma.pc.in]] [[${CMAKE_BINARY_DIR}/soma.pc]] @ONLY)"
  COMPONENT dev)
install(FILES ${CMAKE_BINARY_DIR}/soma.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
  COMPONENT dev)
include(cmake/Package.cmake)
