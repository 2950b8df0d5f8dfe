# cmake -DFROM=<file> -DTO=<file> -P copy_asset.cmake: TO becomes a copy of FROM, or is
# removed when FROM does not exist, so the build tree never serves a stale Plotly.js.
if(EXISTS ${FROM})
  get_filename_component(dir ${TO} DIRECTORY)
  file(MAKE_DIRECTORY ${dir})
  file(COPY_FILE ${FROM} ${TO} ONLY_IF_DIFFERENT)
else()
  file(REMOVE ${TO})
endif()
