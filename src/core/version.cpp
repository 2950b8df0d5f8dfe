#include "soma/core/version.hpp"

namespace soma {

const char* version() { return SOMA_VERSION_STRING; }

}  // namespace soma
