#pragma once
// Validators for numeric flags, shared by every command so that each says the same thing:
// "expected an integer from 1 to 1000000, got '99999999999999999999'". The value is parsed
// strictly here (whole text, no overflow, finite), before CLI11 converts it: its own
// conversion saturates an out-of-range integer to 2^63 - 1 without a word, and its range
// checks print the limits of a double in 300 digits.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace soma::cli {

// An integer in [lo, hi].
CLI::Validator integer_in(int64_t lo, int64_t hi);

// A finite number in [lo, hi] (NaN and infinities are refused).
CLI::Validator number_in(double lo, double hi = std::numeric_limits<double>::max());

// `word` itself (e.g. "auto") or a finite number > 0.
CLI::Validator positive_or(const std::string& word);

// --shards of the examples that train data-parallel under mpirun (docs/DISTRIBUTED.md);
// each example checks the value against the ranks it runs on.
inline CLI::Option* add_shards_option(CLI::App& app, int64_t& shards) {
  return app
      .add_option("--shards", shards,
                  "Parts of every batch whose gradients are summed in a fixed order: the "
                  "weights depend on it, not on the number of MPI ranks")
      ->default_str("the number of ranks (1 without mpirun)");
}

// An old spelling of an option kept working (docs/flags.md): it sets the same variable,
// is hidden from --help and did-you-mean, says on stderr which name replaced it, and
// checks its value with the new option's `check`. (CLI11 names no hidden option in its
// messages, so the check runs here, where the old name is known.)
void warn_deprecated(const std::string& old_name, const std::string& new_name);
void check_deprecated(const std::string& old_name, const CLI::Validator& check,
                      const std::string& value);
template <class T>
CLI::Option* deprecated_alias(CLI::App& app, const std::string& old_name,
                              const std::string& new_name, T& variable,
                              std::optional<CLI::Validator> check = std::nullopt) {
  return app.add_option(old_name, variable)
      ->group("")
      ->each([old_name, new_name, check](const std::string& value) {
        warn_deprecated(old_name, new_name);
        if (check) check_deprecated(old_name, *check, value);
      });
}

}  // namespace soma::cli
