// libsoma.so is assembled from the module archives; this file only gives the
// shared library a translation unit of its own.
