#pragma once
// The soma CLI is assembled from self-registering pieces: each sub-command lives in
// its own apps/soma/cmd_*.cpp, each example in examples/*.cpp, and registers itself
// with a static registrar. main.cpp never needs editing to add one.
#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

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

// Options every example shares (docs/flags.md): --json, --seed and --plot DIR; --epochs
// only for examples that train (add_epochs_option).
struct ExampleOptions {
  bool json = false;
  uint64_t seed = 42;
  int epochs = -1;       // -1: the example does not train (no --epochs)
  std::string plot_dir;  // empty: no figures
};
void add_example_options(CLI::App& app, ExampleOptions& options);
// --epochs N for an example that trains; `default_epochs` becomes options.epochs and is
// shown in --help.
void add_epochs_option(CLI::App& app, ExampleOptions& options, int default_epochs);

// The one output-file option of a command (docs/flags.md): -o/--output PATH, with --out
// kept as a hidden deprecated spelling. `shown_default` is what --help states.
CLI::Option* add_output_option(CLI::App& app, std::string& path, const std::string& help,
                               const std::string& shown_default);

// Announces a file just written: "wrote PATH" on stderr (stdout keeps the results, and
// with --json ends with the JSON object).
void wrote(const std::string& path);

// Prints `object` as one JSON line (the last line of --json output). An object always has
// "figures", the figures written (empty when none): the key is added when absent.
void print_json(const nlohmann::json& object);

}  // namespace soma::cli
