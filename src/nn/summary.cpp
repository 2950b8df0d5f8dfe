#include "soma/nn/summary.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace soma::nn {

namespace {

std::string shape_text(const std::vector<int64_t>& dims) {
  std::string s = "[N";
  for (int64_t d : dims) s += ", " + std::to_string(d);
  return s + "]";
}

std::string padded(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

int64_t total_parameters(const std::vector<LayerSummary>& layers) {
  int64_t total = 0;
  for (const auto& l : layers) total += l.parameters;
  return total;
}

std::string grouped_count(int64_t n) {
  const std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string format_summary(const std::vector<LayerSummary>& layers,
                           const std::vector<int64_t>& input) {
  // Column widths from the widest entry. The description comes last: a Conv2d's runs to
  // ninety characters, and there it cannot push the shapes and counts out of line.
  size_t name_w = std::string("input").size(),
         shape_w = std::max(std::string("output shape").size(), shape_text(input).size()),
         count_w = std::string("parameters").size();
  for (const auto& l : layers) {
    name_w = std::max(name_w, l.name.size());
    shape_w = std::max(shape_w, shape_text(l.output).size());
    count_w = std::max(count_w, grouped_count(l.parameters).size());
  }
  auto row = [&](const std::string& name, const std::string& shape, const std::string& count,
                 const std::string& type) {
    std::string line = padded(name, name_w) + "  " + padded(shape, shape_w) + "  " +
                       std::string(count_w - std::min(count_w, count.size()), ' ') + count + "  " +
                       type;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };
  std::ostringstream s;
  s << row("layer", "output shape", "parameters", "type");
  s << row("input", shape_text(input), "", "");
  for (const auto& l : layers)
    s << row(l.name, shape_text(l.output), grouped_count(l.parameters), l.description);
  const int64_t total = total_parameters(layers);
  s << "total: " << grouped_count(total) << (total == 1 ? " parameter" : " parameters") << "\n";
  return s.str();
}

}  // namespace soma::nn
