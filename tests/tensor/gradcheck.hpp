#pragma once
// Gradient checking against central finite differences in float64, the way
// tinygrad's helper_test_op and torch.autograd.gradcheck do it: the output is
// contracted with a fixed random weight so one backward pass checks the whole
// vector-Jacobian product, then each input element is nudged by ±eps.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "soma/tensor.hpp"

namespace soma::testing {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// Random float64 inputs of the given shapes, values in [lo, hi).
inline std::vector<Tensor> random_inputs(const std::vector<Shape>& shapes, uint64_t seed = 1,
                                         double lo = -1.0, double hi = 1.0) {
  Rng rng(seed);
  std::vector<Tensor> xs;
  for (const Shape& s : shapes) {
    Tensor t = empty(s, kFloat64);
    t.uniform_(lo, hi, rng);
    xs.push_back(t.requires_grad_());
  }
  return xs;
}

inline void expect_gradcheck(const Fn& f, std::vector<Tensor> inputs, double eps = 1e-6,
                             double atol = 1e-6, double rtol = 1e-5) {
  for (auto& x : inputs) {
    x.set_grad(Tensor());
    x.requires_grad_();
  }
  Tensor y = f(inputs);
  Rng rng(99);
  Tensor w = empty(y.shape(), kFloat64);
  w.uniform_(-1, 1, rng);
  Tensor loss = sum(y * w);
  loss.backward();
  NoGradGuard no_grad;
  auto objective = [&]() { return sum(f(inputs) * w).item<double>(); };
  for (size_t k = 0; k < inputs.size(); ++k) {
    Tensor x = inputs[k];
    Tensor analytic = x.grad();
    ASSERT_TRUE(analytic.defined()) << "input " << k << " got no gradient";
    ASSERT_EQ(analytic.shape(), x.shape());
    const std::vector<double> a = analytic.to_vector<double>();
    double* p = x.data_ptr<double>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      const double saved = p[i];
      p[i] = saved + eps;
      const double up = objective();
      p[i] = saved - eps;
      const double down = objective();
      p[i] = saved;
      const double numeric = (up - down) / (2 * eps);
      EXPECT_NEAR(a[i], numeric, atol + rtol * std::abs(numeric))
          << "input " << k << " element " << i;
    }
  }
}

}  // namespace soma::testing
