// log_softmax and cross_entropy in float32 do not move when every logit of a row is
// shifted by the same amount, as in PyTorch: values from tests/reference/
// torch_softmax_shift.py (torch 1.13), and test_nn.py's test_log_softmax_big
// (small integers plus 1e7 give the same log_softmax). soma formed max + log(sum)
// in float and subtracted it from x: at an offset of 1e5 the sum's rounding (ulp
// 0.0078) moved the loss by up to 1 %.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "soma/nn.hpp"

using namespace soma;

namespace {

// torch.float32 log_softmax of {{0.5, -1.25, 2, 0.75}, {3, 3, -2.5, 1}} (+ 0 or 1e5, both
// exactly representable), and cross_entropy with targets {2, 3}.
const float kLogSoftmax[8] = {-1.9372280836105347f, -3.687228202819824f,  -0.43722808361053467f,
                              -1.6872280836105347f, -0.7605356574058533f, -0.7605356574058533f,
                              -6.260535717010498f,  -2.760535717010498f};
const float kCrossEntropy = 1.59888196f;

Tensor logits(float offset) {
  const float v[8] = {0.5f, -1.25f, 2.0f, 0.75f, 3.0f, 3.0f, -2.5f, 1.0f};
  std::vector<float> x(v, v + 8);
  for (float& e : x) e += offset;
  return tensor(std::span<const float>(x), {2, 4});
}

TEST(SoftmaxShift, LogSoftmaxMatchesTorchAtAnyOffset) {
  for (float offset : {0.0f, 1e5f}) {
    const auto got = log_softmax(logits(offset), 1).to_vector<float>();
    ASSERT_EQ(got.size(), 8u);
    // float32 rounding of (x - max) - log(sum): a few ulp of the result.
    for (size_t i = 0; i < 8; ++i)
      EXPECT_NEAR(got[i], kLogSoftmax[i], 4e-7f * std::abs(kLogSoftmax[i])) << offset << " " << i;
  }
}

TEST(SoftmaxShift, CrossEntropyMatchesTorchAtAnyOffset) {
  const Tensor target = tensor({int64_t{2}, int64_t{3}});
  for (float offset : {0.0f, 1e5f}) {
    const float got = cross_entropy(logits(offset), target).to_vector<float>()[0];
    EXPECT_NEAR(got, kCrossEntropy, 4e-7f * kCrossEntropy) << offset;
  }
}

// test_log_softmax_big: x_small = randint(100), x_big = x_small + 1e7 (both exact in
// float32); assertEqual(log_softmax(x_small), log_softmax(x_big)).
TEST(SoftmaxShift, LogSoftmaxBigEqualsSmall) {
  std::vector<float> small(3 * 100), big(small.size());
  for (size_t i = 0; i < small.size(); ++i) {
    small[i] = static_cast<float>((i * 37 + 11) % 100);
    big[i] = small[i] + 1e7f;
  }
  const auto a = log_softmax(tensor(std::span<const float>(small), {3, 100}), 1).to_vector<float>();
  const auto b = log_softmax(tensor(std::span<const float>(big), {3, 100}), 1).to_vector<float>();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]) << i;
}

}  // namespace
