// libFuzzer entry for the NIST StRD .dat reader: any bytes must either parse or
// throw soma::Error, never crash or hang.
//
// tests/fit/nist_fuzz_test.cpp includes this file with SOMA_FUZZ_NO_MAIN defined and
// replays fuzz/corpus/nist_fuzz and fuzz/regressions/nist_fuzz plus mutations of them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "soma/core/error.hpp"
#include "soma/fit/nist.hpp"

inline int soma_nist_fuzz_one(const uint8_t* data, size_t size) {
  try {
    (void)soma::fit::parse_nist(std::string_view(reinterpret_cast<const char*>(data), size),
                                "fuzz");
  } catch (const soma::Error&) {
  }
  return 0;
}

#ifndef SOMA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return soma_nist_fuzz_one(data, size);
}
#endif
