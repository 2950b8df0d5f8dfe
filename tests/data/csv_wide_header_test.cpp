// Wide headers are named in linear time: a 40 KB header of 10,000 columns all named "a"
// once took more than 300 s (a linear search per name, then per column again when the
// frame was built). The clock bound below is 100x what the linear code takes and far
// below what a quadratic one would, so it guards the complexity, not the speed.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "soma/data/csv.hpp"

using soma::data::read_csv_string;

namespace {

std::string header_of(int columns, const auto& name_of) {
  std::string text;
  for (int j = 0; j < columns; ++j) text += (j ? "," : "") + name_of(j);
  text += "\n";
  for (int j = 0; j < columns; ++j) text += j ? ",1" : "1";
  return text + "\n";
}

double seconds_to_read(const std::string& text, soma::data::DataFrame& out) {
  const auto t0 = std::chrono::steady_clock::now();
  out = read_csv_string(text, {}, "wide.csv");
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST(CsvWideHeader, TenThousandRepeatsOfOneName) {
  const std::string text = header_of(10000, [](int) { return std::string("a"); });
  soma::data::DataFrame df;
  EXPECT_LT(seconds_to_read(text, df), 5.0);
  ASSERT_EQ(df.cols(), 10000);
  // pandas' names for repeats: a, a.1, a.2, ...
  EXPECT_EQ(df.column(0).name(), "a");
  EXPECT_EQ(df.column(1).name(), "a.1");
  EXPECT_EQ(df.column(9999).name(), "a.9999");
  EXPECT_EQ(df["a.5000"].size(), 1);
}

TEST(CsvWideHeader, HundredThousandDistinctNames) {
  const std::string text = header_of(100000, [](int j) { return "c" + std::to_string(j); });
  soma::data::DataFrame df;
  EXPECT_LT(seconds_to_read(text, df), 20.0);
  EXPECT_EQ(df.cols(), 100000);
  EXPECT_EQ(df.column(99999).name(), "c99999");
}

TEST(CsvWideHeader, RepeatsOfASuffixedNameStayDistinct) {
  soma::data::DataFrame df;
  (void)seconds_to_read("a,a,a.1,a\n1,2,3,4\n", df);
  ASSERT_EQ(df.cols(), 4);
  EXPECT_EQ(df.column(0).name(), "a");
  EXPECT_EQ(df.column(1).name(), "a.1");
  EXPECT_EQ(df.column(2).name(), "a.1.1");
  EXPECT_EQ(df.column(3).name(), "a.2");
}
