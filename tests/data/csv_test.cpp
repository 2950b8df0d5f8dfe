// CSV reading: RFC 4180 quoting, line ends, type inference, missing values, and the
// position every malformed input is reported at.
#include <gtest/gtest.h>

#include <unistd.h>
#include "error_of.hpp"

#include <cmath>
#include <filesystem>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/data/csv.hpp"

using soma::data::CsvOptions;
using soma::data::Kind;
using soma::data::read_csv_string;

namespace {

using soma::test::error_of;

}  // namespace

TEST(Csv, QuotesDoubledQuotesEmbeddedCommasAndLineBreaks) {
  const std::string text =
      "id,name,note\r\n"
      "1,\"McGowan, Miss. Anna \"\"Annie\"\"\",plain\r\n"
      "2,\"two\r\nlines\",\"\"\r\n"
      "3,,\"a,b\"\r\n";
  auto df = read_csv_string(text);
  ASSERT_EQ(df.rows(), 3);
  ASSERT_EQ(df.cols(), 3);
  EXPECT_EQ(df["name"].str(0), "McGowan, Miss. Anna \"Annie\"");
  EXPECT_EQ(df["name"].str(1), "two\r\nlines");
  EXPECT_TRUE(df["name"].is_null(2));
  EXPECT_TRUE(df["note"].is_null(1));  // "" is missing, as in pandas
  EXPECT_EQ(df["note"].str(2), "a,b");
  EXPECT_EQ(df["id"].kind(), Kind::Int64);
}

TEST(Csv, LfCrlfAndLoneCrEndLinesAlikeAndBlankLinesAreSkipped) {
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    auto df = read_csv_string("a,b" + eol + "1,x" + eol + eol + "2,y" + eol);
    ASSERT_EQ(df.rows(), 2) << "eol " << eol.size();
    EXPECT_EQ(df["a"].value(1), 2.0);
    EXPECT_EQ(df["b"].str(1), "y");
  }
  // No line end after the last record; a byte-order mark before the header.
  auto df = read_csv_string("\xEF\xBB\xBFx,y\n1,2");
  EXPECT_EQ(df.columns(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(df["y"].value(0), 2.0);
}

TEST(Csv, NumericColumnsGetNaNForEmptyFieldsAndTypesFollowPandas) {
  auto df = read_csv_string("i,f,g,s\n1,2.5,,a\n2,,-3e2,b\n3,7,+4,\n");
  EXPECT_EQ(df["i"].kind(), Kind::Int64);
  EXPECT_EQ(df["f"].kind(), Kind::Float64);
  EXPECT_TRUE(std::isnan(df["f"].value(1)));
  EXPECT_EQ(df["g"].kind(), Kind::Float64);  // an integer column with a gap is float64
  EXPECT_EQ(df["g"].value(1), -300.0);
  EXPECT_EQ(df["g"].value(2), 4.0);
  EXPECT_EQ(df["s"].kind(), Kind::String);
  EXPECT_EQ(df["s"].count(), 2);
  EXPECT_EQ(df["f"].count(), 2);
}

TEST(Csv, OptionsForceTextCategoriesAndMissingMarkers) {
  CsvOptions o;
  o.text = {"zip"};
  o.category = {"c"};
  o.na_values = {"-"};
  auto df = read_csv_string("zip,c,v\n01234,b,-\n99999,a,\n", o);
  EXPECT_EQ(df["zip"].kind(), Kind::String);
  EXPECT_EQ(df["zip"].str(0), "01234");
  EXPECT_EQ(df["c"].kind(), Kind::Category);
  EXPECT_EQ(df["c"].categories(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(df["c"].codes(), (std::vector<int32_t>{1, 0}));
  // Only "-" is missing now; the empty field is an empty text, so v is text.
  EXPECT_EQ(df["v"].kind(), Kind::String);
  EXPECT_TRUE(df["v"].is_null(0));
  EXPECT_FALSE(df["v"].is_null(1));
}

TEST(Csv, HeaderNamesAreMadeUniqueAndEmptyNamesNamed) {
  auto df = read_csv_string("a,a,,a\n1,2,3,4\n");
  EXPECT_EQ(df.columns(), (std::vector<std::string>{"a", "a.1", "Unnamed: 2", "a.2"}));
}

TEST(Csv, RaggedRowsNameExpectedAndFoundFieldCounts) {
  EXPECT_EQ(error_of([] { read_csv_string("a,b,c\n1,2,3\n4,5,6,7\n", {}, "t.csv"); }),
            "t.csv:3:7: expected 3 fields as in the header, found 4");
  EXPECT_EQ(error_of([] { read_csv_string("a,b,c\r\n1,2\r\n", {}, "t.csv"); }),
            "t.csv:2:4: expected 3 fields as in the header, found 2");
  // The line count goes on through a quoted line break.
  EXPECT_EQ(error_of([] { read_csv_string("a,b\n\"x\ny\",1\n1\n", {}, "t.csv"); }),
            "t.csv:4:2: expected 2 fields as in the header, found 1");
}

TEST(Csv, UnterminatedQuoteIsReportedWhereItOpens) {
  EXPECT_EQ(error_of([] { read_csv_string("a,b\n1,\"open\n2,3\n", {}, "q.csv"); }),
            "q.csv:2:3: quoted field is never closed: no matching '\"' before the end of input");
  EXPECT_EQ(error_of([] { read_csv_string("a,b\n1,\"x\"y\n", {}, "q.csv"); }),
            "q.csv:2:6: expected ',' or a line end after the closing quote, got 'y'");
}

TEST(Csv, TextInAColumnDeclaredNumericIsAnErrorWithItsPosition) {
  CsvOptions o;
  o.numeric = {"Age"};
  EXPECT_EQ(error_of([&] { read_csv_string("Name,Age\n\"A, B\",22\nC,abc\n", o, "train.csv"); }),
            "train.csv:3:3: expected a number in column 'Age', got 'abc'");
  // Undeclared, the same column is simply text.
  EXPECT_EQ(read_csv_string("Name,Age\nC,abc\n")["Age"].kind(), Kind::String);
  // A declared column the header lacks is named.
  o.numeric = {"Fare"};
  EXPECT_NE(error_of([&] { read_csv_string("a\n1\n", o, "x.csv"); }).find("'Fare'"),
            std::string::npos);
  EXPECT_EQ(error_of([] { read_csv_string("", {}, "e.csv"); }),
            "e.csv:1: empty input: expected a header line naming the columns");
}

TEST(Csv, WritesWhatItReadsBack) {
  auto df = read_csv_string("n,s,f\n1,\"a,\"\"b\"\"\",1.5\n2,,\n3,\" x\",0.1\n");
  const std::string text = soma::data::to_csv_string(df);
  EXPECT_EQ(text, "n,s,f\r\n1,\"a,\"\"b\"\"\",1.5\r\n2,,\r\n3,\" x\",0.1\r\n");
  auto back = read_csv_string(text);
  EXPECT_EQ(back["s"].str(0), "a,\"b\"");
  EXPECT_TRUE(back["s"].is_null(1));
  EXPECT_EQ(back["f"].value(2), 0.1);

  namespace fs = std::filesystem;
  const fs::path path =
      fs::temp_directory_path() / ("soma-csv-" + std::to_string(::getpid()) + ".csv");
  soma::data::write_csv(df, path);
  EXPECT_EQ(soma::read_file(path), text);
  EXPECT_EQ(soma::data::read_csv(path)["n"].value(2), 3.0);
  fs::remove(path);
  EXPECT_NE(error_of([] { soma::data::read_csv("/nonexistent/x.csv"); }).find("/nonexistent/x.csv"),
            std::string::npos);
}
