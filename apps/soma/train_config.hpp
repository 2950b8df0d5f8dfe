#pragma once
// `soma train --config FILE.toml`: what to train on, which network, how long.
//
//   [data]  format = "fashion-mnist" | "idx" | "csv", with the files and preprocessing
//   [model] layers = [{type = "conv2d", in = 1, out = 32, kernel = 3, padding = 1}, ...]
//   [training] loss, optimizer, lr, lr_schedule, epochs, batch_size, validation_split, seed,
//              [training.early_stopping]
//
// Every error names the file, the line and the key (soma::Error "FILE:LINE:COL: key: ...").
// The default configuration (no --config) is a small CNN on Fashion-MNIST.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "soma/core/random.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::cli {

struct PreprocessStep {
  std::string step;                  // "fillna", "one_hot", "standardize", "drop"
  std::vector<std::string> columns;  // columns it applies to (empty: all features)
  std::string strategy = "value";    // fillna: "value", "mean", "median" or "mode"
  double value = 0;                  // fillna with strategy "value" (numeric)
  std::string text_value;            // fillna with strategy "value" (text columns)
  bool has_text_value = false;
};

struct DataConfig {
  std::string format = "fashion-mnist";  // or "idx", "csv"
  std::filesystem::path dir;  // fashion-mnist: directory of the IDX files (empty: Debian's)
  std::filesystem::path train_images, train_labels, test_images, test_labels;  // idx
  std::filesystem::path train, test;  // csv: files (test optional: then test_split of train)
  std::string target;                 // csv: the label column
  std::vector<std::string> features;  // csv: input columns (empty: all but target)
  std::vector<PreprocessStep> preprocess;
  double test_split = 0.2;  // csv without a test file
};

struct LayerConfig {
  std::string type;  // conv2d, maxpool2d, avgpool2d, flatten, linear, relu, sigmoid, tanh, dropout,
                     // batchnorm1d, batchnorm2d, leaky_relu, lstm, gru, rnn
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

struct TrainConfig {
  std::string source_name = "<default>";  // the file, for error messages
  std::string source_text;                // the TOML itself, saved with a run
  DataConfig data;
  std::vector<LayerConfig> layers;
  std::string loss = "cross_entropy";  // or "bce", "bce_with_logits", "mse"
  std::string optimizer = "adam";      // or "sgd", "adamw"
  double lr = 1e-3, momentum = 0, weight_decay = 0;
  // "constant", or "cosine": after each batch, lr = lr * (1 + cos(pi * steps done / steps in
  // all)) / 2, from the configured lr down to 0 at the end of the last epoch.
  std::string lr_schedule = "constant";
  int64_t epochs = 2, batch_size = 64;
  double validation_split = 0;
  uint64_t seed = 42;
  EarlyStoppingConfig early_stopping;
};

// The default CNN on Fashion-MNIST, as TOML (also what a run saves).
const std::string& default_config_text();
TrainConfig default_train_config();

// Parses TOML text; relative paths are resolved against `base_dir`.
TrainConfig parse_train_config(std::string_view text, const std::string& name,
                               const std::filesystem::path& base_dir = {});
TrainConfig load_train_config(const std::filesystem::path& path);

// The network the configuration describes, initialised from `rng`.
std::shared_ptr<nn::Sequential> build_model(const TrainConfig& config, Rng& rng);

// Inputs and targets ready for the model. Targets are int64 class indices for
// cross-entropy, float [N, 1] for the binary and regression losses.
struct PreparedData {
  Tensor train_x, train_y, test_x, test_y;
  std::vector<std::string> feature_names;  // csv: the columns after preprocessing
  int64_t num_classes = 0;                 // classification: outputs of the last layer
};
PreparedData prepare_data(const TrainConfig& config);

// Preprocesses a CSV file the way training did (the preprocessing is fitted again on the
// training file, which is deterministic); the target column may be absent.
Tensor prepare_csv_inputs(const TrainConfig& config, const std::filesystem::path& csv);

// The target tensor a loss expects for class labels / values `y` (float [N] or [N, 1]).
Tensor targets_for_loss(const std::string& loss, const Tensor& y);

}  // namespace soma::cli
