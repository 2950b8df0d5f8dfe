#include "soma/core/error.hpp"

#include <algorithm>

namespace soma {

Error error_at(const std::string& input, int64_t line, int64_t column, const std::string& message) {
  std::string where = input;
  if (line > 0) where += ":" + std::to_string(line);
  if (line > 0 && column > 0) where += ":" + std::to_string(column);
  return Error(where + ": " + message);
}

std::string excerpt(std::string_view text, int64_t column) {
  constexpr size_t kShort = 80, kWindow = 60;
  if (text.size() <= kShort) return std::string(text);
  const size_t at =
      static_cast<size_t>(std::clamp<int64_t>(column - 1, 0, static_cast<int64_t>(text.size())));
  // kWindow bytes centred on the column, slid back inside the text near its end.
  size_t begin = at > kWindow / 2 ? at - kWindow / 2 : 0;
  size_t end = std::min(text.size(), begin + kWindow);
  begin = end > kWindow ? end - kWindow : 0;
  auto continuation = [&](size_t i) {
    return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
  };
  while (begin > 0 && begin < text.size() && continuation(begin)) --begin;
  while (end < text.size() && continuation(end)) ++end;
  return (begin > 0 ? "..." : "") + std::string(text.substr(begin, end - begin)) +
         (end < text.size() ? "..." : "");
}

}  // namespace soma
