#pragma once
// SHA-256 (FIPS 180-4), to fingerprint saved weights: two runs that should be identical
// bit for bit print the same digest, and `sha256sum model.soma` gives it too.
//
//   soma::sha256_hex("abc")  // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace soma {

// Incremental hashing, for data that arrives in pieces.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // The digest of everything given; the object must not be updated afterwards.
  std::array<uint8_t, 32> finish();

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes given so far
};

std::array<uint8_t, 32> sha256(std::string_view bytes);
// The digest as 64 lower-case hex digits, as sha256sum prints it.
std::string sha256_hex(std::string_view bytes);

}  // namespace soma
