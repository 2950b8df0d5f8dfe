# CPACK_PRE_BUILD_SCRIPTS of `make deb` (cmake/Package.cmake), run on CPack's staging
# tree: the packaged soma finds libsoma.so.0 in /usr/lib without help, so the
# $ORIGIN/../lib RUNPATH that relocatable installs need goes (Debian policy 10.2).
file(GLOB_RECURSE programs "${CPACK_TEMPORARY_DIRECTORY}/*/usr/bin/*")
foreach(program ${programs})
  file(RPATH_REMOVE FILE "${program}")
endforeach()
