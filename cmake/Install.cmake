include(CMakePackageConfigHelpers)
install(TARGETS soma EXPORT somaTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/soma DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET soma_cli)
  install(TARGETS soma_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT somaTargets NAMESPACE soma:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/soma)
configure_package_config_file(cmake/somaConfig.cmake.in
  ${CMAKE_BINARY_DIR}/somaConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/soma)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/somaConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/somaConfig.cmake ${CMAKE_BINARY_DIR}/somaConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/soma)
