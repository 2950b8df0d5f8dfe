// data::Pipeline against scikit-learn's SimpleImputer, OneHotEncoder and StandardScaler
// (tests/reference/pipeline_sklearn.py wrote the frames and the expected values), the
// saved form's round trip, and its reader's errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "fuzz_inputs.hpp"
#include "reference_table.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/read_file.hpp"
#include "soma/data/csv.hpp"
#include "soma/data/pipeline.hpp"

#define SOMA_FUZZ_NO_MAIN
#include "../../fuzz/pipeline_fuzz.cpp"

namespace {

using soma::data::DataFrame;
using soma::data::Pipeline;
using soma::data::PreprocessStep;

const std::filesystem::path kRef = std::filesystem::path(SOMA_SOURCE_DIR) / "tests/reference/data";

// The steps of tests/reference/pipeline_sklearn.py, in its order.
Pipeline reference_pipeline() {
  std::vector<PreprocessStep> steps = {
      {.step = "fillna", .columns = {"age"}, .strategy = "median"},
      {.step = "fillna", .columns = {"port"}, .strategy = "mode"},
      {.step = "fillna", .columns = {"fare"}, .strategy = "value", .value = 10},
      {.step = "drop", .columns = {"id"}},
      {.step = "one_hot", .columns = {"sex", "port", "pclass"}},
      {.step = "standardize", .columns = {"age", "fare"}},
  };
  return Pipeline(steps, {}, "y");
}

// Every "SPLIT.COLUMN" row of the reference table against the frame's column.
void expect_matches_reference(const DataFrame& df, const std::string& split) {
  const auto ref = soma::testing::read_reference_table("pipeline_sklearn.txt");
  int compared = 0;
  for (const auto& [key, want] : ref) {
    if (key.rfind(split + ".", 0) != 0) continue;
    const std::string name = key.substr(split.size() + 1);
    ASSERT_TRUE(df.contains(name)) << split << ": no column " << name;
    const auto& got = df[name].values();
    ASSERT_EQ(got.size(), want.size()) << key;
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 1e-12) << key << "[" << i << "]";
    ++compared;
  }
  EXPECT_EQ(compared, 9) << split;
}

TEST(Pipeline, MatchesScikitLearn) {
  Pipeline p = reference_pipeline();
  const DataFrame train = p.fit_transform(soma::data::read_csv(kRef / "pipeline_train.csv"));
  const DataFrame test = p.transform(soma::data::read_csv(kRef / "pipeline_test.csv"));
  expect_matches_reference(train, "train");
  // Port Q and pclass 4 occur in the test rows only: no column lights up for them, as
  // OneHotEncoder(handle_unknown="ignore") does.
  expect_matches_reference(test, "test");
  // Nine features (id dropped, the target kept apart), the inputs all but the target.
  EXPECT_EQ(p.outputs().size(), 9u);
  EXPECT_EQ(p.inputs(), (std::vector<std::string>{"id", "age", "fare", "sex", "port", "pclass"}));
  EXPECT_TRUE(train.contains("y"));
  const auto x = p.features(test, "test");
  EXPECT_EQ(x.size(0), 3);
  EXPECT_EQ(x.size(1), 9);
}

TEST(Pipeline, SavesWhatItFitted) {
  Pipeline p = reference_pipeline();
  p.fit(soma::data::read_csv(kRef / "pipeline_train.csv"));
  const auto ref = soma::testing::read_reference_table("pipeline_sklearn.txt");
  const auto j = nlohmann::json::parse(p.serialize());
  EXPECT_EQ(j["format"], "soma-pipeline");
  EXPECT_EQ(j["steps"][0]["fill"][0]["number"].get<double>(), ref.at("stat.age_median")[0]);
  const std::vector<std::string> ports = {"C", "S"};
  EXPECT_EQ(j["steps"][1]["fill"][0]["text"],
            ports.at(static_cast<size_t>(ref.at("stat.port_mode")[0])));
  EXPECT_EQ(j["steps"][2]["fill"][0]["number"].get<double>(), 10.0);
  const auto mean = j["steps"][5]["mean"].get<std::vector<double>>();
  const auto scale = j["steps"][5]["scale"].get<std::vector<double>>();
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_NEAR(mean[k], ref.at("stat.mean")[k], 1e-12);
    EXPECT_NEAR(scale[k], ref.at("stat.scale")[k], 1e-12);
  }
}

TEST(Pipeline, SaveLoadRoundTripIsExact) {
  Pipeline p = reference_pipeline();
  p.fit(soma::data::read_csv(kRef / "pipeline_train.csv"));
  const auto dir = std::filesystem::temp_directory_path() / "soma_pipeline_test";
  std::filesystem::create_directories(dir);
  p.save(dir / "pipeline.json");
  const Pipeline q = Pipeline::load(dir / "pipeline.json");
  std::filesystem::remove_all(dir);
  EXPECT_EQ(q.serialize(), p.serialize());
  EXPECT_EQ(q.inputs(), p.inputs());
  EXPECT_EQ(q.outputs(), p.outputs());
  EXPECT_EQ(q.target(), "y");
  // New data without the target: the same values, bit for bit, from either.
  DataFrame input = soma::data::read_csv(kRef / "pipeline_test.csv");
  input.drop({"y"});
  const DataFrame a = p.transform(input), b = q.transform(input);
  EXPECT_FALSE(b.contains("y"));
  for (const auto& name : p.outputs()) EXPECT_EQ(a[name].values(), b[name].values()) << name;
}

TEST(Pipeline, NewDataMissingAFeatureIsAnError) {
  Pipeline p = reference_pipeline();
  p.fit(soma::data::read_csv(kRef / "pipeline_train.csv"));
  DataFrame input = soma::data::read_csv(kRef / "pipeline_test.csv");
  input.drop({"sex"});
  try {
    (void)p.transform(input);
    FAIL() << "no error";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no column 'sex' (a feature of the model)"),
              std::string::npos)
        << e.what();
  }
}

TEST(Pipeline, FitErrorsNameTheStep) {
  Pipeline p({{.step = "fillna", .columns = {"sex"}, .strategy = "median"}}, {}, "y");
  try {
    p.fit(soma::data::read_csv(kRef / "pipeline_train.csv"));
    FAIL() << "no error";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("step 1 'fillna'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("needs a numeric column, 'sex'"), std::string::npos)
        << e.what();
  }
}

// A saved pipeline with `from` replaced by `to`, and what loading it must say.
struct Corruption {
  std::string from, to, expect;
};

TEST(Pipeline, LoadRejectsBadFilesNamingTheField) {
  Pipeline p = reference_pipeline();
  p.fit(soma::data::read_csv(kRef / "pipeline_train.csv"));
  const std::string good = p.serialize();
  const std::vector<Corruption> cases = {
      {"\"soma-pipeline\"", "\"other\"", "pipeline.format"},
      {"\"version\": 1", "\"version\": 2", "pipeline.version"},
      {"\"version\": 1", "\"version\": \"1\"", "pipeline.version"},
      {"\"step\": \"drop\"", "\"step\": \"scale\"", "pipeline.steps[3].step: unknown step"},
      {"\"mean\": [", "\"mean\": [1,", "pipeline.steps[5]: StandardScaler"},
      {"\"scale\": [", "\"scale\": [0,", "pipeline.steps[5]"},
      {"\"mean\": [", "\"mean\": [\"x\",", "pipeline.steps[5].mean: expected a number"},
      {"\"values\": [", "\"values\": [9,", "pipeline.steps[4]: DummyEncoder: column 'pclass'"},
      {"\"number\": 28.5", "\"number\": \"28.5\"", "pipeline.steps[0].fill[0]"},
      {"\"inputs\": [", "\"inputs\": [\"age\",", "pipeline.inputs: column 'age' named twice"},
      {"\"inputs\": [", "\"inputs\": [3,", "pipeline.inputs: expected an array of strings"},
      {"\"target\": \"y\"", "\"target\": \"age\"", "pipeline.target"},
      {"\"steps\": [", "\"steps\": {", "not a saved pipeline"},
      {"\"fill\"", "\"fil\"", "pipeline.steps[0].fill: missing"},
  };
  for (const auto& c : cases) {
    const size_t at = good.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    std::string bad = good;
    bad.replace(at, c.from.size(), c.to);
    SCOPED_TRACE(c.from + " -> " + c.to);
    try {
      (void)Pipeline::deserialize(bad, "run/pipeline.json");
      ADD_FAILURE() << "accepted";
    } catch (const soma::Error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind("run/pipeline.json: ", 0), 0u) << msg;
      EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
    }
  }
  // Cut anywhere, it is an error, never a pipeline with fewer steps.
  for (size_t n = 0; n + 2 < good.size(); n += 7)
    EXPECT_THROW((void)Pipeline::deserialize(good.substr(0, n), "cut"), soma::Error) << n;
  // Nesting far deeper than a pipeline has stops before the parser sees it.
  EXPECT_THROW(
      (void)Pipeline::deserialize(std::string(100000, '[') + std::string(100000, ']'), "deep"),
      soma::Error);
}

// What `make fuzz` started from and found, and mutations of it: load or soma::Error.
TEST(Pipeline, FuzzTargetSurvivesCommittedAndMutatedInputs) {
  // The corpus starts from saved pipelines that load (a text and a numeric one-hot).
  int loads = 0;
  for (const auto& s : soma::test::committed_fuzz_inputs("pipeline_fuzz")) {
    try {
      (void)Pipeline::deserialize(s, "corpus");
      ++loads;
    } catch (const soma::Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_GE(loads, 2);
  soma::test::replay_fuzz_target("pipeline_fuzz", soma_pipeline_fuzz_one, 20261207, 3000);
}

}  // namespace
