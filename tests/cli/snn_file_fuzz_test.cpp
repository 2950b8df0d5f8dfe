// Runs the `soma snn run` model-file fuzz target (fuzz/snn_file_fuzz.cpp) without
// libFuzzer: the committed inputs and mutations of them. Only soma::Error may come
// out of loading and running a model; the sanitizer build catches memory errors.
#include <gtest/gtest.h>

#include "fuzz_inputs.hpp"

#define SOMA_FUZZ_NO_MAIN
#include "snn_file_fuzz.cpp"

namespace {

TEST(SnnFileFuzz, CommittedAndMutatedInputsNeverCrash) {
  soma::test::replay_fuzz_target("snn_file_fuzz", soma_snn_file_fuzz_one, 43, 300);
}

}  // namespace
