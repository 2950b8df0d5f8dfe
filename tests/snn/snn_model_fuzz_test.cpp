// Runs the snn model fuzz target (fuzz/snn_model_fuzz.cpp) without libFuzzer: the
// committed inputs and mutations of them, each a 3-neuron network run for 2 ms when it
// builds. Only soma::Error may come out; the sanitizer build catches memory errors.
#include <gtest/gtest.h>

#include "fuzz_inputs.hpp"

#define SOMA_FUZZ_NO_MAIN
#include "../../fuzz/snn_model_fuzz.cpp"

namespace {

void run(const std::string& s) {
  soma_snn_model_fuzz_one(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(SnnModelFuzz, CommittedAndMutatedInputsNeverCrash) {
  const auto inputs = soma::test::committed_fuzz_inputs("snn_model_fuzz");
  ASSERT_FALSE(inputs.empty()) << "no fuzz/corpus/snn_model_fuzz";
  for (const auto& s : inputs) run(s);
  soma::Rng rng(37);
  for (int i = 0; i < 400; ++i)
    run(soma::test::mutate(inputs[rng.below(inputs.size())], inputs, rng));
}

}  // namespace
