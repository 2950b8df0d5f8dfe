#pragma once
// The two writers behind Figure::save.
#include <filesystem>
#include <functional>
#include <string>

#include "soma/plot/figure.hpp"

namespace soma::plot::detail {

// Runs gnuplot on the figure's script with terminal "png", "svg" or "pdf" and writes
// its output to `path` atomically; throws soma::Error with gnuplot's stderr on failure.
void render_gnuplot(const Figure& fig, const std::string& terminal,
                    const std::filesystem::path& path);

// One page of the figure for gnuplot: its datablocks, then its multiplot; no terminal,
// no output. An animation writes one page per frame under one `gif animate` terminal.
std::string gnuplot_page(const Figure& fig);

// Runs gnuplot on the script `script_for(output)` makes, in a private temporary
// directory where gnuplot writes `output` (named figure.EXTENSION), and copies that file
// to `path` atomically; throws soma::Error with gnuplot's stderr on failure.
void run_gnuplot(const std::function<std::string(const std::string& output)>& script_for,
                 const std::string& extension, const std::filesystem::path& path);

// Writes the self-contained HTML page atomically.
void write_html(const Figure& fig, const std::filesystem::path& path);

}  // namespace soma::plot::detail
