#include "soma/core/version.hpp"

namespace soma {

const char* version() { return SOMA_VERSION_STRING; }

const char* git_describe() { return SOMA_GIT_DESCRIBE; }

}  // namespace soma
