#pragma once
// soma's version, as the build (CMake's project version) set it.
namespace soma {

const char* version();

// `git describe --always --dirty --tags` of the checkout the build was configured in
// ("6fb0308-dirty"), or "" outside a git checkout (a source tarball) or without git. It is
// taken when CMake configures, so commits made since then are not in it.
const char* git_describe();

}  // namespace soma
