#pragma once
// Graphviz's `dot` as a rendering engine for graphs given as DOT text (the model diagrams
// of soma/nn/diagram.hpp): run as a child process, its output written atomically.
//
//   plot::render_dot(dot_text, "model.svg");   // or .png, .pdf
//
// dot is found on PATH (Debian package graphviz) or at $SOMA_DOT; a missing dot, a format
// other than those three or dot's own failure throws soma::Error saying which.
#include <string>

namespace soma::plot {

void render_dot(const std::string& dot, const std::string& path);

}  // namespace soma::plot
