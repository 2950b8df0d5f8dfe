// DataFrame::info and DataFrame::to_string: the two text views of a frame.
#include <algorithm>
#include <cstdio>
#include <map>

#include "soma/data/frame.hpp"

namespace soma::data {

namespace {

std::string pad_right(const std::string& s, size_t w) {
  return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}
std::string pad_left(const std::string& s, size_t w) {
  return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
}

// Bytes as pandas' memory usage prints them ("83.7+ KB").
std::string human_bytes(double bytes, bool plus) {
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 4) bytes /= 1024.0, ++u;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f%s %s", bytes, plus ? "+" : "", units[u]);
  return buf;
}

}  // namespace

std::string DataFrame::info() const {
  std::string s = "<class 'soma::data::DataFrame'>\n";
  s += "RangeIndex: " + std::to_string(rows_) + " entries";
  if (rows_ > 0) s += ", 0 to " + std::to_string(rows_ - 1);
  s += "\n";
  if (columns_.empty()) return s + "Empty DataFrame\n";
  s += "Data columns (total " + std::to_string(cols()) + " columns):\n";
  // pandas' layout: the row number and its gap fill at least 4 characters.
  const size_t w_idx = std::max<size_t>(4, std::to_string(cols() - 1).size() + 2);
  size_t w_name = 6;
  for (const auto& c : columns_) w_name = std::max(w_name, c.name().size());
  std::vector<std::string> counts;
  size_t w_count = 14;
  for (const auto& c : columns_) {
    counts.push_back(std::to_string(c.count()) + " non-null");
    w_count = std::max(w_count, counts.back().size());
  }
  s += " " + pad_right("#", w_idx) + pad_right("Column", w_name) + "  " +
       pad_right("Non-Null Count", w_count) + "  Dtype\n";
  s += pad_right(std::string(w_idx - 1, '-'), w_idx + 1) + pad_right("------", w_name) + "  " +
       pad_right("--------------", w_count) + "  -----\n";
  std::map<std::string, int> per_dtype;
  // pandas' figure: 8 bytes per number or object pointer, 1 byte per category code
  // (int8 codes below 128 categories), plus 128 bytes of RangeIndex; "+" when text is
  // present, whose characters it does not count.
  double bytes = 128;
  bool has_text = false;
  for (size_t j = 0; j < columns_.size(); ++j) {
    const auto& c = columns_[j];
    s += " " + pad_right(std::to_string(j), w_idx) + pad_right(c.name(), w_name) + "  " +
         pad_right(counts[j], w_count) + "  " + c.dtype() + "\n";
    ++per_dtype[c.dtype()];
    if (c.is_categorical()) {
      bytes += static_cast<double>(rows_) * (c.categories().size() < 128 ? 1 : 2) +
               8.0 * static_cast<double>(c.categories().size());
    } else {
      bytes += 8.0 * static_cast<double>(rows_);
    }
    has_text = has_text || c.is_text() || c.is_categorical();
  }
  s += "dtypes:";
  bool first = true;
  for (const auto& [name, n] : per_dtype) {
    s += (first ? " " : ", ") + name + "(" + std::to_string(n) + ")";
    first = false;
  }
  s += "\nmemory usage: " + human_bytes(bytes, has_text) + "\n";
  return s;
}

std::string DataFrame::to_string(int64_t max_rows) const {
  const int64_t n = std::clamp<int64_t>(max_rows, 0, rows_);
  // Long text is cut as pandas cuts it in a wide frame, so one name cannot push the table apart.
  auto cell = [](std::string s) { return s.size() > 24 ? s.substr(0, 21) + "..." : s; };
  std::vector<std::vector<std::string>> table(columns_.size());
  std::vector<size_t> width(columns_.size());
  const size_t w_index = std::to_string(std::max<int64_t>(n - 1, 0)).size();
  for (size_t j = 0; j < columns_.size(); ++j) {
    width[j] = columns_[j].name().size();
    for (int64_t r = 0; r < n; ++r) {
      table[j].push_back(cell(columns_[j].label(r)));
      width[j] = std::max(width[j], table[j].back().size());
    }
  }
  std::string s = std::string(w_index, ' ');
  for (size_t j = 0; j < columns_.size(); ++j) s += "  " + pad_left(columns_[j].name(), width[j]);
  s += "\n";
  for (int64_t r = 0; r < n; ++r) {
    s += pad_right(std::to_string(r), w_index);
    for (size_t j = 0; j < columns_.size(); ++j)
      s += "  " + pad_left(table[j][static_cast<size_t>(r)], width[j]);
    s += "\n";
  }
  if (n < rows_) s += "... (" + std::to_string(rows_) + " rows)\n";
  return s;
}

}  // namespace soma::data
