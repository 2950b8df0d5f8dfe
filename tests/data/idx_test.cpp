// IDX reader: round trips of hand-built files, every validation check by name, the
// real Fashion-MNIST files, and the fuzz target driven by random and mutated buffers.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "fuzz_inputs.hpp"
#include "soma/core/error.hpp"
#include "soma/core/random.hpp"
#include "soma/data/idx.hpp"

// The fuzz target itself, so CI runs it without libFuzzer.
#define SOMA_FUZZ_NO_MAIN
#include "../../fuzz/idx_fuzz.cpp"
#include "required_data.hpp"

namespace {

using soma::data::IdxType;

std::string be32(uint32_t v) {
  std::string s(4, '\0');
  s[0] = static_cast<char>(v >> 24);
  s[1] = static_cast<char>(v >> 16);
  s[2] = static_cast<char>(v >> 8);
  s[3] = static_cast<char>(v);
  return s;
}

std::string header(uint8_t type, std::initializer_list<uint32_t> dims) {
  std::string s = {'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) s += be32(d);
  return s;
}

std::string gzip(const std::string& plain) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, plain.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  zs.avail_in = static_cast<uInt>(plain.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string error_of(const std::string& content) {
  try {
    soma::data::parse_idx(content, "file.idx");
  } catch (const soma::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Idx, ParsesUint8Images) {
  std::string f = header(0x08, {2, 2, 3});
  for (int i = 0; i < 12; ++i) f += static_cast<char>(i * 20);
  const auto a = soma::data::parse_idx(f);
  EXPECT_EQ(a.type, IdxType::u8);
  EXPECT_EQ(a.dims, (std::vector<int64_t>{2, 2, 3}));
  ASSERT_EQ(a.size(), 12);
  const auto px = soma::data::idx_to_float(a);
  EXPECT_FLOAT_EQ(px[0], 0.0f);
  EXPECT_FLOAT_EQ(px[11], 220.0f / 255.0f);
}

TEST(Idx, ParsesBigEndianMultiByteTypes) {
  std::string f = header(0x0C, {2}) + be32(static_cast<uint32_t>(-7)) + be32(123456);
  auto a = soma::data::parse_idx(f);
  EXPECT_EQ(soma::data::idx_to_labels(a), (std::vector<int64_t>{-7, 123456}));
  float x = 1.5f;
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  a = soma::data::parse_idx(header(0x0D, {1}) + be32(bits));
  EXPECT_EQ(a.at(0), 1.5);
  std::string s16 = header(0x0B, {1});
  s16 += static_cast<char>(0xFF);
  s16 += static_cast<char>(0xFE);
  EXPECT_EQ(soma::data::parse_idx(s16).at(0), -2.0);
  EXPECT_THROW(soma::data::idx_to_labels(soma::data::parse_idx(header(0x0D, {1}) + be32(bits))),
               soma::Error);
  // Images are not labels: 2 samples of 2 x 3 pixels.
  try {
    soma::data::idx_to_labels(
        soma::data::parse_idx(header(0x08, {2, 2, 3}) + std::string(12, '\1')), "images");
    ADD_FAILURE() << "a 3-D array accepted as labels";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("images: expected one label per sample (a 1-D array), "
                                         "found a 2 x 2 x 3 array"),
              std::string::npos)
        << e.what();
  }
}

TEST(Idx, GzipEqualsPlain) {
  std::string f = header(0x08, {3, 4});
  for (int i = 0; i < 12; ++i) f += static_cast<char>(i);
  const auto plain = soma::data::parse_idx(f);
  const auto packed = soma::data::parse_idx(gzip(f));
  EXPECT_EQ(plain.dims, packed.dims);
  EXPECT_EQ(plain.bytes, packed.bytes);
}

TEST(Idx, EachCheckIsNamed) {
  EXPECT_NE(error_of("\0\0").find("file.idx: invalid IDX file: header"), std::string::npos);
  EXPECT_NE(error_of(std::string("\1\0\x08\x01", 4) + be32(0)).find("magic number: the first"),
            std::string::npos);
  EXPECT_NE(error_of(header(0x07, {1}) + "x").find("unknown type code 7"), std::string::npos);
  EXPECT_NE(error_of(std::string("\0\0\x08\0", 4)).find("number of dimensions is 0"),
            std::string::npos);
  EXPECT_NE(error_of(header(0x08, {1, 2}).substr(0, 9)).find("dimensions: header needs 12"),
            std::string::npos);
  EXPECT_NE(error_of(header(0x08, {2, 3}) + "12345")
                .find("file length: 2x3 uint8 elements need "
                      "18 bytes, file has 17"),
            std::string::npos);
  EXPECT_NE(error_of(header(0x0E, {0xFFFFFFFF, 0xFFFFFFFF})).find("impossibly large"),
            std::string::npos);
  std::string g = gzip(header(0x08, {4}) + "abcd");
  EXPECT_NE(error_of(g.substr(0, g.size() - 6)).find("gzip stream is truncated"),
            std::string::npos);
  // A wrong CRC in the trailer; a flipped data byte, which the header check may see first.
  std::string crc = g;
  crc[crc.size() - 8] = static_cast<char>(crc[crc.size() - 8] ^ 0x55);
  EXPECT_NE(error_of(crc).find("gzip stream is corrupt"), std::string::npos) << error_of(crc);
  g[12] = static_cast<char>(g[12] ^ 0x55);
  EXPECT_NE(error_of(g).find("file.idx: invalid IDX file: "), std::string::npos) << error_of(g);
}

// A gzip file is read header first: it gets no more memory than its header states, and a
// stream that goes on past that is refused without inflating the rest.
TEST(Idx, GzipIsReadHeaderFirst) {
  const auto a = soma::data::parse_idx(gzip(header(0x08, {2, 2}) + "abcd"));
  EXPECT_EQ(a.bytes, std::vector<uint8_t>({'a', 'b', 'c', 'd'}));
  EXPECT_NE(error_of(gzip(header(0x08, {2, 2}) + "abcd" + std::string(1 << 20, '\0')))
                .find("file length: 2x2 uint8 elements need 16 bytes, file has more (its gzip "
                      "data holds bytes beyond them)"),
            std::string::npos);
  EXPECT_NE(error_of(gzip(header(0x08, {2, 2}) + "abc"))
                .find("2x2 uint8 elements need 16 bytes, file has 15"),
            std::string::npos);
  // Zeros: refused at the magic number's type code, whatever follows.
  EXPECT_NE(error_of(gzip(std::string(1 << 20, '\0'))).find("unknown type code 0"),
            std::string::npos);
  // A header promising more than the gzip data can hold (deflate expands at most 1032:1)
  // is refused before anything is allocated.
  const std::string huge = error_of(gzip(header(0x0E, {0xFFFFFFFF, 0x3FFFF}) + "x"));
  EXPECT_NE(huge.find("elements need 9007164892905492 bytes, file has at most"), std::string::npos)
      << huge;
  EXPECT_NE(huge.find("at most 1032 times"), std::string::npos) << huge;
}

TEST(Idx, MissingFileNamesPath) {
  try {
    soma::data::read_idx("/nonexistent/file-idx3-ubyte");
    FAIL();
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/file-idx3-ubyte"), std::string::npos);
  }
}

TEST(Idx, FashionMnistTestSet) {
  const std::filesystem::path dir = "/usr/share/datasets/fashion-mnist";
  SOMA_REQUIRE_DATA(std::filesystem::exists(dir / "t10k-labels-idx1-ubyte.gz"),
                    "Fashion-MNIST (Debian package dataset-fashion-mnist)");
  const auto images = soma::data::read_idx(dir / "t10k-images-idx3-ubyte.gz");
  EXPECT_EQ(images.dims, (std::vector<int64_t>{10000, 28, 28}));
  const auto labels =
      soma::data::idx_to_labels(soma::data::read_idx(dir / "t10k-labels-idx1-ubyte.gz"));
  ASSERT_EQ(labels.size(), 10000u);
  // The published order of the Fashion-MNIST test set starts 9 (ankle boot), 2, 1, 1, 6.
  EXPECT_EQ(std::vector<int64_t>(labels.begin(), labels.begin() + 5),
            (std::vector<int64_t>{9, 2, 1, 1, 6}));
  std::vector<int> counts(10, 0);
  for (auto l : labels) ++counts.at(static_cast<size_t>(l));
  for (int c : counts) EXPECT_EQ(c, 1000);  // the test set is balanced: 1,000 per class
  const auto px = soma::data::idx_to_float(images);
  for (float v : px) ASSERT_TRUE(v >= 0.0f && v <= 1.0f);
}

// Random buffers, and valid files with bytes flipped, truncated or extended: the fuzz
// target must return (it swallows only soma::Error; anything else fails the test).
TEST(Idx, FuzzTargetSurvivesRandomAndMutatedInput) {
  soma::Rng rng(7);
  std::string valid = header(0x0B, {3, 5});
  for (int i = 0; i < 30; ++i) valid += static_cast<char>(rng.below(256));
  const std::vector<std::string> seeds = {valid, gzip(valid), header(0x08, {1}) + "x"};
  for (int trial = 0; trial < 20000; ++trial) {
    std::string buf;
    if (trial % 4 == 0) {
      buf.resize(rng.below(64));
      for (auto& c : buf) c = static_cast<char>(rng.below(256));
    } else {
      buf = seeds[rng.below(seeds.size())];
      const int edits = 1 + static_cast<int>(rng.below(4));
      for (int e = 0; e < edits; ++e) {
        const uint64_t kind = rng.below(3);
        if (kind == 0 && !buf.empty())
          buf[rng.below(buf.size())] = static_cast<char>(rng.below(256));
        else if (kind == 1 && !buf.empty())
          buf.resize(rng.below(buf.size()));
        else
          buf += static_cast<char>(rng.below(256));
      }
    }
    ASSERT_EQ(soma_idx_fuzz_one(reinterpret_cast<const uint8_t*>(buf.data()), buf.size()), 0);
  }
}

// What `make fuzz` started from and what it found (fuzz/corpus, fuzz/regressions).
TEST(Idx, FuzzTargetSurvivesCommittedInputs) {
  const auto inputs = soma::test::committed_fuzz_inputs("idx_fuzz");
  ASSERT_FALSE(inputs.empty()) << "no fuzz/corpus/idx_fuzz";
  for (const auto& s : inputs)
    ASSERT_EQ(soma_idx_fuzz_one(reinterpret_cast<const uint8_t*>(s.data()), s.size()), 0);
}

}  // namespace
