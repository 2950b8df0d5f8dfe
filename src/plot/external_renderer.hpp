#pragma once
// gnuplot (figures) and Graphviz's dot (diagrams) are run the same way: the input is
// written to a private temporary directory, the program runs there with stdin closed and
// its messages captured, and the file it writes is copied into place atomically, so a
// failed or killed run leaves no half-written file at the destination.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace soma::plot::detail {

struct ExternalRenderer {
  std::string what;          // the messages' first word: "plot", "diagram"
  std::string name;          // the tool in messages: "gnuplot", "dot"
  std::string program;       // as found by program_from_env
  std::string install_hint;  // "install gnuplot, Debian package gnuplot-nox, or set SOMA_GNUPLOT"
  std::string input_name;    // the input file's name in the temporary directory
};

// $variable when set and not empty, else `fallback` (looked up on PATH when run).
std::string program_from_env(const char* variable, const char* fallback);

// Writes input_for(output) to the input file, runs the program with args_for(input, output)
// (the arguments after the program's name), and copies `output` to `path`. Throws
// soma::Error naming `path` and quoting the program's last messages when it fails.
void render_with(
    const ExternalRenderer& renderer, const std::string& output_extension,
    const std::function<std::string(const std::filesystem::path& output)>& input_for,
    const std::function<std::vector<std::string>(const std::filesystem::path& input,
                                                 const std::filesystem::path& output)>& args_for,
    const std::filesystem::path& path);

}  // namespace soma::plot::detail
