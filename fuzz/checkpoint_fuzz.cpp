// libFuzzer target for the state-dict / checkpoint reader: any byte string must
// either load or throw soma::Error, never crash, hang or read out of bounds.
// tests/nn/state_dict_test.cpp includes this file and drives it with random and
// mutated buffers in CI.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "soma/core/error.hpp"
#include "soma/nn/state_dict.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto state =
        soma::nn::deserialize(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    // Touch every value, as loading into a model would.
    volatile double sink = 0;
    for (const auto& [name, t] : state)
      if (t.numel() > 0) sink = sink + t.to(soma::kFloat64).sum().item<double>();
  } catch (const soma::Error&) {
    // Rejected input is the expected outcome for most buffers.
  }
  return 0;
}
