#pragma once
// The page's files compiled in by embed_assets.cmake: the only files the server sends.
#include <cstddef>

namespace soma::serve {
struct Asset {
  const char* path;  // "/index.html"
  const char* content_type;
  const unsigned char* data;
  size_t size;
};
extern const Asset kAssets[];
extern const size_t kAssetCount;
}  // namespace soma::serve
