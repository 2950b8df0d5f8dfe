#pragma once
// The two writers behind Figure::save.
#include <filesystem>
#include <string>

#include "soma/plot/figure.hpp"

namespace soma::plot::detail {

// Runs gnuplot on the figure's script with terminal "png", "svg" or "pdf" and writes
// its output to `path` atomically; throws soma::Error with gnuplot's stderr on failure.
void render_gnuplot(const Figure& fig, const std::string& terminal,
                    const std::filesystem::path& path);

// Writes the self-contained HTML page atomically.
void write_html(const Figure& fig, const std::filesystem::path& path);

}  // namespace soma::plot::detail
