// nn::summarize and nn::to_dot on models whose shapes and parameter counts are worked
// out by hand below, and the neuron picture of tutorial 003's quiz (logistic regression
// on 4 inputs: 4 input nodes and a bias node into one sigmoid unit).
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>

#include "soma/core/error.hpp"
#include "soma/nn.hpp"

using namespace soma;

namespace {

// Edge statements, "  a -> b;" or "  a -> b [label=...];", one a line.
size_t edges(const std::string& dot) {
  static const std::regex edge(R"(^  \w+ -> \w+( \[.*\])?;$)");
  size_t n = 0;
  std::istringstream lines(dot);
  for (std::string line; std::getline(lines, line);) n += std::regex_match(line, edge);
  return n;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

nn::Sequential mlp() {
  Rng rng(1);
  nn::Sequential m;
  m.push_back(nn::Linear(4, 3, true, rng));
  m.push_back(nn::ReLU());
  m.push_back(nn::Linear(3, 1, true, rng));
  m.push_back(nn::Sigmoid());
  return m;
}

}  // namespace

TEST(Diagram, DenseSummaryShapesAndParameters) {
  auto m = mlp();
  const auto s = nn::summarize(m, {4});
  ASSERT_EQ(s.size(), 4u);
  // Linear(4, 3): 4 x 3 weights + 3 biases = 15; Linear(3, 1): 3 + 1 = 4.
  EXPECT_EQ(s[0].output, (std::vector<int64_t>{3}));
  EXPECT_EQ(s[0].parameters, 15);
  EXPECT_EQ(s[1].output, (std::vector<int64_t>{3}));
  EXPECT_EQ(s[1].parameters, 0);
  EXPECT_EQ(s[2].output, (std::vector<int64_t>{1}));
  EXPECT_EQ(s[2].parameters, 4);
  EXPECT_EQ(s[3].description, "Sigmoid()");
  EXPECT_EQ(s[3].name, "3");
  EXPECT_TRUE(m.is_training());  // the summary's eval mode is undone
}

TEST(Diagram, LayerPictureNodesEdgesShapes) {
  auto m = mlp();
  const std::string dot = nn::to_dot(m, {4}, {.level = nn::DiagramLevel::layers, .title = "mlp"});
  EXPECT_EQ(dot.rfind("digraph model {", 0), 0u) << dot;
  EXPECT_NE(dot.find("label=\"mlp\\n19 parameters\";"), std::string::npos) << dot;
  EXPECT_NE(dot.find("input [label=\"{input|[N, 4]}\"];"), std::string::npos) << dot;
  EXPECT_NE(dot.find("layer0 [label=\"{0: Linear(in_features=4, out_features=3, bias=true)|"
                     "output [N, 3]|15 parameters}\"];"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("layer1 [label=\"{1: ReLU()|output [N, 3]|0 parameters}\"];"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("layer2 [label=\"{2: Linear(in_features=3, out_features=1, bias=true)|"
                     "output [N, 1]|4 parameters}\"];"),
            std::string::npos)
      << dot;
  // A chain: input -> layer0 -> ... -> layer3, four edges.
  EXPECT_EQ(edges(dot), 4u);
  for (const char* e : {"input -> layer0;", "layer0 -> layer1;", "layer2 -> layer3;"})
    EXPECT_NE(dot.find(e), std::string::npos) << e;
  EXPECT_EQ(dot.back(), '\n');
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
}

TEST(Diagram, ConvShapesAndParameters) {
  Rng rng(2);
  nn::Sequential m;
  m.push_back(nn::Conv2d(1, 2, 3, {.padding = {1, 1}}, rng));
  m.push_back(nn::MaxPool2d(2));
  m.push_back(nn::Flatten());
  m.push_back(nn::Linear(2 * 14 * 14, 10, true, rng));
  const auto s = nn::summarize(m, {1, 28, 28});
  ASSERT_EQ(s.size(), 4u);
  // padding 1 keeps 28 x 28; the pool halves it; 2 x 14 x 14 = 392 features.
  EXPECT_EQ(s[0].output, (std::vector<int64_t>{2, 28, 28}));
  EXPECT_EQ(s[0].parameters, 1 * 2 * 3 * 3 + 2);
  EXPECT_EQ(s[1].output, (std::vector<int64_t>{2, 14, 14}));
  EXPECT_EQ(s[2].output, (std::vector<int64_t>{392}));
  EXPECT_EQ(s[3].output, (std::vector<int64_t>{10}));
  EXPECT_EQ(s[3].parameters, 392 * 10 + 10);
  // Not a dense network: the automatic picture is the layer one, the neuron one refused.
  const std::string dot = nn::to_dot(m, {1, 28, 28});
  EXPECT_NE(dot.find("output [N, 2, 14, 14]|0 parameters"), std::string::npos) << dot;
  EXPECT_NE(dot.find("3950 parameters"), std::string::npos) << dot;
  EXPECT_FALSE(nn::can_draw_neurons(m, {1, 28, 28}, 10));
  EXPECT_THROW(nn::to_dot(m, {1, 28, 28}, {.level = nn::DiagramLevel::neurons}), Error);
}

TEST(Diagram, LogisticRegressionNeuronPicture) {
  Rng rng(3);
  nn::Sequential m;
  m.push_back(nn::Linear(4, 1, true, rng));
  m.push_back(nn::Sigmoid());
  ASSERT_TRUE(nn::can_draw_neurons(m, {4}, 10));
  const std::string dot = nn::to_dot(m, {4});  // automatic: every neuron
  for (int i = 1; i <= 4; ++i) {
    const std::string x = "x" + std::to_string(i);
    EXPECT_NE(dot.find("    " + x + " [label=\"" + x + "\"];"), std::string::npos) << x;
    EXPECT_NE(dot.find("  " + x + " -> l0_1 [label=\"w" + std::to_string(i) + "\"];"),
              std::string::npos)
        << x;
  }
  EXPECT_EQ(count(dot, "[label=\"x"), 4u);  // four inputs, no fifth
  EXPECT_NE(dot.find("l0_1 [label=\"Σ\\nsigmoid\"];"), std::string::npos) << dot;
  EXPECT_NE(dot.find("b0 -> l0_1 [label=\"b\"];"), std::string::npos) << dot;
  EXPECT_NE(dot.find("l0_1 -> y1;"), std::string::npos) << dot;
  // 4 weights + the bias + the output: six edges; 4 + 1 = 5 parameters.
  EXPECT_EQ(edges(dot), 6u);
  EXPECT_NE(dot.find("5 parameters"), std::string::npos) << dot;
}

TEST(Diagram, HiddenLayerNeuronPictureIsFullyConnected) {
  auto m = mlp();
  const std::string dot = nn::to_dot(m, {4}, {.level = nn::DiagramLevel::neurons});
  // 4 x 3 weights + 3 bias edges, 3 x 1 + 1, one output edge: 20 edges, no weight names
  // where a layer has several units.
  EXPECT_EQ(edges(dot), 4u * 3 + 3 + 3 + 1 + 1);
  EXPECT_NE(dot.find("l0_3 [label=\"Σ\\nReLU\"];"), std::string::npos) << dot;
  EXPECT_NE(dot.find("  x4 -> l0_3;"), std::string::npos) << dot;
  EXPECT_NE(dot.find("  l0_2 -> l1_1 [label=\"w2\"];"), std::string::npos) << dot;
}

TEST(Diagram, BadInputShapesNameTheLayer) {
  auto m = mlp();
  try {
    nn::summarize(m, {5});
    FAIL() << "a 5-feature input to Linear(4, 3) was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layer 0 (Linear(in_features=4"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("[N, 5]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(nn::summarize(m, {}), Error);
  EXPECT_THROW(nn::summarize(m, {0}), Error);
  EXPECT_THROW(nn::to_dot(m, {5}, {.level = nn::DiagramLevel::neurons}), Error);
}
