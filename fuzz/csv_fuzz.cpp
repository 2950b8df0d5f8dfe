// libFuzzer target for the CSV reader: any bytes must either parse or throw
// soma::Error, never crash, hang or read out of bounds. A frame that parses is also
// pushed through the operations that walk every cell (info, dummies, a round trip
// through to_csv_string), so their handling of odd content is fuzzed too.
//
//   clang++ -fsanitize=fuzzer,address -Iinclude fuzz/csv_fuzz.cpp ... && ./a.out corpus/
//
// tests/data/csv_fuzz_test.cpp includes this file with SOMA_FUZZ_NO_MAIN defined and
// calls soma_csv_fuzz_one directly, so CI runs it on generated inputs without libFuzzer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "soma/core/error.hpp"
#include "soma/data/csv.hpp"
#include "soma/data/encode.hpp"

inline int soma_csv_fuzz_one(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The first byte picks options, so declared-numeric columns and other delimiters
  // are reached as well.
  soma::data::CsvOptions options;
  if (size > 0) {
    if (data[0] & 1) options.delimiter = ';';
    if (data[0] & 2) options.na_values = {""};
  }
  try {
    auto df = soma::data::read_csv_string(text, options, "fuzz");
    (void)df.info();
    (void)df.to_string(5);
    const std::string csv = soma::data::to_csv_string(df);
    auto back = soma::data::read_csv_string(csv, {}, "fuzz-roundtrip");
    if (back.rows() != df.rows() && df.cols() > 0) __builtin_trap();
    if (df.cols() > 0) {
      const std::string first = df.column(0).name();
      (void)soma::data::get_dummies(df, {first}, {.dummy_na = true});
      if (df.column(0).is_numeric()) {
        (void)df.column(0).median();
        (void)df.column(0).mean();
      }
    }
  } catch (const soma::Error&) {
    // Malformed input is expected to throw soma::Error; anything else escapes.
  }
  return 0;
}

#ifndef SOMA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return soma_csv_fuzz_one(data, size);
}
#endif
