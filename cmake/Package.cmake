# `make deb`: Debian packages of the install components (cmake/Install.cmake), by CPack:
# libsoma0 (the shared library and Plotly.js), libsoma-dev (headers, CMake and pkg-config
# files) and soma (the command-line tool), installed under /usr.
# The maintainer is whoever builds the packages, as Debian's own tools (dch) take it:
# $DEBFULLNAME <$DEBEMAIL>, else git's user.name and user.email in this checkout.
set(maintainer "")
if(NOT "$ENV{DEBEMAIL}" STREQUAL "")
  set(maintainer "$ENV{DEBFULLNAME} <$ENV{DEBEMAIL}>")
else()
  find_package(Git QUIET)
  if(GIT_FOUND)
    foreach(key name email)
      execute_process(COMMAND ${GIT_EXECUTABLE} config user.${key}
                      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE git_${key}
                      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    endforeach()
    if(NOT git_name STREQUAL "" AND NOT git_email STREQUAL "")
      set(maintainer "${git_name} <${git_email}>")
    endif()
  endif()
endif()
# lintian reports this address as an error (bogus-mail-host): set SOMA_DEB_MAINTAINER.
set(placeholder "soma developers <soma@localhost.localdomain>")
if(maintainer STREQUAL "")
  set(maintainer "${placeholder}")
elseif(SOMA_DEB_MAINTAINER STREQUAL placeholder)
  unset(SOMA_DEB_MAINTAINER CACHE)  # cached by an earlier build: take the one found now
endif()
set(SOMA_DEB_MAINTAINER "${maintainer}" CACHE STRING
    "Maintainer field of the Debian packages (make deb)")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME soma)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${SOMA_DEB_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/deb_no_runpath.cmake)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL lib dev cli)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # dpkg-shlibdeps fills in the libraries' packages
# ... reading the build's libsoma.so.0 for what the tool needs.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_BINARY_DIR}/lib)
# A shlibs file and an ldconfig trigger for libsoma0 (Debian policy 8.1.1): CPack 3.25 would
# call ldconfig from postinst/postrm instead, unless the package brings its own scripts.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(deb_control ${CMAKE_BINARY_DIR}/deb-control)
file(WRITE ${deb_control}/triggers "activate-noawait ldconfig\n")
foreach(script postinst postrm)
  file(WRITE ${deb_control}/${script} "#!/bin/sh\n# ldconfig runs by the trigger (triggers).\nset -e\n")
  file(CHMOD ${deb_control}/${script} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
       GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_EXTRA
    ${deb_control}/triggers ${deb_control}/postinst ${deb_control}/postrm)

set(CPACK_DEBIAN_LIB_PACKAGE_NAME libsoma0)
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_LIB_DESCRIPTION "toolkit for neural computation - shared library
Tensors with autograd, neural networks, ODE solvers, spiking neural networks,
t-SNE and curve fitting, with plots, as one C++20 library.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libsoma-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libsoma0 (= ${PROJECT_VERSION})")
set(CPACK_COMPONENT_DEV_DESCRIPTION "toolkit for neural computation - development files
Headers, the CMake package (find_package(soma)) and the pkg-config file
(soma.pc) for building against libsoma.")
set(CPACK_DEBIAN_CLI_PACKAGE_NAME soma)
set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "libsoma0 (= ${PROJECT_VERSION})")
set(CPACK_COMPONENT_CLI_DESCRIPTION "toolkit for neural computation - command-line tool
The soma command: training, prediction, plots, ODEs, spiking networks and
the live dashboard.")

# Debian wants a copyright file in each package's doc folder (debian/copyright, in the
# machine-readable format), lintian overrides where a warning is deliberate
# (debian/PACKAGE.lintian-overrides says why), and a manual page for each program:
# soma.1 from `soma --help` by help2man, where it is installed and the build runs here.
foreach(component lib dev cli)
  string(TOUPPER ${component} upper)
  set(package ${CPACK_DEBIAN_${upper}_PACKAGE_NAME})
  install(FILES debian/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${package}
          COMPONENT ${component} EXCLUDE_FROM_ALL)
  if(EXISTS ${PROJECT_SOURCE_DIR}/debian/${package}.lintian-overrides)
    install(FILES debian/${package}.lintian-overrides
            DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME ${package}
            COMPONENT ${component} EXCLUDE_FROM_ALL)
  endif()
endforeach()
find_program(HELP2MAN help2man)
if(HELP2MAN AND TARGET soma_cli AND NOT CMAKE_CROSSCOMPILING)
  set(man ${CMAKE_BINARY_DIR}/man/soma.1)
  add_custom_command(OUTPUT ${man}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr
            "--name=toolkit for neural computation" --output=${man} $<TARGET_FILE:soma_cli>
    COMMAND gzip -9nf ${man}
    DEPENDS soma_cli VERBATIM)
  add_custom_target(soma_man ALL DEPENDS ${man}.gz)
  install(FILES ${man}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT cli
          EXCLUDE_FROM_ALL)
endif()

# Debian wants a changelog in each package's doc folder (gzip -9, no timestamp).
foreach(component lib dev cli)
  string(TOUPPER ${component} upper)
  set(package ${CPACK_DEBIAN_${upper}_PACKAGE_NAME})
  set(dir ${CMAKE_BINARY_DIR}/deb-doc/${package})
  file(MAKE_DIRECTORY ${dir})
  file(WRITE ${dir}/changelog "${package} (${PROJECT_VERSION}) unstable; urgency=medium

  * Packaged by CPack from the soma source tree (make deb).

 -- ${SOMA_DEB_MAINTAINER}  Mon, 07 Dec 2026 00:00:00 +0000
")
  execute_process(COMMAND gzip -9nc ${dir}/changelog OUTPUT_FILE ${dir}/changelog.gz
                  COMMAND_ERROR_IS_FATAL ANY)
  install(FILES ${dir}/changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${package}
          COMPONENT ${component} EXCLUDE_FROM_ALL)
endforeach()
include(CPack)
