// The network of a training configuration: layer names to nn modules.
#include "soma/train/model_factory.hpp"

#include "soma/core/error.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/batchnorm.hpp"
#include "soma/nn/conv.hpp"
#include "soma/nn/dropout.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/pooling.hpp"
#include "soma/nn/recurrent.hpp"

namespace soma::train {

namespace {

// A recurrent layer in the Sequential of `soma train` ({ type = "lstm" | "gru" | "rnn" }):
// each input row is a sequence of T steps of `in` features, given as [N, T * in] (a CSV
// row: T * in feature columns, step by step) or [N, T, in]. The output is the last
// layer's hidden state after the last step, [N, out]: what a classifier head reads.
class SequenceLayer : public nn::Module {
 public:
  SequenceLayer(const std::string& type, int64_t in, int64_t hidden, int64_t layers, Rng& rng)
      : in_(in), layers_(layers) {
    const nn::RNNOptions o{.num_layers = layers, .batch_first = true};
    if (type == "lstm")
      rnn_ = register_module("rnn", std::make_shared<nn::LSTM>(in, hidden, o, rng));
    else if (type == "gru")
      rnn_ = register_module("rnn", std::make_shared<nn::GRU>(in, hidden, o, rng));
    else
      rnn_ = register_module("rnn", std::make_shared<nn::RNN>(in, hidden, o, rng));
  }
  Tensor forward(const Tensor& x) override {
    Tensor seq = x;
    if (x.dim() == 2) {
      if (x.size(1) % in_ != 0)
        throw Error(rnn_->name() + ": an input row of " + std::to_string(x.size(1)) +
                    " values is not a whole number of steps of in = " + std::to_string(in_));
      seq = x.reshape({x.size(0), x.size(1) / in_, in_});
    }
    return (*rnn_)(seq, nn::RecurrentState{}).h_n[layers_ - 1];
  }
  std::string name() const override { return rnn_->name() + ", last hidden state"; }

 private:
  int64_t in_, layers_;
  std::shared_ptr<nn::RNNBase> rnn_;
};

}  // namespace

std::shared_ptr<nn::Sequential> build_model(const Config& config, Rng& rng) {
  auto model = std::make_shared<nn::Sequential>();
  for (const auto& l : config.layers) {
    if (l.type == "conv2d") {
      nn::Conv2dOptions o;
      o.stride = {l.stride, l.stride};
      o.padding = {l.padding, l.padding};
      model->push_back(std::make_shared<nn::Conv2d>(l.in, l.out, l.kernel, o, rng));
    } else if (l.type == "maxpool2d") {
      model->push_back(std::make_shared<nn::MaxPool2d>(nn::functional::Size2{l.kernel, l.kernel},
                                                       nn::functional::Size2{l.stride, l.stride}));
    } else if (l.type == "avgpool2d") {
      model->push_back(std::make_shared<nn::AvgPool2d>(nn::functional::Size2{l.kernel, l.kernel},
                                                       nn::functional::Size2{l.stride, l.stride}));
    } else if (l.type == "flatten") {
      model->push_back(std::make_shared<nn::Flatten>());
    } else if (l.type == "linear") {
      model->push_back(std::make_shared<nn::Linear>(l.in, l.out, true, rng));
    } else if (l.type == "relu") {
      model->push_back(std::make_shared<nn::ReLU>());
    } else if (l.type == "sigmoid") {
      model->push_back(std::make_shared<nn::Sigmoid>());
    } else if (l.type == "tanh") {
      model->push_back(std::make_shared<nn::Tanh>());
    } else if (l.type == "leaky_relu") {
      model->push_back(std::make_shared<nn::LeakyReLU>(l.slope));
    } else if (l.type == "dropout") {
      model->push_back(std::make_shared<nn::Dropout>(l.p, rng));
    } else if (l.type == "batchnorm1d") {
      model->push_back(std::make_shared<nn::BatchNorm1d>(l.in));
    } else if (l.type == "batchnorm2d") {
      model->push_back(std::make_shared<nn::BatchNorm2d>(l.in));
    } else if (l.type == "lstm" || l.type == "gru" || l.type == "rnn") {
      model->push_back(std::make_shared<SequenceLayer>(l.type, l.in, l.out, l.num_layers, rng));
    } else {
      throw error_at(config.source_name, l.line, 0, "unknown layer type '" + l.type + "'");
    }
  }
  return model;
}

}  // namespace soma::train
