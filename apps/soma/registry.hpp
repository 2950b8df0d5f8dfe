#pragma once
// The soma CLI is assembled from self-registering pieces: each sub-command lives in
// its own apps/soma/cmd_*.cpp, each example's flags in apps/soma/examples/*.cpp (the
// example itself, a plain program, is examples/*.cpp), and registers itself with a static
// registrar. main.cpp never needs editing to add one.
#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "soma/cli/example.hpp"

namespace soma::cli {

// Configures the sub-command `app` (options, then app.callback(...)).
using Setup = std::function<void(CLI::App& app)>;

struct Entry {
  std::string name, help;
  Setup setup;
};

struct CommandRegistrar {
  CommandRegistrar(std::string name, std::string help, Setup setup);
};
struct ExampleRegistrar {
  ExampleRegistrar(std::string name, std::string help, Setup setup);
};

std::vector<Entry>& commands();
std::vector<Entry>& examples();

// Leaves the program with a given exit status after printing nothing more.
struct Exit {
  int code;
};

// The options every example shares (docs/flags.md; soma/cli/example.hpp) as flags:
// --json, --seed and --plot DIR; --epochs only for examples that train (add_epochs_option).
void add_example_options(CLI::App& app, ExampleOptions& options);
// --epochs N for an example that trains; `default_epochs` becomes options.epochs and is
// shown in --help.
void add_epochs_option(CLI::App& app, ExampleOptions& options, int default_epochs);

// The one output-file option of a command (docs/flags.md): -o/--output PATH, with --out
// kept as a hidden deprecated spelling. `shown_default` is what --help states.
CLI::Option* add_output_option(CLI::App& app, std::string& path, const std::string& help,
                               const std::string& shown_default);

}  // namespace soma::cli
