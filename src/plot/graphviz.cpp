// render_dot: the DOT text goes to a file in a private temporary directory, `dot -T<format>`
// writes the picture beside it, and the picture is copied into place atomically, so a
// failed or killed run leaves no half-written file at `path`.
#include "soma/plot/graphviz.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include "plot/external_renderer.hpp"
#include "soma/core/error.hpp"

namespace soma::plot {

void render_dot(const std::string& dot, const std::string& file) {
  const std::filesystem::path path(file);
  const std::string ext = path.extension().string();
  if (ext != ".svg" && ext != ".png" && ext != ".pdf")
    throw Error("diagram: " + path.string() + ": expected a file ending in .svg, .png or .pdf");
  const std::string format = ext.substr(1);
  detail::render_with(
      {.what = "diagram",
       .name = "dot",
       .program = detail::program_from_env("SOMA_DOT", "dot"),
       .install_hint = "install Graphviz, Debian package graphviz, or set SOMA_DOT",
       .input_name = "graph.dot"},
      format, [&](const std::filesystem::path&) { return dot; },
      [&](const std::filesystem::path& input, const std::filesystem::path& output) {
        return std::vector<std::string>{"-T" + format, "-o", output.string(), input.string()};
      },
      path);
}

}  // namespace soma::plot
