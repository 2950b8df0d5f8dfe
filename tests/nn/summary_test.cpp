// nn::format_summary: the table `soma train` prints before training, on a model whose
// shapes and parameter counts are worked out by hand.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "soma/nn.hpp"

using namespace soma;

TEST(Summary, GroupedCount) {
  EXPECT_EQ(nn::grouped_count(0), "0");
  EXPECT_EQ(nn::grouped_count(999), "999");
  EXPECT_EQ(nn::grouped_count(1000), "1,000");
  EXPECT_EQ(nn::grouped_count(421642), "421,642");
  EXPECT_EQ(nn::grouped_count(12345678), "12,345,678");
  EXPECT_EQ(nn::grouped_count(-1234), "-1,234");
}

TEST(Summary, TableRowsShapesAndTotal) {
  Rng rng(1);
  nn::Sequential m;
  m.push_back(nn::Linear(4, 30, true, rng));  // 4 * 30 + 30 = 150
  m.push_back(nn::ReLU());
  m.push_back(nn::Linear(30, 40, true, rng));  // 30 * 40 + 40 = 1240
  const auto layers = nn::summarize(m, {4});
  EXPECT_EQ(nn::total_parameters(layers), 1390);
  const std::string text = nn::format_summary(layers, {4});
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 6u);  // header, input, three layers, total
  EXPECT_EQ(lines[0], "layer  output shape  parameters  type");
  EXPECT_EQ(lines[1], "input  [N, 4]");
  // Shapes padded to "output shape", counts right-aligned under "parameters".
  EXPECT_EQ(lines[2], "0      [N, 30]              150  " + layers[0].description);
  EXPECT_EQ(lines[3], "1      [N, 30]                0  ReLU()");
  EXPECT_EQ(lines[4], "2      [N, 40]            1,240  " + layers[2].description);
  EXPECT_EQ(lines[5], "total: 1,390 parameters");
}
