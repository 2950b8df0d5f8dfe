// Image layers against PyTorch 1.13: outputs and gradients of conv2d, max_pool2d,
// avg_pool2d and batch_norm (with running statistics) on inputs from closed formulas,
// from tests/reference/torch_layers.py.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "reference_table.hpp"
#include "soma/nn.hpp"

using namespace soma;
namespace F = soma::nn::functional;

namespace {

std::map<std::string, std::vector<double>> reference() {
  return soma::testing::read_reference_table("torch_layers.txt");
}

Tensor filled(const Shape& shape, double a, double b) {
  std::vector<double> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(a * double(i) + b);
  return tensor(v, shape).requires_grad_();
}

void check(const std::string& name, const std::function<Tensor(const std::vector<Tensor>&)>& fn,
           std::vector<Tensor> inputs) {
  SCOPED_TRACE(name);
  const auto ref = reference();
  ASSERT_TRUE(ref.count(name + ".y"))
      << "tests/reference/data/torch_layers.txt not found or incomplete";
  Tensor y = fn(inputs);
  std::vector<double> w(static_cast<size_t>(y.numel()));
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::cos(0.37 * double(i));
  sum(y * tensor(w, y.shape())).backward();
  auto compare = [&](const std::string& key, const Tensor& t) {
    const auto& want = ref.at(key);
    const auto got = t.to_vector<double>();
    ASSERT_EQ(got.size(), want.size()) << key;
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 1e-12 * std::max(1.0, std::abs(want[i])))
          << key << " element " << i;
  };
  compare(name + ".y", y);
  for (size_t k = 0; k < inputs.size(); ++k)
    compare(name + ".d" + std::to_string(k), inputs[k].grad());
}

Tensor x() { return filled({2, 3, 7, 6}, 0.31, 0.2); }

}  // namespace

TEST(TorchLayers, Conv2d) {
  check("conv2d",
        [](const auto& in) {
          return F::conv2d(in[0], in[1], in[2], {2, 1}, {1, 2}, {2, 1});
        },
        {x(), filled({4, 3, 3, 2}, 0.53, 1.1), filled({4}, 0.7, 0.4)});
}

TEST(TorchLayers, Pooling) {
  check("max_pool2d",
        [](const auto& in) {
          return F::max_pool2d(in[0], {3, 2}, {2, 2}, {1, 1});
        },
        {x()});
  check("avg_pool2d",
        [](const auto& in) {
          return F::avg_pool2d(in[0], {3, 3}, {2, 1}, {1, 1});
        },
        {x()});
}

TEST(TorchLayers, BatchNormAndRunningStatistics) {
  Tensor rm = zeros({3}, kFloat64), rv = ones({3}, kFloat64);
  check("batch_norm",
        [&](const auto& in) { return F::batch_norm(in[0], rm, rv, in[1], in[2], true, 0.1, 1e-5); },
        {x(), filled({3}, 0.9, 0.5), filled({3}, 0.3, 0.1)});
  const auto ref = reference();
  for (auto [key, t] :
       {std::pair{"batch_norm.running_mean", rm}, std::pair{"batch_norm.running_var", rv}}) {
    const auto got = t.to_vector<double>();
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], ref.at(key)[i], 1e-14) << key;
  }
}
