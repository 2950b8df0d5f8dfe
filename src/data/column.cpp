#include "soma/data/column.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "soma/core/error.hpp"

namespace soma::data {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void wrong_kind(const Column& c, const char* wanted) {
  throw Error("column '" + c.name() + "' is " + c.dtype() + ", not " + wanted);
}

// Non-missing numbers of a column, for the order statistics.
std::vector<double> present(const std::vector<double>& v) {
  std::vector<double> out;
  out.reserve(v.size());
  for (double x : v)
    if (!std::isnan(x)) out.push_back(x);
  return out;
}

}  // namespace

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::Int64:
      return "int64";
    case Kind::Float64:
      return "float64";
    case Kind::String:
      return "object";
    case Kind::Category:
      return "category";
  }
  return "?";
}

std::string format_number(double v, bool integer) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  if (integer && std::abs(v) < 9.2e18 && v == std::trunc(v)) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(v));
    return std::string(buf, r.ptr);
  }
  // Shortest round-trip text, as Python's repr; whole numbers get ".0" as pandas prints them.
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

Column Column::numeric(std::string name, std::vector<double> values, bool integer) {
  Column c;
  c.name_ = std::move(name);
  c.num_ = std::move(values);
  c.kind_ = Kind::Float64;
  if (integer) {
    for (double x : c.num_)
      if (std::isnan(x) || x != std::trunc(x))
        throw Error("column '" + c.name_ + "' cannot be int64: it holds " + format_number(x));
    c.kind_ = Kind::Int64;
  }
  return c;
}

Column Column::text(std::string name, std::vector<std::string> values, std::vector<uint8_t> null) {
  if (!null.empty() && null.size() != values.size())
    throw Error("column '" + name + "': null mask has " + std::to_string(null.size()) +
                " entries for " + std::to_string(values.size()) + " values");
  Column c;
  c.name_ = std::move(name);
  c.kind_ = Kind::String;
  c.str_ = std::move(values);
  if (std::any_of(null.begin(), null.end(), [](uint8_t b) { return b != 0; })) {
    c.null_ = std::move(null);
    for (size_t i = 0; i < c.null_.size(); ++i)
      if (c.null_[i]) c.str_[i].clear();
  }
  return c;
}

Column Column::categorical(std::string name, std::vector<std::string> categories,
                           std::vector<int32_t> codes) {
  const auto n = static_cast<int32_t>(categories.size());
  auto sorted = categories;
  std::sort(sorted.begin(), sorted.end());
  if (auto d = std::adjacent_find(sorted.begin(), sorted.end()); d != sorted.end())
    throw Error("column '" + name + "': category '" + *d + "' given twice");
  for (int32_t code : codes)
    if (code < -1 || code >= n)
      throw Error("column '" + name + "': category code " + std::to_string(code) +
                  " outside [-1, " + std::to_string(n) + ")");
  Column c;
  c.name_ = std::move(name);
  c.kind_ = Kind::Category;
  c.cats_ = std::move(categories);
  c.codes_ = std::move(codes);
  return c;
}

int64_t Column::size() const {
  switch (kind_) {
    case Kind::String:
      return static_cast<int64_t>(str_.size());
    case Kind::Category:
      return static_cast<int64_t>(codes_.size());
    default:
      return static_cast<int64_t>(num_.size());
  }
}

bool Column::is_null(int64_t row) const {
  const auto i = static_cast<size_t>(row);
  switch (kind_) {
    case Kind::String:
      return !null_.empty() && null_[i] != 0;
    case Kind::Category:
      return codes_[i] < 0;
    default:
      return std::isnan(num_[i]);
  }
}

int64_t Column::count() const {
  int64_t n = 0;
  for (int64_t i = 0, e = size(); i < e; ++i) n += is_null(i) ? 0 : 1;
  return n;
}

std::vector<bool> Column::isna() const {
  std::vector<bool> out(static_cast<size_t>(size()));
  for (int64_t i = 0, e = size(); i < e; ++i) out[static_cast<size_t>(i)] = is_null(i);
  return out;
}

const std::vector<double>& Column::values() const {
  if (!is_numeric()) wrong_kind(*this, "numeric");
  return num_;
}

std::vector<double>& Column::mutable_values() {
  if (!is_numeric()) wrong_kind(*this, "numeric");
  kind_ = Kind::Float64;
  return num_;
}

std::string_view Column::str(int64_t row) const {
  const auto i = static_cast<size_t>(row);
  if (kind_ == Kind::String) return str_[i];
  if (kind_ == Kind::Category) return codes_[i] < 0 ? std::string_view() : cats_[codes_[i]];
  wrong_kind(*this, "text");
}

const std::vector<std::string>& Column::categories() const {
  if (kind_ != Kind::Category) wrong_kind(*this, "category");
  return cats_;
}

const std::vector<int32_t>& Column::codes() const {
  if (kind_ != Kind::Category) wrong_kind(*this, "category");
  return codes_;
}

std::string Column::label(int64_t row) const {
  if (is_null(row)) return "NaN";
  if (is_numeric()) return format_number(num_[static_cast<size_t>(row)], kind_ == Kind::Int64);
  return std::string(str(row));
}

double Column::sum() const {
  double s = 0;
  for (double x : values())
    if (!std::isnan(x)) s += x;
  return s;
}

double Column::mean() const {
  double s = 0;
  int64_t n = 0;
  for (double x : values())
    if (!std::isnan(x)) s += x, ++n;
  return n ? s / static_cast<double>(n) : kNaN;
}

double Column::median() const {
  auto v = present(values());
  if (v.empty()) return kNaN;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double hi = v[mid];
  if (v.size() % 2) return hi;
  const double lo = *std::max_element(v.begin(), v.begin() + mid);
  return 0.5 * (lo + hi);
}

double Column::std(int ddof) const {
  const auto v = present(values());
  const auto n = static_cast<int64_t>(v.size());
  if (n - ddof <= 0) return kNaN;
  const double m = mean();
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(n - ddof));
}

double Column::min() const {
  const auto v = present(values());
  return v.empty() ? kNaN : *std::min_element(v.begin(), v.end());
}

double Column::max() const {
  const auto v = present(values());
  return v.empty() ? kNaN : *std::max_element(v.begin(), v.end());
}

std::vector<std::string> Column::unique() const {
  std::vector<std::string> out;
  if (is_numeric()) {
    auto v = present(num_);
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    for (double x : v) out.push_back(format_number(x, kind_ == Kind::Int64));
  } else if (kind_ == Kind::Category) {
    out = cats_;
  } else {
    for (size_t i = 0; i < str_.size(); ++i)
      if (null_.empty() || !null_[i]) out.push_back(str_[i]);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  return out;
}

std::vector<std::pair<std::string, int64_t>> Column::value_counts() const {
  const auto labels = unique();
  std::unordered_map<std::string, size_t> slot;
  for (size_t i = 0; i < labels.size(); ++i) slot.emplace(labels[i], i);
  std::vector<int64_t> counts(labels.size(), 0);
  for (int64_t r = 0, e = size(); r < e; ++r)
    if (!is_null(r)) ++counts[slot.at(label(r))];
  std::vector<std::pair<std::string, int64_t>> out;
  for (size_t i = 0; i < labels.size(); ++i)
    if (counts[i] > 0 || kind_ != Kind::Category) out.emplace_back(labels[i], counts[i]);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::string Column::mode() const {
  const auto counts = value_counts();
  if (counts.empty() || counts.front().second == 0)
    throw Error("column '" + name_ + "' has no values, so no mode");
  return counts.front().first;
}

std::vector<bool> Column::equals(double v) const {
  const auto& x = values();
  std::vector<bool> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = x[i] == v;
  return out;
}

std::vector<bool> Column::equals(std::string_view v) const {
  std::vector<bool> out(static_cast<size_t>(size()));
  for (int64_t i = 0, e = size(); i < e; ++i)
    out[static_cast<size_t>(i)] = !is_null(i) && str(i) == v;
  return out;
}

void Column::fillna(double v) {
  if (!is_numeric()) wrong_kind(*this, "numeric (fill it with text instead)");
  for (double& x : num_)
    if (std::isnan(x)) x = v;
}

void Column::fillna(const std::string& v) {
  if (kind_ == Kind::String) {
    for (size_t i = 0; i < null_.size(); ++i)
      if (null_[i]) str_[i] = v;
    null_.clear();
  } else if (kind_ == Kind::Category) {
    auto it = std::find(cats_.begin(), cats_.end(), v);
    if (it == cats_.end())
      throw Error("column '" + name_ + "': fill value '" + v + "' is not one of its categories");
    const auto code = static_cast<int32_t>(it - cats_.begin());
    for (int32_t& c : codes_)
      if (c < 0) c = code;
  } else {
    wrong_kind(*this, "text (fill it with a number instead)");
  }
}

Column Column::take(std::span<const int64_t> rows) const {
  Column out;
  out.name_ = name_;
  out.kind_ = kind_;
  out.cats_ = cats_;
  const int64_t n = size();
  bool any_null = false;
  for (int64_t r : rows) {
    if (r < 0 || r >= n)
      throw Error("row " + std::to_string(r) + " out of range for column '" + name_ + "' of " +
                  std::to_string(n) + " rows");
    const auto i = static_cast<size_t>(r);
    switch (kind_) {
      case Kind::String:
        out.str_.push_back(str_[i]);
        out.null_.push_back(null_.empty() ? 0 : null_[i]);
        any_null = any_null || out.null_.back();
        break;
      case Kind::Category:
        out.codes_.push_back(codes_[i]);
        break;
      default:
        out.num_.push_back(num_[i]);
    }
  }
  if (!any_null) out.null_.clear();
  return out;
}

void Column::append(const Column& other) {
  if (is_numeric() && other.is_numeric()) {
    if (kind_ != other.kind_) kind_ = Kind::Float64;
    num_.insert(num_.end(), other.num_.begin(), other.num_.end());
    return;
  }
  if (is_numeric() || other.is_numeric())
    throw Error("cannot join column '" + name_ + "': " + dtype() + " with " + other.dtype());
  if (kind_ == Kind::Category && other.kind_ == Kind::Category) {
    // Merge category lists: ours first, then theirs not yet present.
    std::vector<int32_t> remap(other.cats_.size());
    for (size_t i = 0; i < other.cats_.size(); ++i) {
      auto it = std::find(cats_.begin(), cats_.end(), other.cats_[i]);
      if (it == cats_.end()) {
        cats_.push_back(other.cats_[i]);
        it = cats_.end() - 1;
      }
      remap[i] = static_cast<int32_t>(it - cats_.begin());
    }
    for (int32_t c : other.codes_) codes_.push_back(c < 0 ? -1 : remap[static_cast<size_t>(c)]);
    return;
  }
  // Text with text, or with a categorical: the result is text.
  auto to_text = [](const Column& c, std::vector<std::string>& s, std::vector<uint8_t>& n) {
    for (int64_t i = 0, e = c.size(); i < e; ++i) {
      s.emplace_back(c.is_null(i) ? std::string_view() : c.str(i));
      n.push_back(c.is_null(i) ? 1 : 0);
    }
  };
  std::vector<std::string> s;
  std::vector<uint8_t> n;
  to_text(*this, s, n);
  to_text(other, s, n);
  *this = text(name_, std::move(s), std::move(n));
}

}  // namespace soma::data
