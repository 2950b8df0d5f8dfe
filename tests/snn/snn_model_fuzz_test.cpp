// Runs the snn model fuzz target (fuzz/snn_model_fuzz.cpp) without libFuzzer: the
// committed inputs and mutations of them, each a 3-neuron network run for 2 ms when it
// builds. Only soma::Error may come out; the sanitizer build catches memory errors.
#include <gtest/gtest.h>

#include "fuzz_inputs.hpp"

#define SOMA_FUZZ_NO_MAIN
#include "../../fuzz/snn_model_fuzz.cpp"

namespace {

TEST(SnnModelFuzz, CommittedAndMutatedInputsNeverCrash) {
  soma::test::replay_fuzz_target("snn_model_fuzz", soma_snn_model_fuzz_one, 37, 400);
}

}  // namespace
