#pragma once
// DataFrame: named, typed columns of equal length, in the spirit of pandas.
//
//   auto df = data::read_csv("train.csv");           // csv.hpp
//   std::cout << df.info();                           // non-null counts and dtypes
//   df.fillna("Age", df["Age"].median());
//   df.str_slice("Cabin", 0, 1);                     // deck letter, NaN stays NaN
//   df.drop({"Name", "Ticket"});
//   auto balanced = data::undersample(df, "Survived", 42);
//   Tensor x = balanced.to_tensor({"Age", "Fare"});  // float32 [rows, 2]
//
// Column edits (fillna, drop, str_slice, astype_category, set) change the frame in
// place and return it for chaining; row selections (take, filter, sample, head)
// return new frames, as their pandas counterparts do.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "soma/data/column.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::data {

class DataFrame {
 public:
  DataFrame() = default;
  // Columns of equal length with distinct names (soma::Error otherwise).
  explicit DataFrame(std::vector<Column> columns);

  int64_t rows() const { return rows_; }
  int64_t cols() const { return static_cast<int64_t>(columns_.size()); }
  std::vector<std::string> columns() const;
  bool contains(const std::string& name) const { return find(name) >= 0; }

  // Column by name; soma::Error naming the column and listing the frame's columns.
  const Column& operator[](const std::string& name) const;
  Column& operator[](const std::string& name);
  const Column& column(int64_t i) const { return columns_.at(static_cast<size_t>(i)); }

  // ---- column edits, in place
  // Adds `column` at the end, or replaces the column of that name where it stands.
  DataFrame& set(Column column);
  DataFrame& set(const std::string& name, std::vector<double> values);
  DataFrame& drop(const std::vector<std::string>& names);
  DataFrame& rename(const std::string& from, const std::string& to);
  DataFrame& fillna(const std::string& column, double value);
  DataFrame& fillna(const std::string& column, const std::string& value);
  // Python's s[start:stop] on every entry of a text column (bytes; negative indices
  // count from the end); missing entries stay missing. Writes to `out` if given
  // (a new column at the end), otherwise replaces the column.
  DataFrame& str_slice(const std::string& column, int64_t start, int64_t stop,
                       const std::string& out = "");
  // Makes a column categorical. Without `categories` they are its distinct values in
  // unique() order; with them, values outside the list become NaN (as pandas does).
  DataFrame& astype_category(const std::string& column, std::vector<std::string> categories = {});

  // Category codes of a column (categorical, text or numeric): the index of each entry
  // in the column's categories (unique() order when not categorical), -1 for missing.
  std::vector<int64_t> codes(const std::string& column) const;

  // ---- row selections, new frames
  DataFrame take(std::span<const int64_t> rows) const;
  DataFrame filter(const std::vector<bool>& mask) const;
  DataFrame head(int64_t n = 5) const;
  DataFrame select(const std::vector<std::string>& names) const;  // these columns, this order
  // A random fraction of the rows (round(frac * rows)), without replacement, in random
  // order, as df.sample(frac=..., random_state=seed); frac = 1 shuffles.
  DataFrame sample(double frac, uint64_t seed) const;
  DataFrame sample_n(int64_t n, uint64_t seed) const;
  DataFrame shuffle(uint64_t seed) const { return sample(1.0, seed); }

  // ---- views for people and for models
  // pandas-style summary: row count, one line per column with non-null count and dtype,
  // and the count of columns per dtype.
  std::string info() const;
  // The first `max_rows` rows as an aligned table.
  std::string to_string(int64_t max_rows = 10) const;
  // Numeric columns (all of them when `names` is empty) as a row-major [rows, cols]
  // matrix. A text column is an error; NaN stays NaN.
  std::vector<double> to_matrix(const std::vector<std::string>& names = {}) const;
  // The same as a [rows, cols] tensor (float32 unless `dtype` says otherwise).
  Tensor to_tensor(const std::vector<std::string>& names = {}, DType dtype = kFloat32) const;

 private:
  int64_t find(const std::string& name) const;
  std::vector<Column> columns_;
  int64_t rows_ = 0;
};

// Rows of `frames` one after another (pandas.concat, ignore_index=True). Columns are
// matched by name; a column missing from a frame is NaN (missing) in its rows.
DataFrame concat(const std::vector<DataFrame>& frames);
inline DataFrame concat(const DataFrame& a, const DataFrame& b) { return concat({a, b}); }

// Class balancing by undersampling: every class of the `label` column keeps as many
// rows as the smallest class, drawn at random without replacement (seeded); rows keep
// their original order. Rows with a missing label are dropped.
DataFrame undersample(const DataFrame& df, const std::string& label, uint64_t seed);

}  // namespace soma::data
