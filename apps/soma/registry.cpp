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
  app.add_flag("--json", options.json, "End with one JSON object of the figures");
  app.add_option("--seed", options.seed, "Random seed")->capture_default_str();
  app.add_option("--epochs", options.epochs, "Training epochs (default: the example's own)")
      ->check(soma::cli::integer_in(0, 10'000'000));
  app.add_option("--plot", options.plot_dir, "Write figures into this directory")
      ->default_str("none, no figures");
}

void print_json(const nlohmann::json& figures) { std::cout << figures.dump() << std::endl; }

}  // namespace soma::cli
