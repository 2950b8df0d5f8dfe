// soma: one command-line tool for the whole toolkit. Sub-commands and examples
// register themselves (registry.hpp); this file only wires the global options.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "flags.hpp"
#include "help_format.hpp"
#include "registry.hpp"
#include "soma/core/blas.hpp"
#include "soma/core/cpu.hpp"
#include "soma/core/error.hpp"
#include "soma/core/threads.hpp"
#include "soma/core/version.hpp"
#include "usage_error.hpp"

namespace {

// `soma --version`: the version, the commit the build came from, and the CPU kernels this
// machine runs (what a bug report needs first; `soma info` has the rest).
std::string version_text() {
  std::string text = std::string("soma ") + soma::version();
  if (*soma::git_describe() != '\0') text += std::string(" (git ") + soma::git_describe() + ")";
  try {
    text += "\nkernels: " + soma::cpu::describe(soma::cpu::active());
  } catch (const soma::Error& e) {  // a bad SOMA_CPU: --version still answers
    text += std::string("\nkernels: none chosen (") + e.what() + ")";
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"soma: neural computation toolkit (networks, spiking models, ODEs, t-SNE, fits)"};
  app.require_subcommand(1);
  // Before any sub-command is added: they inherit the formatter.
  app.formatter(std::make_shared<soma::cli::HelpFormatter>());
  app.set_version_flag("--version", version_text,
                       "Print the version, its git commit and CPU kernels");
  int threads = 0;
  app.add_option("--threads", threads, "Threads to use (default: OMP_NUM_THREADS, else all cores)")
      ->check(soma::cli::integer_in(1, 65536));
  app.parse_complete_callback([&] {
    // The CLI owns its process: one CPU level for every kernel (SOMA_CPU checked here, so
    // a bad value is an error before any work), BLAS tuned and on soma's thread count.
    (void)soma::cpu::active();
    soma::blas::tune();
    soma::set_num_threads(threads > 0 ? threads : soma::num_threads());
  });

  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  auto& commands = soma::cli::commands();
  std::sort(commands.begin(), commands.end(), by_name);
  // fallthrough: global options such as --threads may also follow the sub-command.
  for (auto& entry : commands) {
    auto* sub = app.add_subcommand(entry.name, entry.help);
    sub->fallthrough();
    entry.setup(*sub);
  }

  auto* example = app.add_subcommand("example", "Run one of the tutorial examples");
  example->require_subcommand(1);
  example->fallthrough();
  auto& examples = soma::cli::examples();
  std::sort(examples.begin(), examples.end(), by_name);
  for (auto& entry : examples) {
    auto* sub = example->add_subcommand(entry.name, entry.help);
    sub->fallthrough();
    entry.setup(*sub);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are ParseErrors of code 0: CLI11 prints them. A real usage
    // error reads like every other soma error and exits 2 (usage_error.hpp).
    if (e.get_exit_code() == 0) return app.exit(e);
    return soma::cli::report_usage_error(app, e, argc, argv);
  } catch (const soma::cli::Exit& e) {
    return e.code;
  } catch (const soma::Error& e) {
    std::cout.flush();
    std::fprintf(stderr, "soma: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::fprintf(stderr, "soma: internal error: %s\n", e.what());
    return 70;
  }
  return 0;
}
