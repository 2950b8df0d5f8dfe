#pragma once
// soma::Error is what every user-caused failure throws: a bad file, a bad shape,
// a bad equation, an unknown option. Its message names the input, the position
// and what was expected, so the CLI can print it and exit non-zero.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace soma {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "FILE:LINE:COLUMN: MESSAGE", the shape compilers use, so editors can jump to it.
// A line or column of 0 is left out.
Error error_at(const std::string& input, int64_t line, int64_t column, const std::string& message);

// What a message quotes of an input `text` around its 1-based `column`: all of it when
// short, else about 60 characters around the column, "..." marking each cut, so that a
// message about a 120 KB equation stays one readable line. Cuts never split a UTF-8
// character.
std::string excerpt(std::string_view text, int64_t column = 1);

}  // namespace soma
