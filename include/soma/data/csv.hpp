#pragma once
// CSV files as RFC 4180 writes them: fields separated by commas, records by CRLF (or
// LF, or CR), fields in double quotes may hold commas, line breaks and doubled quotes
// ("" stands for "). The first record names the columns.
//
//   auto train = data::read_csv("train.csv", {.numeric = {"Age", "Fare"}});
//
// Each column becomes numeric when every non-missing field is a number (int64 when all
// are integers and none is missing, float64 otherwise) and text otherwise. Fields equal
// to one of `na_values`, quoted or not (as pandas), are missing: NaN in a numeric column,
// null in a text one. Blank lines are skipped; a UTF-8 byte-order mark is ignored.
// Malformed input throws soma::Error "FILE:LINE:COLUMN: what was expected": a record
// with more or fewer fields than the header, a quote that never closes, text after a
// closing quote, text in a column the caller declared numeric.
#include <string>
#include <string_view>
#include <vector>

#include "soma/data/frame.hpp"

namespace soma::data {

struct CsvOptions {
  // Columns that must be numeric: any other text there is an error with its position.
  std::vector<std::string> numeric = {};
  // Columns kept as text even when every field looks like a number (ids, codes).
  std::vector<std::string> text = {};
  // Columns made categorical after reading (astype_category).
  std::vector<std::string> category = {};
  // Fields read as missing; pandas' default list.
  std::vector<std::string> na_values = {"",   "#N/A", "#NA", "-NaN", "-nan", "<NA>", "N/A",
                                        "NA", "NULL", "NaN", "None", "n/a",  "nan",  "null"};
  char delimiter = ',';
};

// Reads a CSV file; error messages name it as given.
DataFrame read_csv(const std::string& path, const CsvOptions& options = {});
// Parses CSV text held in memory; `name` stands for the input in error messages.
DataFrame read_csv_string(std::string_view text, const CsvOptions& options = {},
                          const std::string& name = "<string>");

// The frame as RFC 4180 text with CRLF line ends: numbers in shortest exact form,
// missing entries empty, fields quoted where they hold a comma, quote, line break or
// edge space. (As in pandas, an empty text reads back as missing.)
std::string to_csv_string(const DataFrame& df);
// Writes to_csv_string(df) to `path` atomically.
void write_csv(const DataFrame& df, const std::string& path);

}  // namespace soma::data
