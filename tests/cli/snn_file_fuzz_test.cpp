// Runs the `soma snn run` model-file fuzz target (fuzz/snn_file_fuzz.cpp) without
// libFuzzer: the committed inputs and mutations of them. Only soma::Error may come
// out of loading and running a model; the sanitizer build catches memory errors.
#include <gtest/gtest.h>

#include "fuzz_inputs.hpp"

#define SOMA_FUZZ_NO_MAIN
#include "snn_file_fuzz.cpp"

namespace {

void run(const std::string& s) {
  soma_snn_file_fuzz_one(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(SnnFileFuzz, CommittedAndMutatedInputsNeverCrash) {
  const auto inputs = soma::test::committed_fuzz_inputs("snn_file_fuzz");
  ASSERT_FALSE(inputs.empty()) << "no fuzz/corpus/snn_file_fuzz";
  for (const auto& s : inputs) run(s);
  soma::Rng rng(43);
  for (int i = 0; i < 300; ++i)
    run(soma::test::mutate(inputs[rng.below(inputs.size())], inputs, rng));
}

}  // namespace
