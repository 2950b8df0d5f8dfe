// Runs the NIST reader's fuzz target (fuzz/nist_fuzz.cpp) without libFuzzer: the
// committed inputs and mutations of them. The target swallows soma::Error only; any
// other exception fails the test, and the sanitizer build catches memory errors.
#include <gtest/gtest.h>

#include "fuzz_inputs.hpp"

#define SOMA_FUZZ_NO_MAIN
#include "../../fuzz/nist_fuzz.cpp"

namespace {

void run(const std::string& s) {
  soma_nist_fuzz_one(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(NistFuzz, CommittedAndMutatedInputsNeverCrash) {
  const auto inputs = soma::test::committed_fuzz_inputs("nist_fuzz");
  ASSERT_FALSE(inputs.empty()) << "no fuzz/corpus/nist_fuzz";
  for (const auto& s : inputs) run(s);
  soma::Rng rng(31);
  for (int i = 0; i < 2000; ++i)
    run(soma::test::mutate(inputs[rng.below(inputs.size())], inputs, rng));
}

}  // namespace
