// Runs the libFuzzer target over a few thousand generated inputs so CI (and the
// sanitizer build) exercises it without libFuzzer: seeds from the issue, then
// byte flips, token insertions, truncations and splices from a seeded Rng.
#include <gtest/gtest.h>

#include "../../fuzz/expr_fuzz.cpp"
#include "fuzz_inputs.hpp"

namespace {

const char* kSeeds[] = {
    "dv/dt = -(gl*(v - vl) + ge*(v - ve) + gi*(v - vi) - I)/c : volt\n"
    "dge/dt = -ge/ge_tau : siemens\nI : amp",
    "dv/dt = (I_syn - v/R)/c : volt (unless refractory)\nI_syn = g*(E - v) : amp\nc = 100*pF",
    "dx/dt = sigma*(y-x); dy/dt = x*(rho-z)-y; dz/dt = x*y-beta*z",
    "v > -40*mV and not (x <= 2**-1)",
    "v = vl; ge_post += w_ge; x *= 2; y /= 3 # comment",
    "init*exp(-x/tau) + clip(x, 0, 1) + abs(x) % 3 // 2",
    "-v/tau + sigma*xi/sqrt(tau) + rand() + randn() + int(x) + sign(x)",
    "siemens/meter**2",
    "log(x)*log10(y) - sin(x)*cos(y)*tan(z)*tanh(w) + floor(a) - ceil(b) + 8/3 + 1e-3",
};

const char* kTokens[] = {
    "(",        ")",     "**",    "*",    "/",     "//",     "%",
    "+",        "-",     "=",     "+=",   ":",     ";",      "\n",
    "#",        ",",     "<",     ">=",   "==",    "!=",     " and ",
    " or ",     " not ", "dv/dt", "exp(", "clip(", "rand()", "xi",
    "mV",       "volt",  "1e308", "0",    "1",     ".5",     "(unless refractory)",
    "\xC2\xB5", "\xff",  "x",     "v"};

}  // namespace

TEST(ExprFuzz, ThousandsOfMutatedInputsNeverCrash) {
  soma::Rng rng(2024);
  std::vector<std::string> corpus(std::begin(kSeeds), std::end(kSeeds));
  int runs = 0;
  for (const auto& s : corpus) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  for (int i = 0; i < 3000; ++i) {
    std::string s = corpus[rng.below(corpus.size())];
    const int edits = 1 + static_cast<int>(rng.below(4));
    for (int k = 0; k < edits; ++k) {
      const size_t pos = s.empty() ? 0 : rng.below(s.size() + 1);
      switch (rng.below(5)) {
        case 0:  // flip a byte
          if (!s.empty()) s[std::min(pos, s.size() - 1)] = static_cast<char>(rng.below(256));
          break;
        case 1:  // insert a token
          s.insert(pos, kTokens[rng.below(std::size(kTokens))]);
          break;
        case 2:  // delete a stretch
          if (!s.empty()) s.erase(std::min(pos, s.size() - 1), 1 + rng.below(8));
          break;
        case 3:  // truncate
          s.resize(pos);
          break;
        case 4: {  // splice with another input
          const std::string& o = corpus[rng.below(corpus.size())];
          s = s.substr(0, pos) + o.substr(std::min(o.size(), pos));
          break;
        }
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
    if (corpus.size() < 200 && rng.below(10) == 0) corpus.push_back(s);
  }
  // Purely random bytes too.
  for (int i = 0; i < 500; ++i) {
    std::string s(rng.below(64), '\0');
    for (auto& c : s) c = static_cast<char>(rng.below(256));
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  EXPECT_EQ(runs, static_cast<int>(std::size(kSeeds)) + 3500);
}

TEST(ExprFuzz, DeepAndLargeInputsAreRefusedNotCrashed) {
  for (const std::string& s :
       {std::string(100000, '('), std::string(100000, '-') + "x", std::string(50000, 'x'), [] {
          std::string c = "x";
          for (int i = 0; i < 190; ++i) c = "(" + c + ")**x";
          return c;
        }()}) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  SUCCEED();
}

// What `make fuzz` started from and what it found (fuzz/corpus, fuzz/regressions).
TEST(ExprFuzz, CommittedInputsNeverCrash) {
  const auto inputs = soma::test::committed_fuzz_inputs("expr_fuzz");
  ASSERT_FALSE(inputs.empty()) << "no fuzz/corpus/expr_fuzz";
  for (const auto& s : inputs)
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
