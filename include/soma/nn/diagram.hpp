#pragma once
// A model's architecture as a Graphviz DOT graph (tutorial 003's quiz: "Draw a neural net
// of logistic regression with 4 input features"). Two pictures of one model:
//
// - layers: one box per child of a Sequential (or one for any other module), with its
//   description, its output shape and its parameter count, as Keras' plot_model and
//   torchinfo show them; the shapes come from one forward pass of a zero batch of one.
// - neurons: every unit a node, as textbooks draw small networks: the inputs x1..xn, then
//   each Linear layer's units (labelled with the activation that follows them) and a "+1"
//   bias node, every connection an edge. Only for networks made of Linear layers and
//   element-wise activations with at most `max_units` units per layer.
//
//   auto model = nn::Sequential(nn::Linear(4, 1), nn::Sigmoid());
//   std::string dot = nn::to_dot(model, {4}, {.level = nn::DiagramLevel::neurons});
//   plot::render_dot(dot, "logistic.svg");   // soma/plot/graphviz.hpp
#include <cstdint>
#include <string>
#include <vector>

#include "soma/nn/module.hpp"

namespace soma::nn {

struct LayerSummary {
  std::string name{};             // "0", "1", ... (the child's name), or "model"
  std::string description{};      // Module::name(): "Linear(in_features=4, ...)"
  std::vector<int64_t> output{};  // output shape without the batch dimension
  int64_t parameters = 0;         // learnable numbers, the child's own and its children's
};

// One entry per child of `model` if it has children, else one for the model; the shapes
// follow a forward pass of zeros [1, input...] (in eval mode, without gradients; the
// model's mode is restored). A shape the model cannot take throws soma::Error naming the
// layer and the shape it was given.
std::vector<LayerSummary> summarize(Module& model, const std::vector<int64_t>& input);

enum class DiagramLevel {
  automatic,  // neurons where the network allows it (see above), else layers
  layers,
  neurons,  // soma::Error where the network is not a small dense one
};

struct DiagramOptions {
  DiagramLevel level = DiagramLevel::automatic;
  int64_t max_units = 10;  // the largest layer (inputs included) the neuron picture draws
  std::string title{};     // the graph's label; empty: none
};

// The DOT text of the model's diagram for inputs of shape `input` (no batch dimension).
std::string to_dot(Module& model, const std::vector<int64_t>& input,
                   const DiagramOptions& options = {});

// True when the neuron-level picture can be drawn (Linear layers and element-wise
// activations only, every layer within max_units).
bool can_draw_neurons(Module& model, const std::vector<int64_t>& input, int64_t max_units);

}  // namespace soma::nn
