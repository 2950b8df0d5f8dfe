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

// Options every example shares.
struct ExampleOptions {
  bool json = false;
  uint64_t seed = 42;
  int epochs = -1;       // -1: the example's own default
  std::string plot_dir;  // empty: no figures
};
void add_example_options(CLI::App& app, ExampleOptions& options);

// Prints `figures` as one JSON object on its own line (the last line of --json output).
void print_json(const nlohmann::json& figures);

}  // namespace soma::cli
