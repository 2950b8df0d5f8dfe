#pragma once
// The preprocessing of a tabular model as one object: the steps a configuration lists
// (fill missing values, one-hot encode, drop, standardise), fitted on the training frame
// once and then applied unchanged to validation, test and new data — scikit-learn's
// Pipeline of SimpleImputer, OneHotEncoder and StandardScaler. What fit learned (fill
// values, categories, means and scales, the input columns) is saved next to the model, so
// a saved model predicts without the training data:
//
//   data::Pipeline p({{.step = "fillna", .columns = {"Age"}, .strategy = "median"},
//                     {.step = "one_hot", .columns = {"Sex"}}},
//                    {"Age", "Sex", "Fare"}, "Survived");
//   DataFrame train = p.fit_transform(read_csv("train.csv"));
//   p.save(run / "pipeline.json");
//   ...
//   const auto q = data::Pipeline::load(run / "pipeline.json");
//   Tensor x = q.features(q.transform(read_csv("new.csv")), "new.csv");
//
// The saved form is JSON (format "soma-pipeline", version 1). Loading checks every field
// and throws soma::Error naming the file and the field; it never trusts a size or a name.
#include <string>
#include <string_view>
#include <vector>

#include "soma/data/encode.hpp"
#include "soma/data/frame.hpp"
#include "soma/data/preprocess_step.hpp"
#include "soma/data/scaler.hpp"

namespace soma::data {

class Pipeline {
 public:
  Pipeline() = default;
  // `inputs`: the feature columns a frame must have (empty: every column of the training
  // frame but the target, decided by fit). `target` passes through untransformed by the
  // steps that do not name it and is not a feature.
  Pipeline(std::vector<PreprocessStep> steps, std::vector<std::string> inputs, std::string target);

  // Learns each step in order on `train` (each step sees the previous one's output) and
  // returns the transformed training frame.
  DataFrame fit_transform(const DataFrame& train);
  Pipeline& fit(const DataFrame& train);

  // The input columns of `df` (and its target, if it has one) after every fitted step.
  DataFrame transform(const DataFrame& df) const;

  // The feature columns of a transformed frame as float32 [rows, outputs()]; `what` names
  // the data in the messages (a column left as text, a missing value left unfilled).
  Tensor features(const DataFrame& transformed, const std::string& what) const;

  bool fitted() const { return fitted_; }
  const std::vector<std::string>& inputs() const { return inputs_; }
  // The feature columns after the steps, in order (the model's inputs).
  const std::vector<std::string>& outputs() const { return outputs_; }
  const std::string& target() const { return target_; }

  std::string serialize() const;
  // `name` (a file name) starts every error message.
  static Pipeline deserialize(std::string_view text, const std::string& name);
  void save(const std::string& path) const;  // atomically: whole or not at all
  static Pipeline load(const std::string& path);

 private:
  // A step as fit left it: only the part its kind uses is filled.
  struct Fitted {
    std::string step;
    std::vector<std::string> columns;  // fillna and drop: the columns
    std::vector<double> numbers;       // fillna: the numeric fill value of each column
    std::vector<std::string> texts;    // fillna: the text fill value of each column
    std::vector<bool> is_text;         // fillna: which of the two a column uses
    DummyEncoder encoder{{}};          // one_hot
    StandardScaler scaler;             // standardize
  };
  static void apply(const Fitted& f, DataFrame& df);

  std::vector<PreprocessStep> steps_;
  std::vector<std::string> declared_inputs_;  // as constructed; inputs_ as fit resolved them
  std::vector<std::string> inputs_, outputs_;
  std::string target_;
  std::vector<Fitted> fitted_steps_;
  bool fitted_ = false;
};

}  // namespace soma::data
