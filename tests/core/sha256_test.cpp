// SHA-256 against the FIPS 180-2 appendix B examples, the padding boundaries (lengths
// around 55/56/64 bytes, checked with coreutils' sha256sum) and incremental updates.
#include <gtest/gtest.h>

#include <string>

#include "soma/core/random.hpp"
#include "soma/core/sha256.hpp"

namespace {

std::string hex(const std::array<uint8_t, 32>& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace

TEST(Sha256, Fips180Vectors) {
  EXPECT_EQ(soma::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(soma::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(soma::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(soma::sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklm"
                             "nopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(soma::sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Where the padding needs one block or two (printf x | sha256sum).
TEST(Sha256, PaddingBoundaries) {
  const std::pair<size_t, const char*> cases[] = {
      {55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
      {56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
      {63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
      {64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
      {65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
      {119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"},
      {120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"}};
  for (const auto& [n, want] : cases) EXPECT_EQ(soma::sha256_hex(std::string(n, 'x')), want) << n;
}

TEST(Sha256, PiecesGiveTheDigestOfTheWhole) {
  soma::Rng rng(3);
  std::string data(1000, '\0');
  for (auto& c : data) c = static_cast<char>(rng.below(256));
  for (size_t piece : {1, 7, 63, 64, 65, 333}) {
    soma::Sha256 s;
    for (size_t i = 0; i < data.size(); i += piece)
      s.update(std::string_view(data).substr(i, piece));
    EXPECT_EQ(hex(s.finish()), soma::sha256_hex(data)) << piece;
  }
}
