#pragma once
// The tables the reference scripts write (tests/reference/data/NAME.txt): one array per
// line, "name v1 v2 ...", and '#' lines for comments (versions, provenance).
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace soma::testing {

inline std::map<std::string, std::vector<double>> read_reference_table(const std::string& file) {
  const std::string path = std::string(SOMA_SOURCE_DIR) + "/tests/reference/data/" + file;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::map<std::string, std::vector<double>> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string name;
    ls >> name;
    double v;
    while (ls >> v) out[name].push_back(v);
  }
  return out;
}

}  // namespace soma::testing
