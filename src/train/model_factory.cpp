// The network of a training configuration: layer names to nn modules.
#include "soma/train/model_factory.hpp"

#include "soma/core/error.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/batchnorm.hpp"
#include "soma/nn/conv.hpp"
#include "soma/nn/dropout.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/pooling.hpp"

namespace soma::train {

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
    } else {
      throw error_at(config.source_name, l.line, 0, "unknown layer type '" + l.type + "'");
    }
  }
  return model;
}

}  // namespace soma::train
