#pragma once
// One preprocessing step of a data::Pipeline (soma/data/pipeline.hpp) as a configuration
// states it; apart from the Pipeline so that train/config.hpp, which reads these from TOML,
// does not bring DataFrame and the encoders to every includer of soma/train.hpp.
#include <string>
#include <vector>

namespace soma::data {

struct PreprocessStep {
  std::string step{};                  // "fillna", "one_hot", "standardize" or "drop"
  std::vector<std::string> columns{};  // columns it applies to (standardize, empty: all numeric)
  std::string strategy = "value";      // fillna: "value", "mean", "median" or "mode"
  double value = 0;                    // fillna with strategy "value" (numeric columns)
  std::string text_value{};            // fillna with strategy "value" (text columns)
  bool has_text_value = false;
};

}  // namespace soma::data
