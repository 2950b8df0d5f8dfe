// NIST StRD .dat reader. The layout is fixed by NIST; we trust the header's
// line ranges (as NIST tells readers to) but check everything we read.
#include "soma/fit/nist.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"

namespace soma::fit {
namespace {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

std::vector<std::pair<std::string, int>> tokens(const std::string& line) {
  std::vector<std::pair<std::string, int>> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    out.emplace_back(line.substr(i, j - i), int(i) + 1);
    i = j;
  }
  return out;
}

long double number(const std::string& source, int line, int column, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const long double v = std::strtold(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE)
    throw error_at(source, line, column, "expected a number, found \"" + text + "\"");
  return v;
}

// "(lines A to B)" after `label` on some header line.
bool find_range(const std::vector<std::string>& lines, const std::string& label, int& a, int& b) {
  for (size_t i = 0; i < lines.size() && i < 60; ++i) {
    const size_t at = lines[i].find(label);
    if (at == std::string::npos) continue;
    const size_t open = lines[i].find("(lines", at);
    if (open == std::string::npos) continue;
    if (std::sscanf(lines[i].c_str() + open, "(lines %d to %d)", &a, &b) == 2) return true;
  }
  return false;
}

std::string after_colon(const std::string& line) {
  const size_t c = line.find(':');
  std::string s = c == std::string::npos ? line : line.substr(c + 1);
  const size_t a = s.find_first_not_of(" \t");
  const size_t b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

}  // namespace

NistProblem parse_nist(std::string_view text, const std::string& source) {
  const std::vector<std::string> lines = split_lines(text);
  NistProblem p;
  int ca = 0, cb = 0, da = 0, db = 0;
  if (!find_range(lines, "Certified Values", ca, cb))
    throw error_at(source, 0, 0, "expected a header line \"Certified Values (lines A to B)\"");
  if (!find_range(lines, "Data", da, db))
    throw error_at(source, 0, 0, "expected a header line \"Data (lines A to B)\"");
  const int n = int(lines.size());
  if (ca < 1 || cb < ca || cb > n || da < 1 || db < da || db > n || da <= cb)
    throw error_at(source, 0, 0,
                   "line ranges in the header (certified " + std::to_string(ca) + "-" +
                       std::to_string(cb) + ", data " + std::to_string(da) + "-" +
                       std::to_string(db) + ") do not fit a file of " + std::to_string(n) +
                       " lines");
  for (int i = 0; i < ca - 1; ++i) {
    const std::string& l = lines[size_t(i)];
    if (l.rfind("Dataset Name:", 0) == 0) {
      const auto t = tokens(after_colon(l));
      if (!t.empty()) p.name = t[0].first;
    }
    if (l.find("Level of Difficulty") != std::string::npos) p.difficulty = tokens(l)[0].first;
    const auto t = tokens(l);
    if (p.model.empty() && t.size() >= 2 && (t[0].first == "y" || t[0].first == "log[y]") &&
        t[1].first == "=")
      p.model = l.substr(size_t(t[0].second - 1));
  }
  if (p.model.empty())
    throw error_at(source, 0, 0, "expected a model line \"y = ...\" in the header");
  for (int i = ca; i <= cb; ++i) {
    const std::string& l = lines[size_t(i - 1)];
    const auto t = tokens(l);
    if (t.empty()) continue;
    if (t.size() >= 2 && t[1].first == "=" && t[0].first.size() >= 2 && t[0].first[0] == 'b') {
      if (t.size() != 6)
        throw error_at(source, i, 1,
                       "expected \"bK = start1 start2 certified std_dev\" (6 fields), found " +
                           std::to_string(t.size()));
      NistParameter q;
      q.name = t[0].first;
      q.start1 = number(source, i, t[2].second, t[2].first);
      q.start2 = number(source, i, t[3].second, t[3].first);
      q.certified = number(source, i, t[4].second, t[4].first);
      q.certified_sd = number(source, i, t[5].second, t[5].first);
      p.parameters.push_back(q);
    } else if (l.find("Residual Sum of Squares:") != std::string::npos) {
      p.certified_ssr = number(source, i, t.back().second, t.back().first);
    } else if (l.find("Residual Standard Deviation:") != std::string::npos) {
      p.certified_residual_sd = number(source, i, t.back().second, t.back().first);
    } else if (l.find("Degrees of Freedom:") != std::string::npos) {
      const long double dof = number(source, i, t.back().second, t.back().first);
      if (!(dof >= 0 && dof <= 1e9 && dof == std::floor(dof)))
        throw error_at(source, i, t.back().second, "expected a whole number of degrees of freedom");
      p.degrees_of_freedom = static_cast<int>(dof);
    }
  }
  if (p.parameters.empty())
    throw error_at(source, ca, 0,
                   "expected parameter lines \"bK = ...\" among the certified values");
  if (p.certified_ssr == 0 && p.certified_residual_sd == 0)
    throw error_at(source, cb, 0,
                   "expected \"Residual Sum of Squares:\" among the certified values");
  size_t columns = 0;
  for (int i = da; i <= db; ++i) {
    const std::string& l = lines[size_t(i - 1)];
    const auto t = tokens(l);
    if (t.empty()) continue;
    // The first line of the data block may be the "Data:  y  x" caption.
    if (t[0].first.rfind("Data", 0) == 0) continue;
    if (columns == 0) {
      if (t.size() < 2)
        throw error_at(source, i, 1, "expected a data line \"y x [x2 ...]\" (2 or more numbers)");
      columns = t.size();
      p.x.assign(columns - 1, {});
    }
    if (t.size() != columns)
      throw error_at(
          source, i, 1,
          "expected " + std::to_string(columns) + " numbers, found " + std::to_string(t.size()));
    p.y.push_back(number(source, i, t[0].second, t[0].first));
    for (size_t k = 1; k < columns; ++k)
      p.x[k - 1].push_back(number(source, i, t[k].second, t[k].first));
  }
  if (p.y.empty()) throw error_at(source, da, 0, "expected data lines, found none");
  return p;
}

NistProblem read_nist(const std::string& path) { return parse_nist(read_file(path), path); }

}  // namespace soma::fit
