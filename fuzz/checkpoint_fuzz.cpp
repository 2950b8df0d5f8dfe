// libFuzzer target for the state-dict / checkpoint reader: any byte string must
// either load or throw soma::Error, never crash, hang or read out of bounds.
// tests/nn/state_dict_test.cpp includes this file and drives it with random and
// mutated buffers and the committed inputs (fuzz/corpus/checkpoint_fuzz,
// fuzz/regressions/checkpoint_fuzz) in CI.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "soma/core/error.hpp"
#include "soma/nn/state_dict.hpp"

// A mutation almost never keeps the CRC-32 right, so the fuzzer would only ever reach
// "checksum mismatch". The checksum is recomputed over what the header's layout makes
// the payload (28 header bytes, the CRC in the last 4), so the entry parser behind it is
// fuzzed; the checksum test itself is in tests/nn/state_dict_test.cpp.
inline std::string with_checksum(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  constexpr size_t kHeader = 28;
  if (size >= kHeader + 4 && bytes.starts_with("SOMASTAT")) {
    const uLong crc =
        crc32(crc32(0L, Z_NULL, 0), data + kHeader, static_cast<uInt>(size - kHeader - 4));
    const auto crc32_le = static_cast<uint32_t>(crc);
    std::memcpy(bytes.data() + size - 4, &crc32_le, 4);
  }
  return bytes;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto state = soma::nn::deserialize(with_checksum(data, size), "fuzz");
    // Touch every value, as loading into a model would.
    volatile double sink = 0;
    for (const auto& [name, t] : state)
      if (t.numel() > 0) sink = sink + t.to(soma::kFloat64).sum().item<double>();
  } catch (const soma::Error&) {
    // Rejected input is the expected outcome for most buffers.
  }
  return 0;
}
