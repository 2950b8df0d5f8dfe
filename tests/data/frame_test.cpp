// DataFrame operations on small frames whose right answers can be worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "soma/core/error.hpp"
#include "soma/data/csv.hpp"
#include "soma/data/encode.hpp"
#include "soma/data/frame.hpp"

using namespace soma::data;

namespace {

DataFrame people() {
  return read_csv_string(
      "id,sex,age,cabin,port,y\n"
      "1,male,22,,S,0\n"
      "2,female,38,C85,C,1\n"
      "3,female,,,S,1\n"
      "4,female,35,C123,S,1\n"
      "5,male,35,,,0\n"
      "6,male,,B5,Q,0\n"
      "7,male,54,E46,S,0\n");
}

}  // namespace

TEST(Frame, InfoListsNonNullCountsAndDtypes) {
  const std::string info = people().info();
  EXPECT_NE(info.find("RangeIndex: 7 entries, 0 to 6"), std::string::npos) << info;
  EXPECT_NE(info.find("Data columns (total 6 columns):"), std::string::npos);
  EXPECT_NE(info.find(" 2   age     5 non-null      float64"), std::string::npos) << info;
  EXPECT_NE(info.find(" 3   cabin   4 non-null      object"), std::string::npos) << info;
  EXPECT_NE(info.find(" 0   id      7 non-null      int64"), std::string::npos) << info;
  EXPECT_NE(info.find("dtypes: float64(1), int64(2), object(3)"), std::string::npos) << info;
  // 6 columns x 7 rows x 8 bytes + 128 bytes of index = 464 bytes, "+" for the text.
  EXPECT_NE(info.find("memory usage: 464.0+ bytes"), std::string::npos) << info;
}

TEST(Frame, MedianMeanStdSkipMissingValues) {
  auto df = people();
  // ages 22, 38, 35, 35, 54: sorted 22 35 35 38 54.
  EXPECT_EQ(df["age"].median(), 35.0);
  EXPECT_DOUBLE_EQ(df["age"].mean(), 184.0 / 5);
  const double m = 184.0 / 5;
  const double ss =
      (22 - m) * (22 - m) + (38 - m) * (38 - m) + 2 * (35 - m) * (35 - m) + (54 - m) * (54 - m);
  EXPECT_DOUBLE_EQ(df["age"].std(), std::sqrt(ss / 4));
  EXPECT_DOUBLE_EQ(df["age"].std(0), std::sqrt(ss / 5));
  EXPECT_EQ(df["age"].min(), 22.0);
  EXPECT_EQ(df["age"].max(), 54.0);
  // Even count: the mean of the two middle values.
  EXPECT_EQ(read_csv_string("v\n4\n1\n3\n2\n")["v"].median(), 2.5);
  EXPECT_THROW(df["sex"].median(), soma::Error);
}

TEST(Frame, FillnaDropRenameAndErrorsNamingColumns) {
  auto df = people();
  df.fillna("age", df["age"].median()).fillna("port", std::string("S"));
  EXPECT_EQ(df["age"].count(), 7);
  EXPECT_EQ(df["age"].value(2), 35.0);
  EXPECT_EQ(df["port"].str(4), "S");
  df.drop({"id", "cabin"}).rename("y", "survived");
  EXPECT_EQ(df.columns(), (std::vector<std::string>{"sex", "age", "port", "survived"}));
  try {
    df.drop({"sex", "nope"});
    FAIL() << "no error";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no column 'nope'"), std::string::npos);
  }
  EXPECT_EQ(df.cols(), 4);  // nothing was dropped
  EXPECT_THROW(df.fillna("sex", 1.0), soma::Error);
}

TEST(Frame, StrSliceKeepsMissingAndFollowsPythonBounds) {
  auto df = people();
  df.str_slice("cabin", 0, 1, "deck");
  EXPECT_EQ(df["deck"].str(1), "C");
  EXPECT_TRUE(df["deck"].is_null(0));
  EXPECT_EQ(df["deck"].unique(), (std::vector<std::string>{"B", "C", "E"}));
  df.str_slice("cabin", -2, 100);
  EXPECT_EQ(df["cabin"].str(3), "23");
  EXPECT_EQ(df["cabin"].str(5), "B5");
  df.str_slice("cabin", 5, 2);
  EXPECT_EQ(df["cabin"].str(1), "");
  EXPECT_FALSE(df["cabin"].is_null(1));
}

TEST(Frame, CategoricalCodesAndValueCounts) {
  auto df = people();
  EXPECT_EQ(df.codes("port"), (std::vector<int64_t>{2, 0, 2, 2, -1, 1, 2}));
  df.astype_category("port");
  EXPECT_EQ(df["port"].dtype(), std::string("category"));
  EXPECT_EQ(df["port"].categories(), (std::vector<std::string>{"C", "Q", "S"}));
  EXPECT_EQ(df.codes("port"), (std::vector<int64_t>{2, 0, 2, 2, -1, 1, 2}));
  const auto vc = df["port"].value_counts();
  ASSERT_EQ(vc.size(), 3u);
  EXPECT_EQ(vc[0], (std::pair<std::string, int64_t>{"S", 4}));
  EXPECT_EQ(vc[1], (std::pair<std::string, int64_t>{"C", 1}));
  EXPECT_EQ(df["port"].mode(), "S");
  EXPECT_EQ(people()["sex"].mode(), "male");
  EXPECT_THROW(read_csv_string("a,b\n1,\n")["b"].mode(), soma::Error);
  // A fixed category list: values outside it become NaN.
  auto g = people().astype_category("port", {"S", "C"});
  EXPECT_EQ(g.codes("port"), (std::vector<int64_t>{0, 1, 0, 0, -1, -1, 0}));
  // Numbers as categories sort by value, not text.
  auto n = read_csv_string("k\n10\n9\n10\n");
  EXPECT_EQ(n["k"].unique(), (std::vector<std::string>{"9", "10"}));
  EXPECT_EQ(n.codes("k"), (std::vector<int64_t>{1, 0, 1}));
}

TEST(Frame, GetDummiesWithAndWithoutNaNColumns) {
  auto df = people();
  auto d = get_dummies(df, {"sex", "port"});
  EXPECT_EQ(d.columns(), (std::vector<std::string>{"id", "age", "cabin", "y", "sex_female",
                                                   "sex_male", "port_C", "port_Q", "port_S"}));
  EXPECT_EQ(d["port_S"].values(), (std::vector<double>{1, 0, 1, 1, 0, 0, 1}));
  EXPECT_EQ(d["port_C"].kind(), Kind::Int64);
  auto na = get_dummies(df, {"port"}, {.dummy_na = true});
  EXPECT_EQ(na["port_nan"].values(), (std::vector<double>{0, 0, 0, 0, 1, 0, 0}));
  // Every row lights exactly one column of the group.
  for (int64_t r = 0; r < na.rows(); ++r)
    EXPECT_EQ(na["port_C"].value(r) + na["port_Q"].value(r) + na["port_S"].value(r) +
                  na["port_nan"].value(r),
              1.0);
  // Numeric columns are labelled as pandas labels them.
  auto y = get_dummies(df, {"y"}, {.drop_first = true});
  EXPECT_TRUE(y.contains("y_1"));
  EXPECT_FALSE(y.contains("y_0"));
  auto f = get_dummies(read_csv_string("v\n1.5\n2\n"), {"v"});
  EXPECT_EQ(f.columns(), (std::vector<std::string>{"v_1.5", "v_2.0"}));
}

TEST(Frame, DummyEncoderGivesTestTheTrainingColumns) {
  auto train = people();
  auto test = read_csv_string("id,sex,port\n8,female,C\n9,male,X\n10,male,\n");
  DummyEncoder enc({"port", "sex"}, {.dummy_na = true});
  auto a = enc.fit_transform(train);
  auto b = enc.transform(test);
  const auto names = enc.feature_names();
  EXPECT_EQ(names, (std::vector<std::string>{"port_C", "port_Q", "port_S", "port_nan", "sex_female",
                                             "sex_male", "sex_nan"}));
  for (const auto& n : names) {
    EXPECT_TRUE(a.contains(n)) << n;
    EXPECT_TRUE(b.contains(n)) << n;
  }
  // "X" was never seen in training: it counts as missing.
  EXPECT_EQ(b["port_nan"].values(), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(b["port_C"].values(), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(b["port_Q"].values(), (std::vector<double>{0, 0, 0}));
  // pandas.get_dummies on test alone gives other columns; that is what the encoder prevents.
  EXPECT_FALSE(get_dummies(test, {"port"}).contains("port_S"));
  EXPECT_THROW(DummyEncoder({"port"}).transform(test), soma::Error);
}

TEST(Frame, TakeFilterSampleAndShuffle) {
  auto df = people();
  const std::vector<int64_t> rows = {6, 0, 0};
  auto t = df.take(rows);
  EXPECT_EQ(t["id"].values(), (std::vector<double>{7, 1, 1}));
  auto f = df.filter(df["y"].equals(1.0));
  EXPECT_EQ(f["id"].values(), (std::vector<double>{2, 3, 4}));
  EXPECT_EQ(df.filter(df["sex"].equals("male")).rows(), 4);
  EXPECT_EQ(df.head(2).rows(), 2);

  auto s = df.sample(0.5, 7);  // round(3.5) = 4 rows, distinct
  EXPECT_EQ(s.rows(), 4);
  std::set<double> ids(s["id"].values().begin(), s["id"].values().end());
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(s["id"].values(), df.sample(0.5, 7)["id"].values());  // same seed, same rows
  auto sh = df.shuffle(3);
  std::multiset<double> all(sh["id"].values().begin(), sh["id"].values().end());
  EXPECT_EQ(all, (std::multiset<double>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_THROW(df.sample(1.5, 0), soma::Error);
}

TEST(Frame, ConcatStacksRowsAndFillsAbsentColumns) {
  auto a = read_csv_string("x,s\n1,a\n2,b\n");
  auto b = read_csv_string("x,t\n3.5,u\n");
  auto c = concat(a, b);
  EXPECT_EQ(c.rows(), 3);
  EXPECT_EQ(c.columns(), (std::vector<std::string>{"x", "s", "t"}));
  EXPECT_EQ(c["x"].values(), (std::vector<double>{1, 2, 3.5}));
  EXPECT_EQ(c["x"].kind(), Kind::Float64);
  EXPECT_TRUE(c["s"].is_null(2));
  EXPECT_TRUE(c["t"].is_null(0));
  EXPECT_EQ(c["t"].str(2), "u");
  EXPECT_THROW(concat(a, read_csv_string("x\nq\n")), soma::Error);  // number with text
}

TEST(Frame, UndersampleBalancesClassesToTheSmallest) {
  auto df = people();  // y: three 1s, four 0s
  auto u = undersample(df, "y", 11);
  EXPECT_EQ(u.rows(), 6);
  EXPECT_EQ(u["y"].sum(), 3.0);
  // Every survivor kept (the smallest class is whole), rows in their original order.
  auto ids = u["id"].values();
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  for (double id : {2.0, 3.0, 4.0}) EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end());
  EXPECT_EQ(undersample(df, "y", 11)["id"].values(), ids);
  EXPECT_EQ(undersample(df, "sex", 1).rows(), 6);  // text labels too
}

TEST(Frame, ToMatrixRejectsTextAndKeepsColumnOrder) {
  auto df = people();
  const auto m = df.to_matrix({"y", "id"});
  ASSERT_EQ(m.size(), 14u);
  EXPECT_EQ(m[0], 0.0);
  EXPECT_EQ(m[1], 1.0);
  EXPECT_EQ(m[2], 1.0);
  EXPECT_EQ(m[3], 2.0);
  EXPECT_THROW(df.to_matrix({"sex"}), soma::Error);
  EXPECT_NE(df.to_string(3).find("female"), std::string::npos);
}
