// Sizes that cannot be allocated are refused with a soma::Error before any allocation: a
// shape whose element count overflows 64 bits once wrapped to a small buffer (and a
// SIGSEGV when it was filled), and one beyond the machine's memory ended in bad_alloc.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "soma/core/error.hpp"
#include "soma/core/system.hpp"
#include "soma/tensor.hpp"

namespace {

std::string error_of(const soma::Shape& shape) {
  try {
    (void)soma::zeros(shape);
  } catch (const soma::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(SizeLimits, ProductsThatOverflowAreErrors) {
  constexpr int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_NE(error_of({big, 4}).find("more than this machine's"), std::string::npos);
  // 2^62 * 4 elements wraps to 0 in 64 bits; 2^62 * 4 * 4 bytes wraps too.
  EXPECT_NE(error_of({int64_t{1} << 62, 4}).find("(4611686018427387904,4)"), std::string::npos);
  EXPECT_NE(error_of({int64_t{1} << 32, int64_t{1} << 32}).find("float32"), std::string::npos);
}

TEST(SizeLimits, BeyondPhysicalMemoryIsAnError) {
  const auto too_many = static_cast<int64_t>(soma::physical_memory_bytes() / 4 + 1);
  EXPECT_NE(error_of({too_many}).find("needs"), std::string::npos);
}

TEST(SizeLimits, EmptyShapesWithHugeDimensionsAreFine) {
  EXPECT_EQ(error_of({int64_t{1} << 62, 4, 0}), "");
  EXPECT_EQ(soma::zeros({0, std::numeric_limits<int64_t>::max()}).numel(), 0);
}

TEST(SizeLimits, NegativeDimensionsAreErrors) {
  EXPECT_NE(error_of({3, -1}).find("negative dimension"), std::string::npos);
}
