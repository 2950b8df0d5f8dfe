#pragma once
// soma's version, as the build (CMake's project version) set it.
namespace soma {

const char* version();

}  // namespace soma
