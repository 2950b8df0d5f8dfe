// TSNE's option checks as scikit-learn 1.2's (TSNE._parameter_constraints): n_iter
// (soma's max_iter) >= 250, angle in [0, 1], learning_rate > 0 or 'auto' (unset),
// early_exaggeration >= 1, min_grad_norm >= 0. soma accepted max_iter from 1, any angle
// and a negative learning rate (which it took for 'auto').
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/embed/tsne.hpp"

using namespace soma::embed;

namespace {

// 30 points on a line in 3 dimensions: enough for perplexity 5.
std::vector<float> points() {
  std::vector<float> x;
  for (int i = 0; i < 30; ++i)
    for (int c = 0; c < 3; ++c) x.push_back(static_cast<float>(i * (c + 1)) * 0.1f);
  return x;
}

// The message of the soma::Error that fit_transform throws ("" when it does not).
std::string error_of(TSNE t) {
  const auto x = points();
  t.perplexity = 5;
  try {
    t.fit_transform(x.data(), 30, 3);
  } catch (const soma::Error& e) {
    return e.what();
  }
  return "";
}

TEST(TsneOptions, RejectedAsScikitLearn) {
  struct Case {
    TSNE t;
    const char* option;
    const char* expected;
  };
  const Case cases[] = {
      {{.max_iter = 249}, "max_iter = 249", "at least 250"},
      {{.max_iter = 0}, "max_iter = 0", "at least 250"},
      {{.angle = -0.01}, "angle = -0.01", "[0, 1]"},
      {{.angle = 1.5}, "angle = 1.5", "[0, 1]"},
      {{.angle = NAN}, "angle = nan", "[0, 1]"},
      {{.learning_rate = -1.0}, "learning_rate = -1", "positive"},
      {{.learning_rate = INFINITY}, "learning_rate = inf", "positive"},
      {{.learning_rate = 0.0}, "learning_rate = 0", "positive"},
      {{.early_exaggeration = 0.5}, "early_exaggeration = 0.5", "at least 1"},
      {{.min_grad_norm = -1e-3}, "min_grad_norm = -0.001", ">= 0"},
  };
  for (const auto& c : cases) {
    const std::string message = error_of(c.t);
    EXPECT_NE(message.find(c.option), std::string::npos) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
  }
}

// The edges scikit-learn accepts: n_iter = 250, angle 0 and 1, early_exaggeration 1.
TEST(TsneOptions, EdgesAccepted) {
  for (const TSNE& t :
       {TSNE{.max_iter = 250}, TSNE{.max_iter = 250, .angle = 0.0},
        TSNE{.max_iter = 250, .angle = 1.0}, TSNE{.early_exaggeration = 1.0, .max_iter = 250}})
    EXPECT_EQ(error_of(t), "");
}

}  // namespace
