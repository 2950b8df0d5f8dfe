// libFuzzer target for the `soma train --config` parser: any byte string must either
// give a configuration or throw soma::Error, never crash or hang.
//
//   clang++ -std=c++20 -fsanitize=fuzzer,address -Iinclude -Iapps/soma fuzz/config_fuzz.cpp
//       apps/soma/train_config.cpp -Lbuild/src -lsoma $(pkg-config --cflags --libs tomlplusplus)
//
// tests/cli/config_test.cpp includes this file with SOMA_FUZZ_NO_MAIN defined and feeds it
// mutations of real configurations, so CI runs it without libFuzzer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "soma/core/error.hpp"
#include "train_config.hpp"

inline int soma_config_fuzz_one(const uint8_t* data, size_t size) {
  try {
    const auto config = soma::cli::parse_train_config(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    // Building the network exercises every layer's parameters; it must reject what it
    // cannot build with soma::Error rather than allocate without bound, so keep sizes sane.
    bool small = true;
    for (const auto& l : config.layers)
      small =
          small && l.in <= 64 && l.out <= 64 && l.kernel <= 8 && l.stride <= 8 && l.padding <= 8;
    if (small && config.layers.size() <= 16) {
      soma::Rng rng(1);
      (void)soma::cli::build_model(config, rng);
    }
  } catch (const soma::Error&) {
    // Rejected input is the expected outcome for most buffers.
  }
  return 0;
}

#ifndef SOMA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return soma_config_fuzz_one(data, size);
}
#endif
