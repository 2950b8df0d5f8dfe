// Runs the NIST reader's fuzz target (fuzz/nist_fuzz.cpp) without libFuzzer: the
// committed inputs and mutations of them. The target swallows soma::Error only; any
// other exception fails the test, and the sanitizer build catches memory errors.
#include <gtest/gtest.h>

#include "fuzz_inputs.hpp"

#define SOMA_FUZZ_NO_MAIN
#include "../../fuzz/nist_fuzz.cpp"

namespace {

TEST(NistFuzz, CommittedAndMutatedInputsNeverCrash) {
  soma::test::replay_fuzz_target("nist_fuzz", soma_nist_fuzz_one, 31, 2000);
}

}  // namespace
