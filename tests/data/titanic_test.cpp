// The Titanic tutorial's preprocessing, start to end, on the real Kaggle files:
// median imputation from train, the cabin's letter, dummies with NaN columns of the
// tutorial's categorical_cols (Pclass, Sex, Embarked, Cabin Letter, SibSp) whose
// categories come from train (so test gets the same 31 columns), standardisation fitted
// on all of train.csv's rows (as the tutorial's scaler.fit(train_dummies)), balancing by
// undersampling, a 90/10 validation split and 41 mini-batches of 15.
// Column sums are checked against tests/reference/titanic_features.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "required_data.hpp"
#include "soma/data/csv.hpp"
#include "soma/data/encode.hpp"
#include "soma/data/loader.hpp"
#include "soma/data/scaler.hpp"
#include "soma/data/split.hpp"

using namespace soma;
using namespace soma::data;
namespace fs = std::filesystem;

namespace {

const fs::path kTitanic = fs::path(SOMA_SHARED_DATA) / "titanic";
const fs::path kReference = fs::path(SOMA_SOURCE_DIR) / "tests/reference/data";

struct Prepared {
  DataFrame train, test;
  std::vector<std::string> features;
  double age_median = 0, fare_median = 0;
};

// The tutorial's steps, as an example program would write them.
Prepared prepare() {
  Prepared p;
  const CsvOptions numeric = {.numeric = {"Age", "Fare", "SibSp", "Parch", "Pclass"}};
  p.train = read_csv(kTitanic / "train.csv", numeric);
  p.test = read_csv(kTitanic / "test.csv", numeric);

  // Missing ages and fares get the training median, in both frames.
  p.age_median = p.train["Age"].median();
  p.fare_median = p.train["Fare"].median();
  for (DataFrame* df : {&p.train, &p.test}) {
    df->fillna("Age", p.age_median).fillna("Fare", p.fare_median);
    df->str_slice("Cabin", 0, 1, "Cabin Letter");  // no cabin stays NaN
    df->drop({"PassengerId", "Name", "Ticket", "Cabin"});
  }
  // Categories from train only: cabin letter T exists in train.csv alone.
  DummyEncoder enc({"Pclass", "Sex", "Embarked", "Cabin Letter", "SibSp"}, {.dummy_na = true});
  enc.fit(p.train);
  p.train = enc.transform(p.train);
  p.test = enc.transform(p.test);
  p.features = {"Age", "Parch", "Fare"};
  for (const auto& f : enc.feature_names()) p.features.push_back(f);
  return p;
}

std::map<std::string, std::vector<double>> reference(const std::string& file) {
  auto df = read_csv(kReference / file);
  std::map<std::string, std::vector<double>> out;
  for (int64_t r = 0; r < df.rows(); ++r) {
    std::vector<double> row;
    for (int64_t j = 1; j < df.cols(); ++j) row.push_back(df.column(j).value(r));
    out[std::string(df.column(0).str(r))] = row;
  }
  return out;
}

}  // namespace

TEST(Titanic, ReadsTheKaggleFilesWithTheirQuotesAndGaps) {
  SOMA_REQUIRE_DATA(fs::exists(kTitanic / "train.csv"), "Titanic data at " << kTitanic);
  auto train = read_csv(kTitanic / "train.csv");
  EXPECT_EQ(train.rows(), 891);
  EXPECT_EQ(train.cols(), 12);
  EXPECT_EQ(train["Age"].count(), 714);
  EXPECT_EQ(train["Cabin"].count(), 204);
  EXPECT_EQ(train["Embarked"].count(), 889);
  EXPECT_EQ(train["Survived"].sum(), 342);
  const std::string info = train.info();
  EXPECT_NE(info.find(" 5   Age          714 non-null    float64"), std::string::npos) << info;
  EXPECT_NE(info.find(" 10  Cabin        204 non-null    object"), std::string::npos) << info;
  EXPECT_NE(info.find("dtypes: float64(2), int64(5), object(5)"), std::string::npos) << info;
  EXPECT_NE(info.find("memory usage: 83.7+ KB"), std::string::npos) << info;  // pandas' figure
  // A name with doubled quotes inside a quoted field.
  bool annie = false;
  for (int64_t r = 0; r < train.rows(); ++r)
    annie = annie || train["Name"].str(r) == "McGowan, Miss. Anna \"Annie\"";
  EXPECT_TRUE(annie);
  auto test = read_csv(kTitanic / "test.csv");
  EXPECT_EQ(test.rows(), 418);
  EXPECT_EQ(test["Fare"].count(), 417);
}

TEST(Titanic, PipelineGivesTheTutorials31AlignedFeatures) {
  SOMA_REQUIRE_DATA(fs::exists(kTitanic / "train.csv"), "Titanic data at " << kTitanic);
  const auto stats = reference("titanic_stats.csv");
  const auto sums = reference("titanic_features.csv");
  Prepared p = prepare();

  EXPECT_EQ(p.age_median, stats.at("age_median")[0]);
  EXPECT_EQ(p.fare_median, stats.at("fare_median")[0]);
  ASSERT_EQ(p.features.size(), 31u);
  ASSERT_EQ(static_cast<double>(p.features.size()), stats.at("features")[0]);
  // Same feature columns, same order, in train and test.
  auto train_cols = p.train.columns(), test_cols = p.test.columns();
  train_cols.erase(std::find(train_cols.begin(), train_cols.end(), "Survived"));
  EXPECT_EQ(train_cols, test_cols);
  EXPECT_EQ(train_cols, p.features);
  for (const auto& f : p.features) {
    ASSERT_TRUE(sums.count(f)) << f << " is not in the reference";
    EXPECT_NEAR(p.train[f].sum(), sums.at(f)[0], 1e-9 * (1 + sums.at(f)[0])) << f;
    EXPECT_NEAR(p.test[f].sum(), sums.at(f)[1], 1e-9 * (1 + sums.at(f)[1])) << f;
  }
  EXPECT_EQ(sums.size(), p.features.size());

  // Standardise on all 891 rows, then balance the classes and split 90/10.
  StandardScaler scaler;
  scaler.fit(p.train, p.features);
  scaler.transform(p.train);
  scaler.transform(p.test);
  for (const auto& f : p.features) {
    EXPECT_NEAR(p.train[f].mean(), 0.0, 1e-12) << f;
    // Constant columns (Pclass_nan, Sex_nan, SibSp_nan) become 0; all others std 1.
    if (p.train[f].max() > p.train[f].min())
      EXPECT_NEAR(p.train[f].std(0), 1.0, 1e-12) << f;
    else
      EXPECT_EQ(p.train[f].max(), 0.0) << f;
  }
  DataFrame balanced = undersample(p.train, "Survived", 42);
  EXPECT_EQ(balanced.rows(), 2 * 342);
  EXPECT_EQ(balanced["Survived"].sum(), 342);
  auto split = train_test_split(balanced.rows(), {.test_size = 0.1, .seed = 42});
  DataFrame tr = balanced.take(split.train), va = balanced.take(split.test);
  EXPECT_EQ(tr.rows(), 615);  // the tutorial's code; its text's 547/137 is test_size 0.2
  EXPECT_EQ(va.rows(), 69);

  // Into tensors and the tutorial's 41 batches of 15 (615 = 41 * 15).
  Tensor x = tr.to_tensor(p.features), y = tr.to_tensor({"Survived"}).flatten();
  EXPECT_EQ(x.shape(), (Shape{615, 31}));
  EXPECT_EQ(p.test.to_tensor(p.features).shape(), (Shape{418, 31}));
  DataLoader loader(TensorDataset(x, y), {.batch_size = 15, .shuffle = false});
  EXPECT_EQ(loader.size(), 41);
  int64_t rows = 0;
  double positives = 0;
  for (auto& [bx, by] : loader) {
    rows += bx.size(0);
    for (float v : by.to_vector<float>()) positives += v;
  }
  EXPECT_EQ(rows, 615);
  EXPECT_EQ(positives, tr["Survived"].sum());
}
