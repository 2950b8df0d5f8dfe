#pragma once
// One column of a DataFrame, typed as pandas types them:
//   int64     numbers that were all integers in the file, none missing
//   float64   numbers; a missing value is NaN
//   object    text; a missing value is a null entry (is_null), not an empty string
//   category  text restricted to a fixed list of categories, stored as codes (-1 = NaN)
// Numbers of both numeric kinds are stored as double, so arithmetic on them never
// needs to branch on the kind; the kind only records what info() and get_dummies
// should call them (pandas labels an int column's dummy "Pclass_1", a float's "Age_1.0").
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace soma::data {

enum class Kind : uint8_t { Int64, Float64, String, Category };

// pandas' name for a kind: "int64", "float64", "object", "category".
const char* kind_name(Kind kind);

class Column {
 public:
  Column() = default;
  // A numeric column; `integer` marks it int64 (it must then hold no NaN).
  static Column numeric(std::string name, std::vector<double> values, bool integer = false);
  // A text column; `null[i] != 0` marks entry i missing (an empty `null` means none are).
  static Column text(std::string name, std::vector<std::string> values,
                     std::vector<uint8_t> null = {});
  // A categorical column: codes index `categories`, -1 is NaN.
  static Column categorical(std::string name, std::vector<std::string> categories,
                            std::vector<int32_t> codes);

  const std::string& name() const { return name_; }
  void rename(std::string name) { name_ = std::move(name); }
  Kind kind() const { return kind_; }
  const char* dtype() const { return kind_name(kind_); }
  bool is_numeric() const { return kind_ == Kind::Int64 || kind_ == Kind::Float64; }
  bool is_text() const { return kind_ == Kind::String; }
  bool is_categorical() const { return kind_ == Kind::Category; }

  int64_t size() const;
  bool is_null(int64_t row) const;
  int64_t count() const;  // non-null entries, as pandas' count()
  int64_t null_count() const { return size() - count(); }
  std::vector<bool> isna() const;

  // ---- numeric access (soma::Error if the column is not numeric)
  const std::vector<double>& values() const;
  double value(int64_t row) const { return values()[static_cast<size_t>(row)]; }
  // Writable numbers: writing a NaN or a fraction into an int64 column is the caller's
  // business, so the column becomes float64 when values are taken for writing.
  std::vector<double>& mutable_values();

  // ---- text access (text and categorical columns; "" for a null entry)
  std::string_view str(int64_t row) const;
  // Categories and codes of a categorical column.
  const std::vector<std::string>& categories() const;
  const std::vector<int32_t>& codes() const;

  // The entry as pandas would print it: numbers in their shortest exact form ("22",
  // "7.25"), text as is, "NaN" for a missing entry.
  std::string label(int64_t row) const;

  // ---- statistics over non-missing numbers (NaN when there are none), as pandas skipna
  double sum() const;
  double mean() const;
  double median() const;
  double std(int ddof = 1) const;
  double min() const;
  double max() const;

  // Distinct non-missing values as labels in pandas' category order: numbers ascending,
  // text in byte order, a categorical column's own category order.
  std::vector<std::string> unique() const;
  // (label, count) for each distinct non-missing value, most frequent first (ties in
  // unique() order), as value_counts().
  std::vector<std::pair<std::string, int64_t>> value_counts() const;
  // The most frequent value's label (the first in unique() order on ties); soma::Error
  // when every entry is missing. For filling a text column: fillna(col, c.mode()).
  std::string mode() const;
  // Masks for row selection: entries equal to a number / a text.
  std::vector<bool> equals(double v) const;
  std::vector<bool> equals(std::string_view v) const;

  // ---- editing
  void fillna(double v);
  void fillna(const std::string& v);
  // The rows `rows`, in that order (any row may repeat).
  Column take(std::span<const int64_t> rows) const;
  // Appends `other`'s rows; kinds must agree (int64 and float64 mix into float64;
  // categoricals merge their category lists, text and categorical give text).
  void append(const Column& other);

 private:
  std::string name_;
  Kind kind_ = Kind::Float64;
  std::vector<double> num_;        // Int64, Float64
  std::vector<std::string> str_;   // String
  std::vector<uint8_t> null_;      // String; empty when nothing is missing
  std::vector<std::string> cats_;  // Category
  std::vector<int32_t> codes_;     // Category
};

// A number in pandas' spelling: the shortest text that reads back exactly, with ".0"
// for whole numbers unless `integer` ("1" for an int64 column, "1.0" for a float64).
std::string format_number(double v, bool integer = false);

}  // namespace soma::data
