#pragma once
// examples/titanic.cpp's options and entry point: its own main() and `soma example
// titanic` (apps/soma/examples/titanic.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"
#include "soma/cli/live.hpp"

namespace soma::examples::titanic {

struct Options {
  soma::cli::ExampleOptions common{.epochs = 2000};
  std::string data_dir;     // empty: the shared data set, else the current directory
  std::string out_dir;      // empty: the submissions are counted, not written
  int64_t cv = 0;           // folds; 0: no cross-validation
  double valid_size = 0.1;  // the code's test_size; the text's 547/137 is 0.2
  bool accumulate = false;  // the printed loop: no optimizer.zero_grad()
  double lr = 1e-4;         // not in the tutorial: see above
  double weight_decay = 1e-2;
  int64_t shards = 0;  // parts of every batch whose gradients are summed in order; 0: ranks
};

void run(const Options& opt, const soma::cli::LiveBoard& live);

}  // namespace soma::examples::titanic
