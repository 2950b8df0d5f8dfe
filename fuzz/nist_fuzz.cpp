// libFuzzer entry for the NIST StRD .dat reader: any bytes must either parse or
// throw soma::Error, never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "soma/core/error.hpp"
#include "soma/fit/nist.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)soma::fit::parse_nist(std::string_view(reinterpret_cast<const char*>(data), size),
                                "fuzz");
  } catch (const soma::Error&) {
  }
  return 0;
}
