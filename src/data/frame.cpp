#include "soma/data/frame.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "soma/core/error.hpp"
#include "soma/core/random.hpp"

namespace soma::data {

namespace {

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// A column of `n` missing entries shaped like `like` (for concat of unequal columns).
Column missing_like(const Column& like, int64_t n) {
  const auto count = static_cast<size_t>(n);
  if (like.is_numeric())
    return Column::numeric(like.name(),
                           std::vector<double>(count, std::numeric_limits<double>::quiet_NaN()));
  if (like.is_categorical())
    return Column::categorical(like.name(), like.categories(), std::vector<int32_t>(count, -1));
  return Column::text(like.name(), std::vector<std::string>(count), std::vector<uint8_t>(count, 1));
}

}  // namespace

DataFrame::DataFrame(std::vector<Column> columns) {
  // Hashed rather than set()'s linear search per column: a CSV of 10^5 columns is built
  // here, and a quadratic check would take minutes.
  std::unordered_set<std::string_view> seen;
  seen.reserve(columns.size());
  for (const auto& c : columns)
    if (!seen.insert(c.name()).second) throw Error("column '" + c.name() + "' given twice");
  for (const auto& c : columns)
    if (c.size() != columns.front().size())
      throw Error("column '" + c.name() + "' has " + std::to_string(c.size()) +
                  " rows, the frame " + std::to_string(columns.front().size()));
  rows_ = columns.empty() ? 0 : columns.front().size();
  columns_ = std::move(columns);
}

std::vector<std::string> DataFrame::columns() const {
  std::vector<std::string> names;
  for (const auto& c : columns_) names.push_back(c.name());
  return names;
}

int64_t DataFrame::find(const std::string& name) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i].name() == name) return static_cast<int64_t>(i);
  return -1;
}

const Column& DataFrame::operator[](const std::string& name) const {
  const int64_t i = find(name);
  if (i < 0) throw Error("no column '" + name + "' (columns: " + join_names(columns()) + ")");
  return columns_[static_cast<size_t>(i)];
}

Column& DataFrame::operator[](const std::string& name) {
  return const_cast<Column&>(static_cast<const DataFrame&>(*this)[name]);
}

DataFrame& DataFrame::set(Column column) {
  if (!columns_.empty() && column.size() != rows_)
    throw Error("column '" + column.name() + "' has " + std::to_string(column.size()) +
                " rows, the frame " + std::to_string(rows_));
  if (columns_.empty()) rows_ = column.size();
  const int64_t i = find(column.name());
  if (i >= 0)
    columns_[static_cast<size_t>(i)] = std::move(column);
  else
    columns_.push_back(std::move(column));
  return *this;
}

DataFrame& DataFrame::set(const std::string& name, std::vector<double> values) {
  return set(Column::numeric(name, std::move(values)));
}

DataFrame& DataFrame::drop(const std::vector<std::string>& names) {
  for (const auto& n : names) (void)(*this)[n];  // every name must exist before any is dropped
  std::erase_if(columns_, [&](const Column& c) {
    return std::find(names.begin(), names.end(), c.name()) != names.end();
  });
  if (columns_.empty()) rows_ = 0;
  return *this;
}

DataFrame& DataFrame::rename(const std::string& from, const std::string& to) {
  if (from != to && contains(to)) throw Error("cannot rename '" + from + "': '" + to + "' exists");
  (*this)[from].rename(to);
  return *this;
}

DataFrame& DataFrame::fillna(const std::string& column, double value) {
  (*this)[column].fillna(value);
  return *this;
}

DataFrame& DataFrame::fillna(const std::string& column, const std::string& value) {
  (*this)[column].fillna(value);
  return *this;
}

DataFrame& DataFrame::str_slice(const std::string& column, int64_t start, int64_t stop,
                                const std::string& out) {
  const Column& c = (*this)[column];
  if (c.is_numeric())
    throw Error("str_slice: column '" + column + "' is " + c.dtype() + ", not text");
  std::vector<std::string> values(static_cast<size_t>(rows_));
  std::vector<uint8_t> null(static_cast<size_t>(rows_), 0);
  for (int64_t r = 0; r < rows_; ++r) {
    const auto i = static_cast<size_t>(r);
    if (c.is_null(r)) {
      null[i] = 1;
      continue;
    }
    const std::string_view s = c.str(r);
    const auto n = static_cast<int64_t>(s.size());
    // Python slice bounds: negative counts from the end, then clamp to [0, n].
    int64_t a = start < 0 ? start + n : start, b = stop < 0 ? stop + n : stop;
    a = std::clamp<int64_t>(a, 0, n);
    b = std::clamp<int64_t>(b, 0, n);
    if (b > a)
      values[i] = std::string(s.substr(static_cast<size_t>(a), static_cast<size_t>(b - a)));
  }
  return set(Column::text(out.empty() ? column : out, std::move(values), std::move(null)));
}

DataFrame& DataFrame::astype_category(const std::string& column,
                                      std::vector<std::string> categories) {
  const Column& c = (*this)[column];
  if (categories.empty()) categories = c.unique();
  std::unordered_map<std::string, int32_t> index;
  for (size_t i = 0; i < categories.size(); ++i)
    if (!index.emplace(categories[i], static_cast<int32_t>(i)).second)
      throw Error("astype_category: category '" + categories[i] + "' given twice");
  std::vector<int32_t> codes(static_cast<size_t>(rows_), -1);
  for (int64_t r = 0; r < rows_; ++r) {
    if (c.is_null(r)) continue;
    auto it = index.find(c.label(r));
    if (it != index.end()) codes[static_cast<size_t>(r)] = it->second;
  }
  return set(Column::categorical(column, std::move(categories), std::move(codes)));
}

std::vector<int64_t> DataFrame::codes(const std::string& column) const {
  const Column& c = (*this)[column];
  std::vector<int64_t> out(static_cast<size_t>(rows_), -1);
  if (c.is_categorical()) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = c.codes()[i];
    return out;
  }
  const auto cats = c.unique();
  std::unordered_map<std::string, int64_t> index;
  for (size_t i = 0; i < cats.size(); ++i) index.emplace(cats[i], static_cast<int64_t>(i));
  for (int64_t r = 0; r < rows_; ++r)
    if (!c.is_null(r)) out[static_cast<size_t>(r)] = index.at(c.label(r));
  return out;
}

DataFrame DataFrame::take(std::span<const int64_t> rows) const {
  DataFrame out;
  for (const auto& c : columns_) out.columns_.push_back(c.take(rows));
  out.rows_ = columns_.empty() ? 0 : static_cast<int64_t>(rows.size());
  return out;
}

DataFrame DataFrame::filter(const std::vector<bool>& mask) const {
  if (static_cast<int64_t>(mask.size()) != rows_)
    throw Error("filter: mask has " + std::to_string(mask.size()) + " entries, the frame " +
                std::to_string(rows_) + " rows");
  std::vector<int64_t> rows;
  for (int64_t r = 0; r < rows_; ++r)
    if (mask[static_cast<size_t>(r)]) rows.push_back(r);
  return take(rows);
}

DataFrame DataFrame::head(int64_t n) const {
  std::vector<int64_t> rows(static_cast<size_t>(std::clamp<int64_t>(n, 0, rows_)));
  std::iota(rows.begin(), rows.end(), 0);
  return take(rows);
}

DataFrame DataFrame::select(const std::vector<std::string>& names) const {
  DataFrame out;
  for (const auto& n : names) out.set((*this)[n]);
  return out;
}

DataFrame DataFrame::sample(double frac, uint64_t seed) const {
  if (!(frac >= 0.0 && frac <= 1.0))
    throw Error("sample: frac must lie in [0, 1], got " + format_number(frac));
  return sample_n(static_cast<int64_t>(std::llround(frac * static_cast<double>(rows_))), seed);
}

DataFrame DataFrame::sample_n(int64_t n, uint64_t seed) const {
  if (n < 0 || n > rows_)
    throw Error("sample_n: cannot draw " + std::to_string(n) + " of " + std::to_string(rows_) +
                " rows without replacement");
  std::vector<int64_t> rows(static_cast<size_t>(rows_));
  std::iota(rows.begin(), rows.end(), 0);
  Rng rng(seed);
  rng.shuffle(rows.begin(), rows.end());
  rows.resize(static_cast<size_t>(n));
  return take(rows);
}

std::vector<double> DataFrame::to_matrix(const std::vector<std::string>& names) const {
  std::vector<const Column*> cols;
  if (names.empty())
    for (const auto& c : columns_) cols.push_back(&c);
  else
    for (const auto& n : names) cols.push_back(&(*this)[n]);
  for (const Column* c : cols) {
    // A column resized through mutable_values() would overrun the matrix.
    if (c->size() != rows_)
      throw Error("column '" + c->name() + "' has " + std::to_string(c->size()) +
                  " rows, the frame " + std::to_string(rows_));
    if (!c->is_numeric())
      throw Error("column '" + c->name() + "' is " + c->dtype() +
                  ": encode it (get_dummies, codes) or drop it before making a matrix");
  }
  const size_t k = cols.size();
  std::vector<double> m(static_cast<size_t>(rows_) * k);
  for (size_t j = 0; j < k; ++j) {
    const auto& v = cols[j]->values();
    for (size_t r = 0; r < v.size(); ++r) m[r * k + j] = v[r];
  }
  return m;
}

DataFrame concat(const std::vector<DataFrame>& frames) {
  // The result's columns: every name in order of first appearance.
  std::vector<std::string> names;
  std::vector<const Column*> like;
  for (const auto& f : frames)
    for (int64_t j = 0; j < f.cols(); ++j)
      if (std::find(names.begin(), names.end(), f.column(j).name()) == names.end()) {
        names.push_back(f.column(j).name());
        like.push_back(&f.column(j));
      }
  std::vector<Column> out;
  for (size_t j = 0; j < names.size(); ++j) {
    Column acc;
    bool first = true;
    for (const auto& f : frames) {
      if (f.cols() == 0) continue;
      Column part = f.contains(names[j]) ? f[names[j]] : missing_like(*like[j], f.rows());
      if (first)
        acc = std::move(part), first = false;
      else
        acc.append(part);
    }
    out.push_back(std::move(acc));
  }
  return DataFrame(std::move(out));
}

DataFrame undersample(const DataFrame& df, const std::string& label, uint64_t seed) {
  const Column& y = df[label];
  // Rows of each class, classes in unique() order so the draw does not depend on row order.
  std::map<std::string, std::vector<int64_t>> by_class;
  for (int64_t r = 0; r < df.rows(); ++r)
    if (!y.is_null(r)) by_class[y.label(r)].push_back(r);
  if (by_class.empty()) throw Error("undersample: column '" + label + "' has no labels");
  size_t smallest = std::numeric_limits<size_t>::max();
  for (const auto& [_, rows] : by_class) smallest = std::min(smallest, rows.size());
  Rng rng(seed);
  std::vector<int64_t> keep;
  for (auto& [_, rows] : by_class) {
    rng.shuffle(rows.begin(), rows.end());
    keep.insert(keep.end(), rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(smallest));
  }
  std::sort(keep.begin(), keep.end());
  return df.take(keep);
}

}  // namespace soma::data
