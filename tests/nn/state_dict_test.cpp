// The state file format: round trips, and every way a file can be damaged rejected
// with a soma::Error naming the file and the fault; the fuzz target over random and
// mutated buffers.
#include <gtest/gtest.h>

#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/sha256.hpp"
#include "soma/nn.hpp"

// The fuzz target itself, so CI runs it without libFuzzer.
#include "../../fuzz/checkpoint_fuzz.cpp"
#include "fuzz_inputs.hpp"

using namespace soma;
namespace fs = std::filesystem;

namespace {
nn::StateDict sample() {
  nn::StateDict sd;
  sd.insert("w", tensor({1.5f, -2.f, 3.25f, 0.f, 1e-30f, -7.f}, {2, 3}));
  sd.insert("d", tensor({3.141592653589793}).reshape({}));
  sd.insert("n", tensor({int64_t{-4}, int64_t{1} << 40}));
  sd.insert("mask", tensor(std::vector<bool>{true, false, true}));
  sd.insert("empty", zeros({0, 4}));
  return sd;
}

std::string error_of(const std::string& bytes) {
  try {
    nn::deserialize(bytes, "model.soma");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(StateFile, RoundTripKeepsNamesDtypesShapesAndBits) {
  const auto sd = sample();
  const auto back = nn::deserialize(nn::serialize(sd));
  ASSERT_EQ(back.size(), sd.size());
  for (size_t i = 0; i < sd.size(); ++i) {
    const auto& [n, t] = sd.items()[i];
    const auto& [n2, t2] = back.items()[i];
    EXPECT_EQ(n, n2);
    EXPECT_EQ(t.dtype(), t2.dtype());
    EXPECT_EQ(t.shape(), t2.shape());
    EXPECT_EQ(t.to_vector<double>(), t2.to_vector<double>());
  }
  // Non-contiguous tensors are written in row-major order.
  nn::StateDict v;
  v.insert("t", tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3}).t());
  EXPECT_EQ(nn::deserialize(nn::serialize(v)).at("t").to_vector<float>(),
            (std::vector<float>{1.f, 4.f, 2.f, 5.f, 3.f, 6.f}));
  EXPECT_THROW(v.insert("t", ones({1})), Error);
}

TEST(StateFile, ModuleSaveLoadThroughFile) {
  const fs::path dir = fs::temp_directory_path() / ("soma_nn_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  Rng r1(1), r2(2);
  auto m1 = nn::Sequential(nn::Linear(3, 4, true, r1), nn::Tanh(), nn::Linear(4, 2, true, r1));
  auto m2 = nn::Sequential(nn::Linear(3, 4, true, r2), nn::Tanh(), nn::Linear(4, 2, true, r2));
  nn::save(m1, dir / "m.soma");
  nn::load(m2, dir / "m.soma");
  Tensor x = randn({5, 3});
  EXPECT_EQ(m1(x).to_vector<float>(), m2(x).to_vector<float>());
  try {
    nn::Sequential other(nn::Linear(3, 4), nn::Tanh(), nn::Linear(4, 3));
    nn::load(other, dir / "m.soma");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("m.soma"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("2.weight"), std::string::npos) << e.what();
  }
  EXPECT_THROW(nn::load(m2, dir / "missing.soma"), Error);
  fs::remove_all(dir);
}

// The fingerprint soma train and the examples print: the digest of the file save()
// writes (so `sha256sum model.soma` agrees), changed by one ulp of one weight.
TEST(StateFile, Sha256IsThatOfTheSavedFile) {
  const fs::path dir = fs::temp_directory_path() / ("soma_sha_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  Rng rng(5);
  auto m = nn::Sequential(nn::Linear(3, 4, true, rng), nn::Tanh(), nn::Linear(4, 2, true, rng));
  nn::save(m, dir / "m.soma");
  const std::string digest = nn::state_dict_sha256(m);
  EXPECT_EQ(digest, sha256_hex(read_file(dir / "m.soma")));
  EXPECT_EQ(digest, nn::state_dict_sha256(nn::load_state_dict_file(dir / "m.soma")));
  ASSERT_EQ(digest.size(), 64u);
  {
    NoGradGuard no_grad;
    float* w = m.parameters()[0].data_ptr<float>();
    w[0] = std::nextafter(w[0], 1e30f);
  }
  EXPECT_NE(nn::state_dict_sha256(m), digest);
  fs::remove_all(dir);
}

TEST(StateFile, DamagedFilesAreRejectedWithTheReason) {
  const std::string good = nn::serialize(sample());
  auto has = [](const std::string& msg, const std::string& part) {
    return msg.find(part) != std::string::npos && msg.find("model.soma") != std::string::npos;
  };
  EXPECT_TRUE(has(error_of(""), "magic")) << error_of("");
  EXPECT_TRUE(has(error_of("PK\x03\x04 not a state"), "magic"));
  for (size_t cut : {size_t{10}, size_t{30}, good.size() / 2, good.size() - 1}) {
    const std::string msg = error_of(good.substr(0, cut));
    EXPECT_TRUE(has(msg, "truncated")) << cut << ": " << msg;
  }
  EXPECT_TRUE(has(error_of(good + "x"), "trailing data"));
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x10;
  EXPECT_TRUE(has(error_of(flipped), "checksum mismatch"));
  std::string version = good;
  version[8] = 9;
  EXPECT_TRUE(has(error_of(version), "format version 9"));
  std::string crc = good;
  crc.back() ^= 1;
  EXPECT_TRUE(has(error_of(crc), "checksum mismatch"));
}

TEST(StateFile, FuzzTargetSurvivesRandomAndMutatedBuffers) {
  Rng rng(2024);
  const std::string good = nn::serialize(sample());
  auto run = [](const std::string& s) {
    return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  EXPECT_EQ(run(good), 0);
  for (int iter = 0; iter < 2000; ++iter) {
    std::string s;
    if (iter % 4 == 0) {  // random bytes behind a valid magic, or fully random
      const size_t n = rng.below(200);
      s = iter % 8 == 0 ? std::string("SOMASTAT") : std::string();
      for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(rng.below(256)));
    } else {  // a valid file with bytes changed, cut or duplicated
      s = good;
      const int edits = 1 + static_cast<int>(rng.below(4));
      for (int e = 0; e < edits && !s.empty(); ++e) {
        const size_t pos = rng.below(s.size());
        switch (rng.below(3)) {
          case 0:
            s[pos] = static_cast<char>(rng.below(256));
            break;
          case 1:
            s.resize(pos);
            break;
          default:
            s.insert(pos, s.substr(pos, rng.below(16)));
            break;
        }
      }
    }
    EXPECT_EQ(run(s), 0);
  }
}

// A file whose checksum is right but whose structure lies (as a fuzzer finds by
// recomputing the CRC): sizes beyond the payload must be caught, not trusted.
TEST(StateFile, ConsistentChecksumButLyingStructure) {
  nn::StateDict sd;
  sd.insert("w", ones({2, 2}));
  std::string good = nn::serialize(sd);
  // Patch the first size of "w" (after u32 name_len, 'w', u8 dtype, u32 ndim) to 2^40.
  const size_t size_pos = 28 + 4 + 1 + 1 + 4;
  int64_t huge = int64_t{1} << 40;
  std::memcpy(good.data() + size_pos, &huge, 8);
  // Recompute the CRC the honest way: serialize cannot produce this, so rebuild by hand.
  const std::string payload = good.substr(28, good.size() - 32);
  uint32_t crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())));
  std::memcpy(good.data() + good.size() - 4, &crc, 4);
  const std::string msg = error_of(good);
  EXPECT_NE(msg.find("needs more data than the file holds"), std::string::npos) << msg;
}

// What `make fuzz` started from and what it found (fuzz/corpus, fuzz/regressions).
TEST(StateFile, FuzzTargetSurvivesCommittedInputs) {
  const auto inputs = soma::test::committed_fuzz_inputs("checkpoint_fuzz");
  ASSERT_FALSE(inputs.empty()) << "no fuzz/corpus/checkpoint_fuzz";
  for (const auto& s : inputs)
    EXPECT_EQ(LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size()), 0);
}
