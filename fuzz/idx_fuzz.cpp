// libFuzzer target for the IDX reader: any byte string must either parse or throw
// soma::Error, never crash, hang or read out of bounds.
//
//   clang++ -fsanitize=fuzzer,address -Iinclude fuzz/idx_fuzz.cpp src/data/idx.cpp ... -lz
//
// tests/data/idx_test.cpp includes this file with SOMA_FUZZ_NO_MAIN defined and calls
// soma_idx_fuzz_one on random and mutated buffers, so CI runs it without libFuzzer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "soma/core/error.hpp"
#include "soma/data/idx.hpp"

inline int soma_idx_fuzz_one(const uint8_t* data, size_t size) {
  try {
    const auto array =
        soma::data::parse_idx(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    // Touch every element through the typed accessors, as a user would.
    const auto values = soma::data::idx_to_float(array);
    volatile float sink = 0;
    for (float v : values) sink = sink + v;
    if (array.type != soma::data::IdxType::f32 && array.type != soma::data::IdxType::f64)
      (void)soma::data::idx_to_labels(array, "fuzz");
  } catch (const soma::Error&) {
    // Rejected input is the expected outcome for most buffers.
  }
  return 0;
}

#ifndef SOMA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return soma_idx_fuzz_one(data, size);
}
#endif
