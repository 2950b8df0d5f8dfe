#pragma once
// Command lines soma cannot understand, told in soma's own words: what was wrong, the
// nearest name when one was mistyped, and which --help to read. CLI11's own messages
// ("A subcommand is required", "The following arguments were not expected: 1 --epoch")
// name neither the word at fault nor what would have been right.
#include <CLI/CLI.hpp>

namespace soma::cli {

// Prints "soma: error: ..." (and, for a missing or unknown example, the list of examples)
// on standard error for a CLI11 error from app.parse(argc, argv); returns the exit status
// of a usage error, 2 (argparse's convention).
int report_usage_error(const CLI::App& app, const CLI::ParseError& error, int argc,
                       const char* const* argv);

}  // namespace soma::cli
