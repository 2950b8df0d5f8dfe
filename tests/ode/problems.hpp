#pragma once
// Test problems shared by the ode tests, and the SciPy reference values written by
// tests/reference/ode_reference.py and lsoda_reference.py.
#include <cmath>
#include <fstream>
#include <map>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace soma::ode::test {

inline void lorenz(double, std::span<const double> y, std::span<double> dy) {
  dy[0] = 10 * (y[1] - y[0]);
  dy[1] = y[0] * (28 - y[2]) - y[1];
  dy[2] = y[0] * y[1] - 8.0 / 3 * y[2];
}

inline void robertson(double, std::span<const double> y, std::span<double> dy) {
  dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
  dy[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1];
  dy[2] = 3e7 * y[1] * y[1];
}
inline void robertson_jac(double, std::span<const double> y, std::span<double> J) {
  const double j[9] = {-0.04,       1e4 * y[2], 1e4 * y[1], 0.04, -1e4 * y[2] - 6e7 * y[1],
                       -1e4 * y[1], 0,          6e7 * y[1], 0};
  for (int i = 0; i < 9; ++i) J[i] = j[i];
}

constexpr double kMu = 1000;
inline void van_der_pol(double, std::span<const double> y, std::span<double> dy) {
  dy[0] = y[1];
  dy[1] = kMu * (1 - y[0] * y[0]) * y[1] - y[0];
}

// name -> values, from a file of tests/reference/data/ (`name count v1 v2 ...` a line).
inline std::map<std::string, std::vector<double>> read_reference(const std::string& file) {
  std::map<std::string, std::vector<double>> m;
  const std::string path = SOMA_SOURCE_DIR "/tests/reference/data/" + file;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string name;
    std::size_t count = 0;
    ss >> name >> count;
    std::vector<double> v(count);
    for (auto& x : v) ss >> x;
    m[name] = v;
  }
  return m;
}

// Written by tests/reference/ode_reference.py.
inline const std::vector<double>& reference_values(const std::string& name) {
  static const auto data = read_reference("ode_reference.txt");
  return data.at(name);
}

// SciPy's LSODA, written by tests/reference/lsoda_reference.py.
inline const std::vector<double>& lsoda_reference(const std::string& name) {
  static const auto data = read_reference("lsoda_reference.txt");
  return data.at(name);
}

}  // namespace soma::ode::test
