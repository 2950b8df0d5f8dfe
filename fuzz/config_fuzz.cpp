// libFuzzer target for the training configuration parser (soma::train::Config, what
// `soma train --config` reads): any byte string must either give a configuration or throw
// soma::Error, never crash or hang.
//
//   clang++ -std=c++20 -fsanitize=fuzzer,address -Iinclude fuzz/config_fuzz.cpp
//       -Lbuild/src -lsoma
//
// tests/train/config_test.cpp includes this file with SOMA_FUZZ_NO_MAIN defined and feeds it
// mutations of real configurations, so CI runs it without libFuzzer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "soma/core/error.hpp"
#include "soma/train/config.hpp"
#include "soma/train/model_factory.hpp"

inline int soma_config_fuzz_one(const uint8_t* data, size_t size) {
  try {
    const auto config = soma::train::Config::from_toml(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    // Building the network exercises every layer's parameters; it must reject what it
    // cannot build with soma::Error rather than allocate without bound, so keep sizes sane.
    bool small = true;
    for (const auto& l : config.layers)
      small =
          small && l.in <= 64 && l.out <= 64 && l.kernel <= 8 && l.stride <= 8 && l.padding <= 8;
    if (small && config.layers.size() <= 16) {
      soma::Rng rng(1);
      (void)soma::train::build_model(config, rng);
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
