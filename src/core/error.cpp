#include "soma/core/error.hpp"

namespace soma {

Error error_at(const std::string& input, int64_t line, int64_t column, const std::string& message) {
  std::string where = input;
  if (line > 0) where += ":" + std::to_string(line);
  if (line > 0 && column > 0) where += ":" + std::to_string(column);
  return Error(where + ": " + message);
}

}  // namespace soma
