#pragma once
// examples/tsne.cpp's options and entry point: its own main() and `soma example
// tsne` (apps/soma/examples/tsne.cpp) both call run().
#include <cstdint>
#include <string>

#include "soma/cli/example.hpp"

namespace soma::examples::tsne {

struct Options {
  soma::cli::ExampleOptions common;
  int64_t n = 1000;
  std::string method = "auto";  // fft from 100,000 images, Barnes-Hut below
  double perplexity = 30.0;
  bool steps = false;
  int max_iter = 1000;
  std::string out;  // empty: the embedding is not saved
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
};

void run(const Options& opt);

}  // namespace soma::examples::tsne
