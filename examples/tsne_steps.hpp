#pragma once
// `soma example tsne --steps`: the tutorial's look under scikit-learn's hood, stage by
// stage (tsne_steps.cpp).
#include <cstdint>
#include <string>

namespace soma::examples::tsne {

struct StepsOptions {
  std::string data_dir;
  int64_t n = 1000;
  double perplexity = 30.0;
  bool json = false;
  std::string plot_dir;  // empty: no figures
};
void run_steps(const StepsOptions& options);

}  // namespace soma::examples::tsne
