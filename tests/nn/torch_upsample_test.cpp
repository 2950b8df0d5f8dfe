// ConvTranspose2d and Upsample against PyTorch 1.13 (outputs and the gradients of
// sum(y * g) for a random upstream g, inputs and parameters read back from
// tests/reference/data/torch_upsample.txt, written by tests/reference/torch_upsample.py),
// float64 gradients against central finite differences, and the errors a caller can make.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "soma/core/error.hpp"
#include "soma/nn.hpp"
#include "tensor/gradcheck.hpp"

using namespace soma;
using soma::testing::expect_gradcheck;
using soma::testing::random_inputs;
namespace F = soma::nn::functional;

namespace {

const std::map<std::string, std::vector<double>>& reference() {
  static const auto table = [] {
    std::ifstream in(SOMA_SOURCE_DIR "/tests/reference/data/torch_upsample.txt");
    std::map<std::string, std::vector<double>> out;
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string name;
      ls >> name;
      double v;
      while (ls >> v) out[name].push_back(v);
    }
    return out;
  }();
  return table;
}

Tensor load(const std::string& key, const Shape& shape) {
  if (!reference().count(key))
    throw Error(key + ": tests/reference/data/torch_upsample.txt not found or incomplete");
  const auto& v = reference().at(key);
  if (int64_t(v.size()) != shape.numel())
    throw Error(key + ": " + std::to_string(v.size()) + " values, expected " + shape.str());
  return tensor(std::span<const double>(v), shape);
}

void compare(const std::string& key, const Tensor& t, double tol = 1e-10) {
  ASSERT_TRUE(reference().count(key)) << key << " missing from the reference data";
  ASSERT_TRUE(t.defined()) << key << " is undefined";
  const auto& want = reference().at(key);
  const auto got = t.to_vector<double>();
  ASSERT_EQ(got.size(), want.size()) << key;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tol * std::max(1.0, std::abs(want[i]))) << key << " element " << i;
}

struct ConvCase {
  std::string name;
  int64_t in, out;
  F::Size2 kernel;
  nn::ConvTranspose2dOptions options;
  Shape x;
};

// The cases of torch_upsample.py, in its order.
const std::vector<ConvCase> kConvCases = {
    {"ct_basic", 3, 4, {3, 3}, {}, {2, 3, 5, 4}},
    {"ct_stride",
     2,
     3,
     {3, 4},
     {.stride = {2, 3}, .padding = {1, 2}, .output_padding = {1, 2}},
     {2, 2, 4, 3}},
    {"ct_groups_dilation",
     4,
     6,
     {3, 3},
     {.stride = {2, 2},
      .padding = {2, 2},
      .output_padding = {1, 1},
      .groups = 2,
      .bias = false,
      .dilation = {2, 2}},
     {2, 4, 4, 5}},
    {"ct_crop", 2, 2, {2, 2}, {.stride = {3, 3}, .padding = {2, 2}}, {1, 2, 4, 3}},
};

struct UpCase {
  std::string name;
  nn::UpsampleOptions options;
  Shape x;
};

const std::vector<UpCase> kUpCases = {
    {"up_nearest_size", {.size = {7, 5}}, {2, 3, 4, 6}},
    {"up_nearest_scale", {.scale_factor = {2.0, 3.0}}, {1, 2, 3, 4}},
    {"up_nearest_frac", {.scale_factor = {1.5, 0.5}}, {1, 2, 5, 6}},
    {"up_bilinear_scale",
     {.scale_factor = {2.0, 2.0}, .mode = nn::InterpolateMode::Bilinear},
     {2, 2, 3, 4}},
    {"up_bilinear_corners",
     {.size = {7, 9}, .mode = nn::InterpolateMode::Bilinear, .align_corners = true},
     {1, 3, 4, 5}},
    {"up_bilinear_down", {.size = {3, 10}, .mode = nn::InterpolateMode::Bilinear}, {1, 2, 5, 4}},
    {"up_bilinear_frac",
     {.scale_factor = {1.7, 2.3}, .mode = nn::InterpolateMode::Bilinear},
     {1, 1, 4, 3}},
};

}  // namespace

TEST(TorchConvTranspose2d, ForwardAndBackwardMatchTorch) {
  for (const ConvCase& c : kConvCases) {
    SCOPED_TRACE(c.name);
    nn::ConvTranspose2d m(c.in, c.out, c.kernel, c.options, global_rng(), kFloat64);
    {
      NoGradGuard no_grad;
      m.weight.copy_(load(c.name + ".weight", m.weight.shape()));
      if (c.options.bias) m.bias.copy_(load(c.name + ".bias", m.bias.shape()));
    }
    Tensor x = load(c.name + ".x", c.x);
    x.requires_grad_(true);
    const Tensor y = m(x);
    compare(c.name + ".y", y);
    sum(y * load(c.name + ".g", y.shape())).backward();
    compare(c.name + ".dx", x.grad());
    compare(c.name + ".dweight", m.weight.grad());
    if (c.options.bias) compare(c.name + ".dbias", m.bias.grad());
  }
}

TEST(TorchUpsample, ForwardAndBackwardMatchTorch) {
  for (const UpCase& c : kUpCases) {
    SCOPED_TRACE(c.name);
    nn::Upsample m(c.options);
    Tensor x = load(c.name + ".x", c.x);
    x.requires_grad_(true);
    const Tensor y = m(x);
    compare(c.name + ".y", y);
    sum(y * load(c.name + ".g", y.shape())).backward();
    compare(c.name + ".dx", x.grad());
  }
}

TEST(ConvTranspose2d, ParameterLayoutAndPrintoutAsTorch) {
  nn::ConvTranspose2d m(4, 6, {3, 2}, {.stride = {2, 2}, .groups = 2});
  EXPECT_EQ(m.weight.shape(), (Shape{4, 3, 3, 2}));
  EXPECT_EQ(m.bias.shape(), (Shape{6}));
  const auto params = m.named_parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].first, "weight");
  EXPECT_EQ(params[1].first, "bias");
  // torch: fan_in = weight.size(1) * kh * kw = 18, so |w|, |b| <= 1 / sqrt(18).
  const double bound = 1 / std::sqrt(18.0);
  EXPECT_LE(max(abs(m.weight)).item<double>(), bound);
  EXPECT_LE(max(abs(m.bias)).item<double>(), bound);
  EXPECT_GT(max(abs(m.weight)).item<double>(), 0.8 * bound);
  EXPECT_EQ(m.name(),
            "ConvTranspose2d(4, 6, kernel_size=(3, 2), stride=(2, 2), padding=(0, 0), "
            "output_padding=(0, 0), groups=2, dilation=(1, 1), bias=true)");
}

TEST(ConvTranspose2d, GradientsMatchFiniteDifferences) {
  expect_gradcheck(
      [](const std::vector<Tensor>& in) {
        return F::conv_transpose2d(in[0], in[1], in[2], {2, 3}, {1, 0}, {1, 2}, 1, {1, 1});
      },
      random_inputs({{2, 2, 3, 4}, {2, 3, 3, 2}, {3}}, 21));
  expect_gradcheck(
      [](const std::vector<Tensor>& in) {
        return F::conv_transpose2d(in[0], in[1], Tensor(), {2, 2}, {3, 1}, {1, 0}, 2, {2, 1});
      },
      random_inputs({{1, 4, 3, 3}, {4, 1, 3, 3}}, 22));
}

TEST(Upsample, GradientsMatchFiniteDifferences) {
  for (bool corners : {false, true})
    expect_gradcheck(
        [corners](const std::vector<Tensor>& in) {
          return F::interpolate(in[0], {5, 7}, {0, 0}, F::InterpolateMode::Bilinear, corners);
        },
        random_inputs({{2, 2, 3, 4}}, 23));
  expect_gradcheck(
      [](const std::vector<Tensor>& in) {
        return F::interpolate(in[0], {0, 0}, {2.0, 1.5}, F::InterpolateMode::Nearest);
      },
      random_inputs({{1, 2, 3, 4}}, 24));
}

TEST(ConvTranspose2d, RejectsBadArguments) {
  EXPECT_THROW(nn::ConvTranspose2d(3, 4, 3, {.groups = 2}), Error);
  EXPECT_THROW(nn::ConvTranspose2d(0, 4, 3), Error);
  const Tensor x = zeros({1, 2, 4, 4}), w = zeros({2, 3, 3, 3});
  EXPECT_THROW(F::conv_transpose2d(zeros({2, 4, 4}), w), Error);                     // not 4-d
  EXPECT_THROW(F::conv_transpose2d(zeros({1, 3, 4, 4}), w), Error);                  // channels
  EXPECT_THROW(F::conv_transpose2d(x, w, zeros({2})), Error);                        // bias size
  EXPECT_THROW(F::conv_transpose2d(x, w, Tensor(), {2, 2}, {0, 0}, {2, 0}), Error);  // op >= s
  EXPECT_THROW(F::conv_transpose2d(x, w, Tensor(), {1, 1}, {5, 5}), Error);          // empty output
  EXPECT_NO_THROW(F::conv_transpose2d(x, w, Tensor(), {2, 2}, {0, 0}, {1, 1}));
}

TEST(Upsample, RejectsBadArguments) {
  EXPECT_THROW(nn::Upsample({}), Error);  // neither size nor scale
  EXPECT_THROW(nn::Upsample({.size = {2, 2}, .scale_factor = {2, 2}}), Error);
  EXPECT_THROW(F::interpolate(zeros({1, 1, 2, 2}), {0, 0}, {-1, 2}), Error);
  EXPECT_THROW(
      F::interpolate(zeros({1, 1, 2, 2}), {4, 4}, {0, 0}, F::InterpolateMode::Nearest, true),
      Error);
  EXPECT_THROW(F::interpolate(zeros({2, 2}), {4, 4}), Error);
}
