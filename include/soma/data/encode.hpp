#pragma once
// One-hot ("dummy") columns for categorical data, as pandas.get_dummies makes them:
// column "Sex" with values female/male becomes "Sex_female", "Sex_male" (0/1, int64),
// placed after the frame's other columns, and with dummy_na also "Sex_nan" for missing.
//
// A model trained on train.csv must see the same columns for test.csv even when a
// category occurs in only one of them (cabin deck "T" exists only in train). So the
// category set is learned once, from the training frame, and applied to every frame:
//
//   data::DummyEncoder enc({"Sex", "Embarked", "Deck"}, {.dummy_na = true});
//   enc.fit(train);
//   train = enc.transform(train);
//   test = enc.transform(test);     // same columns, same order
//
// A value the training frame never had is treated as missing, as pandas does with a
// fixed category list: it lights the "_nan" column with dummy_na, no column without.
#include <string>
#include <vector>

#include "soma/data/frame.hpp"

namespace soma::data {

struct DummyOptions {
  bool dummy_na = false;         // add COLUMN_nan for missing values
  bool drop_first = false;       // leave out each column's first category
  std::string prefix_sep = "_";  // between the column name and the category
};

class DummyEncoder {
 public:
  DummyEncoder(std::vector<std::string> columns, DummyOptions options = {});

  // Learns each column's categories (Column::unique order). Numeric, text and
  // categorical columns all work; numbers are matched by value.
  DummyEncoder& fit(const DataFrame& train);
  // Replaces the encoded columns of `df` by their dummy columns.
  DataFrame transform(const DataFrame& df) const;
  DataFrame fit_transform(const DataFrame& train) { return fit(train).transform(train); }

  bool fitted() const { return fitted_; }
  // The categories learned for `column`.
  const std::vector<std::string>& categories(const std::string& column) const;
  // Names of the dummy columns transform adds, in order.
  std::vector<std::string> feature_names() const;

  // What fit learned about one column: a saved pipeline (data/pipeline.hpp) stores it and
  // restores the encoder with from_fitted, without the training frame.
  struct Learned {
    std::string column{};
    bool numeric = false;
    bool integer = false;
    std::vector<std::string> labels{};
    std::vector<double> values{};  // numeric columns: the category values, ascending
  };
  const std::vector<Learned>& learned() const { return learned_; }
  // An encoder as fit left it; checks what transform relies on (one label per numeric
  // value, values strictly ascending, no column twice).
  static DummyEncoder from_fitted(std::vector<Learned> learned, DummyOptions options = {});

 private:
  std::vector<std::string> columns_;
  DummyOptions options_;
  std::vector<Learned> learned_;
  bool fitted_ = false;
};

// pandas.get_dummies(df, columns=..., dummy_na=...): categories from `df` itself.
// Encoding train and test separately can give them different columns; fit a
// DummyEncoder on train for data that must line up.
DataFrame get_dummies(const DataFrame& df, const std::vector<std::string>& columns,
                      const DummyOptions& options = {});

}  // namespace soma::data
