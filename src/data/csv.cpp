#include "soma/data/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"

namespace soma::data {

namespace {

struct Cell {
  std::string text;
  int64_t line = 0, col = 0;  // where the field starts, 1-based
};

// A character for an error message: printable as itself, others as \xNN.
std::string show_char(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string(1, c);
  static const char* hex = "0123456789abcdef";
  const auto u = static_cast<unsigned char>(c);
  return std::string("\\x") + hex[u >> 4] + hex[u & 15];
}

// A field for an error message: at most 40 characters, control bytes escaped.
std::string show_field(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < 40; ++i) out += show_char(s[i]);
  if (s.size() > 40) out += "...";
  return out;
}

// Splits RFC 4180 text into records of fields, tracking the line and column where each
// field starts so every error can point at its place.
class Tokenizer {
 public:
  Tokenizer(std::string_view text, char delimiter, const std::string& name)
      : s_(text), delim_(delimiter), name_(name) {
    if (s_.starts_with("\xEF\xBB\xBF")) pos_ = line_start_ = 3;  // UTF-8 byte-order mark
  }

  // Reads the next non-blank record into cells[0, k) and returns k; 0 at the end. The
  // cells' strings are reused from call to call, so steady state allocates nothing.
  size_t next(std::vector<Cell>& cells) {
    const size_t n = s_.size();
    while (pos_ < n && (s_[pos_] == '\n' || s_[pos_] == '\r')) newline();
    if (pos_ >= n) return 0;
    size_t k = 0;
    for (;;) {
      if (k == cells.size()) cells.emplace_back();
      Cell& c = cells[k++];
      c.text.clear();
      c.line = line_;
      c.col = column();
      if (pos_ < n && s_[pos_] == '"') {
        quoted(c);
      } else {
        const size_t b = pos_;
        while (pos_ < n && s_[pos_] != delim_ && s_[pos_] != '\n' && s_[pos_] != '\r') ++pos_;
        c.text.assign(s_.substr(b, pos_ - b));
      }
      if (pos_ < n && s_[pos_] == delim_) {
        ++pos_;  // another field follows, empty if the line ends here
        continue;
      }
      end_line_ = line_;
      end_col_ = column();
      if (pos_ < n) newline();
      return k;
    }
  }

  int64_t end_line() const { return end_line_; }
  int64_t end_col() const { return end_col_; }

 private:
  int64_t column() const { return static_cast<int64_t>(pos_ - line_start_) + 1; }

  // Steps over one line break (CRLF, LF or a lone CR).
  void newline() {
    if (s_[pos_] == '\r' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
    line_start_ = pos_;
  }

  void quoted(Cell& c) {
    const size_t n = s_.size();
    ++pos_;  // the opening quote
    for (;;) {
      if (pos_ >= n)
        throw error_at(name_, c.line, c.col,
                       "quoted field is never closed: no matching '\"' before the end of input");
      const char ch = s_[pos_];
      if (ch == '"') {
        if (pos_ + 1 < n && s_[pos_ + 1] == '"') {
          c.text += '"';
          pos_ += 2;
          continue;
        }
        ++pos_;
        break;
      }
      if (ch == '\n' || ch == '\r') {
        // A line break inside quotes belongs to the field; keep it as written.
        c.text += ch;
        if (ch == '\r' && pos_ + 1 < n && s_[pos_ + 1] == '\n') c.text += '\n';
        newline();
        continue;
      }
      // Copy the run up to the next quote or line break in one go.
      size_t e = pos_ + 1;
      while (e < n && s_[e] != '"' && s_[e] != '\n' && s_[e] != '\r') ++e;
      c.text.append(s_.substr(pos_, e - pos_));
      pos_ = e;
    }
    if (pos_ < n && s_[pos_] != delim_ && s_[pos_] != '\n' && s_[pos_] != '\r')
      throw error_at(name_, line_, column(),
                     std::string("expected '") + show_char(delim_) +
                         "' or a line end after the closing quote, got '" + show_char(s_[pos_]) +
                         "'");
  }

  std::string_view s_;
  char delim_;
  const std::string& name_;
  size_t pos_ = 0, line_start_ = 0;
  int64_t line_ = 1, end_line_ = 0, end_col_ = 0;
};

// A whole field as a number: optional spaces around, an optional sign, decimal digits
// with an optional fraction and exponent, or inf/nan. `is_int` when it is a plain integer.
bool parse_number(std::string_view f, double& v, bool& is_int) {
  while (!f.empty() && (f.front() == ' ' || f.front() == '\t')) f.remove_prefix(1);
  while (!f.empty() && (f.back() == ' ' || f.back() == '\t')) f.remove_suffix(1);
  if (f.empty()) return false;
  std::string_view body = f;
  if (body.front() == '+') {
    body.remove_prefix(1);
    if (body.empty() || body.front() == '-' || body.front() == '+') return false;
  }
  auto r = std::from_chars(body.data(), body.data() + body.size(), v);
  if (r.ec == std::errc::result_out_of_range) {
    // Overflow reads as +-inf, underflow as 0, as strtod gives them.
    const bool neg = body.front() == '-';
    const size_t e = body.find_first_of("eE");
    const bool tiny = e != std::string_view::npos && e + 1 < body.size() && body[e + 1] == '-';
    v = tiny ? (neg ? -0.0 : 0.0) : (neg ? -HUGE_VAL : HUGE_VAL);
  } else if (r.ec != std::errc()) {
    return false;
  }
  if (r.ptr != body.data() + body.size()) return false;
  std::string_view digits = body;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  is_int = !digits.empty() &&
           std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  return true;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

DataFrame read_csv_string(std::string_view text, const CsvOptions& options,
                          const std::string& name) {
  const char d = options.delimiter;
  if (d == '"' || d == '\n' || d == '\r')
    throw Error(name + ": the delimiter cannot be a quote or a line break");
  Tokenizer tok(text, d, name);
  std::vector<Cell> cells;
  const size_t ncols = tok.next(cells);
  if (ncols == 0)
    throw error_at(name, 1, 0, "empty input: expected a header line naming the columns");

  // Column names as pandas makes them: "Unnamed: j" for an empty one, "x.1" for a repeat.
  // Hashed, and each base remembers its next suffix, so that any header (10,000 columns
  // all named "a") is named in linear time.
  std::vector<std::string> names;
  names.reserve(ncols);
  std::unordered_set<std::string> taken;
  std::unordered_map<std::string, size_t> next_suffix;
  for (size_t j = 0; j < ncols; ++j) {
    std::string base = cells[j].text.empty() ? "Unnamed: " + std::to_string(j) : cells[j].text;
    std::string n = base;
    if (taken.contains(n)) {
      size_t& k = next_suffix.try_emplace(base, 1).first->second;
      do n = base + "." + std::to_string(k++);
      while (taken.contains(n));
    }
    taken.insert(n);
    names.push_back(std::move(n));
  }
  for (const auto* list : {&options.numeric, &options.text, &options.category})
    for (const auto& n : *list)
      if (!taken.contains(n))
        throw Error(name + ": column '" + n + "' named in the options is not in the header");

  std::vector<std::vector<std::string>> raw(ncols);
  // Line breaks bound the record count: reserving once spares the copies (and the
  // first touches of fresh pages) of growing every column by doubling.
  const auto breaks = static_cast<size_t>(std::max(std::count(text.begin(), text.end(), '\n'),
                                                   std::count(text.begin(), text.end(), '\r')));
  // A record also holds ncols - 1 delimiters, which bounds it for wide headers.
  const size_t bound = std::min(breaks, text.size() / std::max<size_t>(ncols - 1, 1)) + 1;
  for (auto& col : raw) col.reserve(bound);
  for (;;) {
    const size_t k = tok.next(cells);
    if (k == 0) break;
    if (k != ncols) {
      const bool more = k > ncols;
      throw error_at(name, more ? cells[ncols].line : tok.end_line(),
                     more ? cells[ncols].col : tok.end_col(),
                     "expected " + std::to_string(ncols) + " fields as in the header, found " +
                         std::to_string(k));
    }
    for (size_t j = 0; j < ncols; ++j) raw[j].push_back(std::move(cells[j].text));
  }

  // Most fields are not missing markers, and most have a length no marker has: check
  // the length first, then the few markers of that length.
  uint64_t na_lengths = 0;
  bool na_long = false;
  for (const auto& v : options.na_values)
    (v.size() < 64 ? na_lengths |= uint64_t{1} << v.size() : na_long = true);
  auto is_na = [&](const std::string& f) {
    if (f.size() < 64 ? !(na_lengths >> f.size() & 1) : !na_long) return false;
    return contains(options.na_values, f);
  };
  const size_t rows = raw.empty() ? 0 : raw[0].size();
  std::vector<Column> columns;
  for (size_t j = 0; j < ncols; ++j) {
    const bool want_number = contains(options.numeric, names[j]);
    bool numeric = !contains(options.text, names[j]) && (rows > 0 || want_number);
    std::vector<double> values(numeric ? rows : 0);
    bool all_int = true;
    for (size_t r = 0; numeric && r < rows; ++r) {
      const std::string& f = raw[j][r];
      if (is_na(f)) {
        values[r] = std::numeric_limits<double>::quiet_NaN();
        all_int = false;
        continue;
      }
      bool is_int = false;
      if (parse_number(f, values[r], is_int)) {
        all_int = all_int && is_int;
        continue;
      }
      if (want_number) {
        // Find the field again for its position: errors are rare, so nothing is stored for them.
        Tokenizer again(text, d, name);
        std::vector<Cell> c;
        for (size_t i = 0; i <= r + 1; ++i) again.next(c);
        throw error_at(
            name, c[j].line, c[j].col,
            "expected a number in column '" + names[j] + "', got '" + show_field(f) + "'");
      }
      numeric = false;
    }
    if (numeric) {
      columns.push_back(Column::numeric(names[j], std::move(values), all_int));
      continue;
    }
    std::vector<uint8_t> null(rows, 0);
    for (size_t r = 0; r < rows; ++r) null[r] = is_na(raw[j][r]) ? 1 : 0;
    columns.push_back(Column::text(names[j], std::move(raw[j]), std::move(null)));
  }
  DataFrame df(std::move(columns));
  for (const auto& c : options.category) df.astype_category(c);
  return df;
}

DataFrame read_csv(const std::string& path, const CsvOptions& options) {
  return read_csv_string(read_file(path), options, path);
}

std::string to_csv_string(const DataFrame& df) {
  auto quote = [](std::string_view s) {
    const bool needs = s.find_first_of(",\"\r\n") != std::string_view::npos ||
                       (!s.empty() && (s.front() == ' ' || s.back() == ' '));
    if (!needs) return std::string(s);
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::string out;
  for (int64_t j = 0; j < df.cols(); ++j) {
    std::string name = quote(df.column(j).name());
    // A first name that begins with a byte-order mark would lose it on reading (a BOM at
    // the start of the text is dropped): quoted, it reads back as written. Unquoted here
    // means it holds no quote, so wrapping it is enough.
    if (j == 0 && name.starts_with("\xEF\xBB\xBF")) name = "\"" + name + "\"";
    out += (j ? "," : "") + name;
  }
  out += "\r\n";
  for (int64_t r = 0; r < df.rows(); ++r) {
    const size_t line_start = out.size();
    for (int64_t j = 0; j < df.cols(); ++j) {
      const Column& c = df.column(j);
      if (j) out += ',';
      if (c.is_null(r)) continue;
      out += c.is_numeric() ? c.label(r) : quote(c.str(r));
    }
    // A blank line would be skipped on reading: keep the row as an empty quoted field.
    if (out.size() == line_start) out += "\"\"";
    out += "\r\n";
  }
  return out;
}

void write_csv(const DataFrame& df, const std::string& path) {
  write_file_atomic(path, to_csv_string(df));
}

}  // namespace soma::data
