// libFuzzer target for a saved preprocessing pipeline (pipeline.json in a run directory,
// soma::data::Pipeline::deserialize): any byte string must either load or throw
// soma::Error, never crash, hang or read out of bounds. What loads is then applied to a
// small frame with its input columns, as `soma predict` would, which must also end in a
// result or a soma::Error.
//
// tests/data/pipeline_test.cpp includes this file with SOMA_FUZZ_NO_MAIN defined and
// replays fuzz/corpus/pipeline_fuzz and fuzz/regressions/pipeline_fuzz with mutations.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/data/pipeline.hpp"

inline int soma_pipeline_fuzz_one(const uint8_t* data, size_t size) {
  try {
    const auto p = soma::data::Pipeline::deserialize(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    // Three rows per input column, numeric or text by the input's first byte, one missing.
    const bool text = size > 0 && (data[0] & 1);
    std::vector<soma::data::Column> cols;
    for (const auto& name : p.inputs()) {
      if (text)
        cols.push_back(soma::data::Column::text(name, {"a", "b", "a"}));
      else
        cols.push_back(soma::data::Column::numeric(name, {1.0, std::nan(""), 2.0}));
    }
    const soma::data::DataFrame frame(std::move(cols));
    (void)p.features(p.transform(frame), "fuzz");
  } catch (const soma::Error&) {
    // Rejected input is the expected outcome for most buffers.
  }
  return 0;
}

#ifndef SOMA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return soma_pipeline_fuzz_one(data, size);
}
#endif
