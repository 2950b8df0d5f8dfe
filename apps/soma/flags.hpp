#pragma once
// Validators for numeric flags, shared by every command so that each says the same thing:
// "expected an integer from 1 to 1000000, got '99999999999999999999'". The value is parsed
// strictly here (whole text, no overflow, finite), before CLI11 converts it: its own
// conversion saturates an out-of-range integer to 2^63 - 1 without a word, and its range
// checks print the limits of a double in 300 digits.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <limits>
#include <string>

namespace soma::cli {

// An integer in [lo, hi].
CLI::Validator integer_in(int64_t lo, int64_t hi);

// A finite number in [lo, hi] (NaN and infinities are refused).
CLI::Validator number_in(double lo, double hi = std::numeric_limits<double>::max());

// `word` itself (e.g. "auto") or a finite number > 0.
CLI::Validator positive_or(const std::string& word);

}  // namespace soma::cli
