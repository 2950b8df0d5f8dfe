#pragma once
// The perceptron examples' --live: a pass over the training dragons is one step (and one
// epoch) whose loss is the share of them it got wrong; the tutorial's stopping figure, the
// weight change, is shown beside it.
//
//   PerceptronFeed feed(live, options, x_train.size(0));   // before building the perceptron
//   classic::Perceptron perceptron(options);
//   const auto result = perceptron.fit(x_train, y_train);
//   feed.end();
#include <cmath>
#include <cstdint>

#include "soma/classic/perceptron.hpp"
#include "soma/cli/live.hpp"

namespace soma::examples {

class PerceptronFeed {
 public:
  // Sets options.on_iteration (when --live is on) and starts the run on the page.
  PerceptronFeed(const cli::LiveBoard& live, classic::PerceptronOptions& options, int64_t n_train)
      : feed_(live, options.max_iter, 1) {
    if (feed_.on())
      options.on_iteration = [this, n = double(n_train)](int64_t pass, int64_t wrong,
                                                         double change) {
        feed_.batch(pass, 1, double(wrong) / n);
        feed_.epoch(pass, double(wrong) / n, NAN, {{"weight_change", change}});
      };
    feed_.begin();
  }
  PerceptronFeed(const PerceptronFeed&) = delete;
  PerceptronFeed& operator=(const PerceptronFeed&) = delete;
  void end() const { feed_.end(); }

 private:
  cli::LiveLoop feed_;
};

}  // namespace soma::examples
