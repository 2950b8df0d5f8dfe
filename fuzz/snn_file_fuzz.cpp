// libFuzzer target for `soma snn run`'s model file (apps/soma/snn_model.hpp): any bytes
// must either build a network or throw soma::Error, never crash, hang or read out of
// bounds. A model that builds is run for each of its [[run]] sections that is short.
//
// tests/cli/snn_file_fuzz_test.cpp includes this file with SOMA_FUZZ_NO_MAIN defined and
// replays fuzz/corpus/snn_file_fuzz and fuzz/regressions/snn_file_fuzz plus mutations.
#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "snn_model.hpp"
#include "soma/core/error.hpp"

namespace soma_snn_file_fuzz {

// Sizes a user may rightly ask for (a million neurons, a second of simulated time) but
// that would make one fuzz input take seconds: groups (Poisson groups too) of at most 64 neurons,
// runs of at most 2,000 steps. Everything below these is fuzzed, the library's own checks included.
constexpr int64_t kMaxNeurons = 64;
constexpr double kMaxSteps = 2000;

inline bool small_groups(std::string_view text) {
  try {
    const auto root = toml::parse(text);
    // Every section that makes neurons: spiking groups and Poisson groups.
    for (const char* section : {"group", "poisson_group"})
      if (const auto* groups = root[section].as_array())
        for (const auto& g : *groups)
          if (const auto* t = g.as_table())
            if (auto n = (*t)["N"].value<int64_t>(); n && *n > kMaxNeurons) return false;
  } catch (const toml::parse_error&) {
    // The loader reports it.
  }
  return true;
}

inline int one(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size > 8192 || !small_groups(text)) return 0;
  try {
    auto model = soma::cli::load_snn_model(text, "fuzz.toml");
    for (size_t k = 0; k < model.runs; ++k) {
      const double duration = soma::cli::prepare_snn_run(model, k);
      if (duration > kMaxSteps * model.net->dt()) continue;
      soma::cli::run_snn(model, k, duration, false);
    }
  } catch (const soma::Error&) {
    // Rejected input is the expected outcome for most buffers.
  }
  return 0;
}

}  // namespace soma_snn_file_fuzz

inline int soma_snn_file_fuzz_one(const uint8_t* data, size_t size) {
  return soma_snn_file_fuzz::one(data, size);
}

#ifndef SOMA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return soma_snn_file_fuzz_one(data, size);
}
#endif
