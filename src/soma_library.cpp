// libsoma.so is assembled from the module archives; this file only gives the
// shared library a translation unit of its own.
namespace soma {
const char* version() { return "0.1.0"; }
}  // namespace soma
