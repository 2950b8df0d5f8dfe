#pragma once
// What `soma train --config FILE.toml` trains: the data, the network and how long.
//
//   [data]  format = "fashion-mnist" | "idx" | "csv", with the files and preprocessing
//   [model] layers = [{type = "conv2d", in = 1, out = 32, kernel = 3, padding = 1}, ...]
//   [training] loss, optimizer, lr, lr_schedule, epochs, batch_size, validation_split, seed,
//              [training.early_stopping]
//
// A plain struct: Config::from_toml fills it, checking every key; programs may also fill
// it by hand. Every parse error names the file, the line and the key (soma::Error
// "FILE:LINE:COL: key: ..."). The default configuration is a small CNN on Fashion-MNIST.
// model_factory.hpp builds the network it describes, prepare.hpp its data.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "soma/data/preprocess_step.hpp"

namespace soma::train {

struct DataConfig {
  std::string format = "fashion-mnist";  // or "idx", "csv"
  std::string dir{};  // fashion-mnist: directory of the IDX files (empty: Debian's)
  std::string train_images{}, train_labels{}, test_images{}, test_labels{};  // idx
  std::string train{}, test{};          // csv: files (test optional: then test_split of train)
  std::string target{};                 // csv: the label column
  std::vector<std::string> features{};  // csv: input columns (empty: all but target)
  std::vector<data::PreprocessStep> preprocess{};  // csv: fitted on train (data::Pipeline)
  double test_split = 0.2;                         // csv without a test file
};

struct LayerConfig {
  std::string type{};  // conv2d, maxpool2d, avgpool2d, flatten, linear, relu, sigmoid, tanh,
                       // dropout, batchnorm1d, batchnorm2d, leaky_relu, lstm, gru, rnn
  int64_t in = 0, out = 0, kernel = 0, stride = 0, padding = 0;
  int64_t num_layers = 1;  // lstm, gru, rnn: stacked layers
  double p = 0.5;          // dropout
  double slope = 0.01;     // leaky_relu
  int64_t line = 0;        // where it was written, for error messages
};

struct EarlyStoppingConfig {
  bool enabled = false;
  std::string monitor = "valid_loss";
  int64_t patience = 5;
  double min_delta = 0;
};

struct Config {
  std::string source_name = "<default>";  // the file, for error messages
  std::string source_text{};              // the TOML itself, saved with a run
  DataConfig data{};
  std::vector<LayerConfig> layers{};
  std::string loss = "cross_entropy";  // or "bce", "bce_with_logits", "mse"
  std::string optimizer = "adam";      // or "sgd", "adamw"
  double lr = 1e-3, momentum = 0, weight_decay = 0;
  // "constant", or "cosine": after each batch, lr = lr * (1 + cos(pi * steps done / steps in
  // all)) / 2, from the configured lr down to 0 at the end of the last epoch.
  std::string lr_schedule = "constant";
  int64_t epochs = 2, batch_size = 64;
  double validation_split = 0;
  uint64_t seed = 42;
  EarlyStoppingConfig early_stopping{};

  // Parses TOML text named `name` (in messages); relative paths resolve against `base_dir`.
  static Config from_toml(std::string_view text, const std::string& name,
                          const std::string& base_dir = {});
  // A TOML file; its relative paths resolve against its directory.
  static Config load(const std::string& path);
  // The default CNN on Fashion-MNIST, and its TOML (also what a run saves).
  static Config defaults();
  static const std::string& default_text();
};

}  // namespace soma::train
