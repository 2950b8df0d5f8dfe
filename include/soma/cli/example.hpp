#pragma once
// What every example program shares with the soma command-line tool (docs/flags.md): the
// options --json, --seed N, --epochs N and --plot DIR, "wrote PATH" for each file written,
// and the --json result line. An example is a plain program over soma's public headers:
//
//   struct Options {
//     soma::cli::ExampleOptions common{.epochs = 100};  // epochs >= 0: it trains
//     double lr = 0.01;
//   };
//   void run(const Options& opt);                      // prints, or print_json() with --json
//
//   int main(int argc, char** argv) {
//     Options opt;
//     return soma::cli::example_main(argc, argv, opt.common, [&] { run(opt); });
//   }
//
// `soma example NAME` runs the same run() with the same options read by its own parser
// (apps/soma/examples/), which adds each example's further flags.
// print_json needs nlohmann's JSON (Debian: nlohmann-json3-dev); the rest only the
// standard library.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "soma/core/error.hpp"

namespace soma::cli {

// The options every example has (docs/flags.md).
struct ExampleOptions {
  bool json = false;       // end with one JSON object of the results (print_json)
  uint64_t seed = 42;      // every random draw comes from it
  int epochs = -1;         // -1: the example does not train (no --epochs)
  std::string plot_dir{};  // empty: no figures
};

// Announces a file just written: "wrote PATH" on stderr (stdout keeps the results, and
// with --json ends with the JSON object).
inline void wrote(const std::string& path) {
  std::cout.flush();  // the results so far come first when both streams share a terminal
  std::fprintf(stderr, "wrote %s\n", path.c_str());
}

// Prints `object` as one JSON line (the last line of --json output). An object always has
// "figures", the figures written (empty when none): the key is added when absent.
inline void print_json(const nlohmann::json& object) {
  nlohmann::json j = object;
  if (j.is_object() && !j.contains("figures")) j["figures"] = nlohmann::json::array();
  std::cout << j.dump() << std::endl;
}

// Reads the shared options from argv[1...]: --json, --seed N, --plot DIR, and --epochs N
// where the example trains (options.epochs >= 0 beforehand, its default). Returns false
// after printing the usage for --help. A bad or unknown argument throws soma::Error naming
// it and what was expected.
inline bool parse_example_args(int argc, char** argv, ExampleOptions& options) {
  const auto usage = [&] {
    std::printf("usage: %s [--json] [--seed N] [--plot DIR]%s\n", argc > 0 ? argv[0] : "example",
                options.epochs >= 0 ? " [--epochs N]" : "");
  };
  const auto integer = [](std::string_view flag, const char* text, uint64_t max) {
    uint64_t v = 0;
    const char* end = text + std::strlen(text);
    const auto [p, ec] = std::from_chars(text, end, v);
    if (ec != std::errc() || p != end || *text == '\0' || v > max)
      throw soma::Error(std::string(flag) + " '" + text + "': expected an integer in [0, " +
                        std::to_string(max) + "]");
    return v;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&]() -> const char* {
      if (i + 1 >= argc) throw soma::Error(std::string(arg) + ": expected a value after it");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      usage();
      return false;
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg == "--seed") {
      options.seed = integer(arg, value(), UINT64_MAX);
    } else if (arg == "--plot") {
      options.plot_dir = value();
    } else if (arg == "--epochs" && options.epochs >= 0) {
      options.epochs = int(integer(arg, value(), 10'000'000));
    } else {
      throw soma::Error("argument " + std::to_string(i) + " '" + std::string(arg) +
                        "': expected --json, --seed N, --plot DIR" +
                        (options.epochs >= 0 ? ", --epochs N" : "") + " or --help");
    }
  }
  return true;
}

// An example's main(): parses the shared options, runs `body`, and turns a soma::Error
// into "error: MESSAGE" on stderr and exit status 1.
inline int example_main(int argc, char** argv, ExampleOptions& options,
                        const std::function<void()>& body) {
  try {
    if (!parse_example_args(argc, argv, options)) return 0;
    body();
  } catch (const soma::Error& e) {
    std::cout.flush();
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace soma::cli
