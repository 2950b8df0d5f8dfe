// The training configuration (soma::train::Config, what `soma train --config` reads): the
// default network, data preparation against values worked out by hand, and error messages
// that name the file, the line and the key.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/data/csv.hpp"
#include "soma/nn/conv.hpp"
#include "soma/nn/linear.hpp"
#include "soma/tensor/tensor.hpp"
#include "soma/train/config.hpp"
#include "soma/train/model_factory.hpp"
#include "soma/train/prepare.hpp"

#define SOMA_FUZZ_NO_MAIN
#include "../../fuzz/config_fuzz.cpp"
#include "fuzz_inputs.hpp"

namespace {

const std::filesystem::path kData = std::filesystem::path(SOMA_SOURCE_DIR) / "tests/cli/data";

// The message of the soma::Error that parsing `text` throws ("" when it parses).
std::string error_of(const std::string& text) {
  try {
    (void)soma::train::Config::from_toml(text, "cfg.toml");
  } catch (const soma::Error& e) {
    return e.what();
  }
  return "";
}

const std::string kModel = "[model]\nlayers = [{ type = \"relu\" }]\n";

TEST(TrainConfig, DefaultIsW5) {
  const auto c = soma::train::Config::defaults();
  EXPECT_EQ(c.data.format, "fashion-mnist");
  ASSERT_EQ(c.layers.size(), 10u);
  EXPECT_EQ(c.batch_size, 64);
  EXPECT_EQ(c.loss, "cross_entropy");
  // A tenth of the training images held out, so the default run reports validation
  // figures each epoch (the run's config.toml says so too).
  EXPECT_DOUBLE_EQ(c.validation_split, 0.1);
  EXPECT_NE(c.source_text.find("validation_split = 0.1"), std::string::npos);
  soma::Rng rng(1);
  auto model = soma::train::build_model(c, rng);
  // W5's parameter count: convs 1*32*9+32 and 32*64*9+64, linears 3136*128+128 and 128*10+10.
  int64_t params = 0;
  for (const auto& p : model->parameters()) params += p.numel();
  EXPECT_EQ(params, 320 + 18496 + 401536 + 1290);
  soma::NoGradGuard guard;
  const auto out = (*model)(soma::zeros({2, 1, 28, 28}));
  EXPECT_EQ(out.shape().str(), soma::Shape({2, 10}).str());
}

TEST(TrainConfig, ExampleTitanicParses) {
  const auto c =
      soma::train::Config::load(std::filesystem::path(SOMA_SOURCE_DIR) / "examples/titanic.toml");
  EXPECT_EQ(c.data.format, "csv");
  EXPECT_EQ(c.data.target, "Survived");
  EXPECT_EQ(c.data.preprocess.size(), 4u);
  EXPECT_TRUE(c.early_stopping.enabled);
  EXPECT_EQ(c.early_stopping.patience, 15);
}

struct BadCase {
  std::string text, where, key, what;
};

TEST(TrainConfig, ErrorsNameLineAndKey) {
  const std::vector<BadCase> cases = {
      {kModel + "[training]\nepochs = \"ten\"\n", "cfg.toml:4:", "training.epochs",
       "expected an integer"},
      {kModel + "[training]\nepoch = 3\n", "cfg.toml:4:", "training.epoch", "unknown key"},
      {kModel + "[training]\nloss = \"hinge\"\n", "cfg.toml:4:", "training.loss",
       "unknown value 'hinge'"},
      {kModel + "[training]\n\nbatch_size = 0\n", "cfg.toml:5:", "training.batch_size", ">= 1"},
      {kModel + "[training]\nvalidation_split = 1.5\n", "cfg.toml:4:", "training.validation_split",
       "[0, 1)"},
      {kModel + "[training]\nlr = -1\n", "cfg.toml:4:", "training.lr", "positive"},
      {kModel + "[training.early_stopping]\npatience = 3\n",
       "cfg.toml:3:", "training.early_stopping.monitor", "validation_split"},
      {"[model]\nlayers = [\n  { type = \"linear\", in = 3 },\n]\n",
       "cfg.toml:3:", "model.layers[0].out", "missing"},
      {"[model]\nlayers = [\n  { type = \"relu\" },\n  { type = \"conv3d\" },\n]\n",
       "cfg.toml:4:", "model.layers[1].type", "unknown value 'conv3d'"},
      {"[model]\nlayers = [\n  { type = \"linear\", in = 0, out = 2 },\n]\n",
       "cfg.toml:3:", "model.layers[0].in", "positive"},
      // Sizes near 2^63 once ended in SIGSEGV (a wrapped shape product) or bad_alloc.
      {"[model]\nlayers = [\n  { type = \"linear\", in = 2, out = 9223372036854775807 },\n]\n",
       "cfg.toml:3:", "model.layers[0].out", "at most 16777216"},
      {"[model]\nlayers = [\n  { type = \"linear\", in = 2, out = 4611686018427387904 },\n]\n",
       "cfg.toml:3:", "model.layers[0].out", "at most 16777216"},
      {"[model]\nlayers = [\n  { type = \"conv2d\", in = 1, out = 8, kernel = 100000000000 },\n]\n",
       "cfg.toml:3:", "model.layers[0].kernel", "at most 16777216"},
      {"[model]\nlayers = [\n  { type = \"batchnorm1d\", features = 100000000000 },\n]\n",
       "cfg.toml:3:", "model.layers[0].features", "at most 16777216"},
      {"[model]\nlayers = [\n  { type = \"dropout\", p = 1.0 },\n]\n",
       "cfg.toml:3:", "model.layers[0].p", "p < 1"},
      {"[model]\nlayers = []\n", "cfg.toml:2:", "model.layers", "at least one"},
      {"[training]\nepochs = 2\n", "cfg.toml", "model", "missing"},
      {"[data]\nformat = \"parquet\"\n" + kModel, "cfg.toml:2:", "data.format", "unknown value"},
      {"[data]\nformat = \"csv\"\ntrain = \"x.csv\"\n" + kModel, "cfg.toml:1:", "data.target",
       "missing"},
      {"[data]\nformat = \"idx\"\ntrain_images = \"a\"\n" + kModel,
       "cfg.toml:1:", "data.train_labels", "missing"},
      {"[data]\nformat = \"csv\"\ntrain = \"x.csv\"\ntarget = \"y\"\npreprocess = [\n  { step = "
       "\"fillna\", "
       "columns = [\"a\"], strategy = \"mean\", value = 3 },\n]\n" +
           kModel,
       "cfg.toml:6:", "data.preprocess[0].value", "strategy = \"value\""},
      {"[data]\nformat = \"csv\"\ntrain = \"x.csv\"\ntarget = \"y\"\ntest_split = 2\n" + kModel,
       "cfg.toml:5:", "data.test_split", "between 0 and 1"},
      {"[data]\nformat = \"fashion-mnist\"\ndir = 3\n" + kModel, "cfg.toml:3:", "data.dir",
       "expected a string"},
      {"[training\nepochs = 2\n", "cfg.toml:1:", "",
       ""},  // TOML syntax error: toml++'s own message
      {"colour = \"red\"\n" + kModel, "cfg.toml:1:", "colour", "unknown key"},
  };
  for (const auto& c : cases) {
    const std::string msg = error_of(c.text);
    SCOPED_TRACE(c.text);
    ASSERT_FALSE(msg.empty()) << "no error";
    EXPECT_EQ(msg.rfind(c.where, 0), 0u) << msg;
    EXPECT_NE(msg.find(c.key), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.what), std::string::npos) << msg;
  }
}

TEST(TrainConfig, CsvPreprocessingMatchesHandComputation) {
  const auto c = soma::train::Config::load(kData / "tiny.toml");
  const auto d = soma::train::prepare_data(c);
  // After fillna(c, median of 4, 6, 8 = 6), one-hot of b and standardising a
  // (mean 2.5, population std sqrt(1.25)), fitted on the training rows only.
  ASSERT_EQ(d.feature_names.size(), 4u);
  const auto col = [&](const soma::Tensor& x, const std::string& name) {
    size_t j = 0;
    while (j < d.feature_names.size() && d.feature_names[j] != name) ++j;
    EXPECT_LT(j, d.feature_names.size()) << name;
    std::vector<double> v;
    const auto xc = x.contiguous();
    for (int64_t i = 0; i < x.size(0); ++i)
      v.push_back(xc.data_ptr<float>()[i * x.size(1) + static_cast<int64_t>(j)]);
    return v;
  };
  const double sd = std::sqrt(1.25);
  const auto a = col(d.train_x, "a");
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(a[i], (i + 1 - 2.5) / sd, 1e-6);
  EXPECT_EQ(col(d.train_x, "c"), (std::vector<double>{6, 4, 6, 8}));
  EXPECT_EQ(col(d.train_x, "b_x"), (std::vector<double>{1, 0, 1, 0}));
  EXPECT_EQ(col(d.train_x, "b_y"), (std::vector<double>{0, 1, 0, 1}));
  // The test rows use the training statistics: c's gap gets the training median 6.
  EXPECT_EQ(col(d.test_x, "c"), (std::vector<double>{6, 2}));
  const auto ta = col(d.test_x, "a");
  EXPECT_NEAR(ta[0], (5 - 2.5) / sd, 1e-6);
  EXPECT_NEAR(ta[1], (0 - 2.5) / sd, 1e-6);
  EXPECT_EQ(d.num_classes, 2);
  EXPECT_EQ(d.train_y.dtype(), soma::kInt64);
  // The fitted pipeline applies the same steps to new data without the target.
  auto input = soma::data::read_csv(kData / "tiny_test.csv");
  input.drop({"y"});
  const auto x = d.pipeline.features(d.pipeline.transform(input), "tiny_test.csv");
  EXPECT_EQ(col(x, "c"), (std::vector<double>{6, 2}));
}

TEST(TrainConfig, CsvErrorsNameTheColumn) {
  auto c = soma::train::Config::load(kData / "tiny.toml");
  c.data.target = "survived";
  try {
    (void)soma::train::prepare_data(c);
    FAIL() << "no error";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no column 'survived'"), std::string::npos) << e.what();
  }
  c = soma::train::Config::load(kData / "tiny.toml");
  c.data.preprocess.erase(c.data.preprocess.begin());  // leave c's gap unfilled
  try {
    (void)soma::train::prepare_data(c);
    FAIL() << "no error";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'c' has 1 missing"), std::string::npos) << e.what();
  }
}

// The fuzz target on mutations of real configurations: parse or soma::Error, nothing else.
TEST(TrainConfig, FuzzMutationsNeverCrash) {
  std::vector<std::string> seeds = {
      soma::train::Config::default_text(), soma::read_file(kData / "tiny.toml"),
      soma::read_file(std::filesystem::path(SOMA_SOURCE_DIR) / "examples/titanic.toml")};
  std::mt19937 gen(1234);
  for (const auto& s : seeds) {
    for (int round = 0; round < 300; ++round) {
      std::string m = s;
      const int edits = 1 + static_cast<int>(gen() % 4);
      for (int e = 0; e < edits && !m.empty(); ++e) {
        const size_t pos = gen() % m.size();
        switch (gen() % 4) {
          case 0:
            m[pos] = static_cast<char>(gen() % 256);
            break;
          case 1:
            m.erase(pos, 1 + gen() % 8);
            break;
          case 2:
            m.insert(pos, m.substr(gen() % m.size(), gen() % 16));
            break;
          default:
            m[pos] = "0123456789-=\"[]{},.\n"[gen() % 20];
            break;
        }
      }
      soma_config_fuzz_one(reinterpret_cast<const uint8_t*>(m.data()), m.size());
    }
  }
  SUCCEED();
}

// What `make fuzz` started from and what it found (fuzz/corpus, fuzz/regressions).
TEST(TrainConfig, FuzzTargetSurvivesCommittedInputs) {
  const auto inputs = soma::test::committed_fuzz_inputs("config_fuzz");
  ASSERT_FALSE(inputs.empty()) << "no fuzz/corpus/config_fuzz";
  for (const auto& s : inputs)
    soma_config_fuzz_one(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace

// Issue 18: an option aggregate written with one designated member compiles cleanly
// under -Wextra (-Wmissing-field-initializers), as users write them; the test file is
// built with the project's -Wall -Wextra -Werror, so a member without a default fails it.
TEST(ConfigAggregates, OneDesignatedMemberIsEnough) {
  const soma::train::DataConfig data{.format = "csv"};
  const soma::train::LayerConfig layer{.in = 2};
  const soma::train::Config config{.lr = 0.1};
  const soma::train::EarlyStoppingConfig stop{.enabled = true};
  EXPECT_EQ(data.test_split, 0.2);
  EXPECT_TRUE(data.train.empty());
  EXPECT_EQ(layer.num_layers, 1);
  EXPECT_EQ(config.epochs, 2);
  EXPECT_EQ(stop.patience, 5);
}
