// Runs the CSV fuzz target (fuzz/csv_fuzz.cpp) on a few thousand generated inputs so
// CI exercises it without libFuzzer: random bytes over a CSV-heavy alphabet, and
// mutations (flips, insertions, deletions, splices) of well-formed files. The target
// swallows soma::Error only; any other exception fails the test, and the sanitizer
// build catches memory errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fuzz_inputs.hpp"
#include "soma/core/random.hpp"
#include "soma/data/csv.hpp"

#define SOMA_FUZZ_NO_MAIN
#include "../../fuzz/csv_fuzz.cpp"

namespace {

int run(const std::string& s) {
  return soma_csv_fuzz_one(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Whether the reader accepts `s` with the options the fuzz target picks for it.
bool parses(const std::string& s) {
  soma::data::CsvOptions o;
  if (!s.empty()) {
    if (static_cast<uint8_t>(s[0]) & 1) o.delimiter = ';';
    if (static_cast<uint8_t>(s[0]) & 2) o.na_values = {""};
  }
  try {
    (void)soma::data::read_csv_string(s, o, "fuzz");
    return true;
  } catch (const soma::Error&) {
    return false;
  }
}

const std::vector<std::string> kSeeds = {
    "PassengerId,Survived,Name,Age,Cabin\r\n1,0,\"Braund, Mr. Owen Harris\",22,\r\n"
    "2,1,\"McGowan, Miss. Anna \"\"Annie\"\"\",,C85\r\n",
    "a;b;c\n1;2;3\n4;\"5;6\";7\n",
    "x\n1\n\n2\nNA\n",
    "h1,h2\n\"multi\nline\",1e300\n-inf,+3\n",
};

}  // namespace

TEST(CsvFuzz, RandomAndMutatedInputsNeverCrash) {
  soma::Rng rng(20261123);
  const std::string alphabet = "\",;\r\n ab1.-+eE0\"\"NaN\xEF\xBB\xBF\t";
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string s(rng.below(64), '\0');
    for (char& c : s)
      c = rng.below(8) == 0 ? static_cast<char>(rng.below(256))
                            : alphabet[rng.below(alphabet.size())];
    run(s);
    (parses(s) ? accepted : rejected)++;
  }
  for (int i = 0; i < 2500; ++i) {
    std::string s = kSeeds[rng.below(kSeeds.size())];
    const int edits = 1 + static_cast<int>(rng.below(4));
    for (int e = 0; e < edits && !s.empty(); ++e) {
      const size_t at = rng.below(s.size());
      switch (rng.below(4)) {
        case 0:
          s[at] = static_cast<char>(rng.below(256));
          break;
        case 1:
          s.insert(at, 1, alphabet[rng.below(alphabet.size())]);
          break;
        case 2:
          s.erase(at, 1 + rng.below(3));
          break;
        default:
          s.insert(at, kSeeds[rng.below(kSeeds.size())].substr(0, rng.below(20)));
      }
    }
    run(s);
    (parses(s) ? accepted : rejected)++;
  }
  // Both paths were exercised, so the target saw real frames as well as errors.
  EXPECT_GT(accepted, 500);
  EXPECT_GT(rejected, 200);
}

// What `make fuzz` started from and what it found (fuzz/corpus, fuzz/regressions).
TEST(CsvFuzz, CommittedInputsNeverCrash) {
  const auto inputs = soma::test::committed_fuzz_inputs("csv_fuzz");
  ASSERT_FALSE(inputs.empty()) << "no fuzz/corpus/csv_fuzz";
  for (const auto& s : inputs) run(s);
}
