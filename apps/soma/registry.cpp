#include "registry.hpp"
#include "flags.hpp"

#include <cstdio>
#include <iostream>

namespace soma::cli {

std::vector<Entry>& commands() {
  static std::vector<Entry> list;
  return list;
}
std::vector<Entry>& examples() {
  static std::vector<Entry> list;
  return list;
}

CommandRegistrar::CommandRegistrar(std::string name, std::string help, Setup setup) {
  commands().push_back({std::move(name), std::move(help), std::move(setup)});
}
ExampleRegistrar::ExampleRegistrar(std::string name, std::string help, Setup setup) {
  examples().push_back({std::move(name), std::move(help), std::move(setup)});
}

void add_example_options(CLI::App& app, ExampleOptions& options) {
  app.add_flag("--json", options.json, "End with one JSON object of the results");
  app.add_option("--seed", options.seed, "Random seed")->capture_default_str();
  app.add_option("--plot", options.plot_dir, "Write figures into this directory (only there)")
      ->default_str("none, no figures");
}

void add_epochs_option(CLI::App& app, ExampleOptions& options, int default_epochs) {
  options.epochs = default_epochs;
  app.add_option("--epochs", options.epochs, "Training epochs")
      ->check(soma::cli::integer_in(0, 10'000'000))
      ->capture_default_str();
}

CLI::Option* add_output_option(CLI::App& app, std::string& path, const std::string& help,
                               const std::string& shown_default) {
  auto* option = app.add_option("-o,--output", path, help);
  if (!shown_default.empty()) option->default_str(shown_default);
  deprecated_alias(app, "--out", "-o/--output", path);
  return option;
}

}  // namespace soma::cli
