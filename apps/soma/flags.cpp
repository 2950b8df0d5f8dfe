#include "flags.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

namespace soma::cli {

namespace {

std::string shown(double x) {
  if (x == std::numeric_limits<double>::max()) return "any size";
  std::ostringstream s;
  s << x;
  return s.str();
}

}  // namespace

CLI::Validator integer_in(int64_t lo, int64_t hi) {
  const std::string expected =
      "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        int64_t v = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, v);
        if (ec != std::errc() || ptr != end || v < lo || v > hi)
          return "expected " + expected + ", got '" + text + "'";
        return "";
      },
      "INT " + std::to_string(lo) + ".." + std::to_string(hi));
}

CLI::Validator number_in(double lo, double hi) {
  const std::string expected = hi == std::numeric_limits<double>::max()
                                   ? "a finite number of at least " + shown(lo)
                                   : "a number from " + shown(lo) + " to " + shown(hi);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double v = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, v);
        if (ec != std::errc() || ptr != end || !std::isfinite(v) || v < lo || v > hi)
          return "expected " + expected + ", got '" + text + "'";
        return "";
      },
      hi == std::numeric_limits<double>::max() ? "FLOAT" : "FLOAT " + shown(lo) + ".." + shown(hi));
}

CLI::Validator positive_or(const std::string& word) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        if (text == word) return "";
        double v = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, v);
        if (ec != std::errc() || ptr != end || !std::isfinite(v) || !(v > 0))
          return "expected " + word + " or a positive number, got '" + text + "'";
        return "";
      },
      word + "|NUMBER");
}

void check_deprecated(const std::string& old_name, const CLI::Validator& check,
                      const std::string& value) {
  std::string text = value;
  const std::string why = check(text);
  // A ParseError other than ValidationError: CLI11 would rename a ValidationError to the
  // hidden option's empty name. main prints it as every usage error.
  if (!why.empty()) throw CLI::ConversionError(old_name + ": " + why);
}

void warn_deprecated(const std::string& old_name, const std::string& new_name) {
  std::fprintf(stderr, "soma: warning: %s is deprecated; use %s\n", old_name.c_str(),
               new_name.c_str());
}

}  // namespace soma::cli
