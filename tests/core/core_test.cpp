#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/random.hpp"

namespace fs = std::filesystem;

TEST(AtomicFile, WritesAndReplacesWholeFiles) {
  fs::path dir = fs::temp_directory_path() / ("soma-core-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  soma::write_file_atomic(dir / "a.txt", "first");
  soma::write_file_atomic(dir / "a.txt", "second");
  EXPECT_EQ(soma::read_file(dir / "a.txt"), "second");
  // No temporary file is left behind.
  int count = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++count;
  EXPECT_EQ(count, 1);
  fs::remove_all(dir);
}

TEST(AtomicFile, UniqueDirectoriesNeverRepeat) {
  fs::path dir = fs::temp_directory_path() / ("soma-runs-" + std::to_string(::getpid()));
  auto a = soma::create_unique_directory(dir, "run");
  auto b = soma::create_unique_directory(dir, "run");
  EXPECT_NE(a, b);
  fs::remove_all(dir);
}

TEST(AtomicFile, MissingFileNamesThePath) {
  try {
    soma::read_file("/nonexistent/soma.txt");
    FAIL();
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/soma.txt"), std::string::npos);
  }
}

TEST(Rng, SameSeedSameNumbersAndSaneMoments) {
  soma::Rng a(7), b(7);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
  soma::Rng r(1);
  double sum = 0, sq = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    double x = r.normal();
    sum += x;
    sq += x * x;
  }
  // Mean and variance of a standard normal, within 5 standard errors.
  EXPECT_NEAR(sum / n, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(sq / n, 1.0, 5.0 * std::sqrt(2.0 / n));
}

TEST(Error, PositionsReadLikeCompilerMessages) {
  EXPECT_STREQ(soma::error_at("x.csv", 3, 7, "expected a number").what(),
               "x.csv:3:7: expected a number");
}
