// nn::to_dot: a model's architecture as Graphviz DOT text (see soma/nn/diagram.hpp).
#include "soma/nn/diagram.hpp"

#include <sstream>

#include "soma/core/error.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"

namespace soma::nn {

namespace {

std::string shape_text(const std::vector<int64_t>& dims) {
  std::string s = "[N";
  for (int64_t d : dims) s += ", " + std::to_string(d);
  return s + "]";
}

int64_t count_parameters(const Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

// Restores a module's training mode when the summary is done (or throws).
struct EvalScope {
  Module& m;
  bool was_training;
  explicit EvalScope(Module& module) : m(module), was_training(module.is_training()) { m.eval(); }
  ~EvalScope() { m.train(was_training); }
  EvalScope(const EvalScope&) = delete;
  EvalScope& operator=(const EvalScope&) = delete;
};

DType model_dtype(const Module& m) {
  for (const auto& p : m.parameters()) return p.dtype();
  return kFloat32;
}

// The text inside a record field: Graphviz gives {, }, |, <, >, " and \ meanings there.
std::string record_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '{' || c == '}' || c == '|' || c == '<' || c == '>' || c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

// A quoted DOT string.
std::string dot_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// The activation a unit applies, for the neuron picture; empty if `m` is not element-wise
// on the units (or couples them, as softmax does, which is still drawn per unit).
std::string activation_name(const Module& m) {
  if (dynamic_cast<const Sigmoid*>(&m)) return "sigmoid";
  if (dynamic_cast<const Tanh*>(&m)) return "tanh";
  if (dynamic_cast<const ReLU*>(&m)) return "ReLU";
  if (dynamic_cast<const LeakyReLU*>(&m)) return "LeakyReLU";
  if (dynamic_cast<const PReLU*>(&m)) return "PReLU";
  if (dynamic_cast<const Softmax*>(&m)) return "softmax";
  if (dynamic_cast<const LogSoftmax*>(&m)) return "log-softmax";
  if (dynamic_cast<const Identity*>(&m)) return "linear";
  return {};
}

// The dense layers of a neuron picture: each Linear and the activations after it.
struct DenseLayer {
  const Linear* linear;
  std::string activation;  // "linear" when none follows
};

// The layers, or an empty list with `why` set when the picture cannot be drawn.
std::vector<DenseLayer> dense_layers(Module& model, const std::vector<int64_t>& input,
                                     int64_t max_units, std::string& why) {
  std::vector<Module*> children;
  if (dynamic_cast<Sequential*>(&model))
    for (const auto& [name, child] : model.named_children()) children.push_back(child.get());
  else if (model.named_children().empty())
    children = {&model};
  std::vector<DenseLayer> layers;
  if (children.empty()) {
    why = "the model is neither a Sequential nor a single layer";
    return {};
  }
  if (input.size() != 1 || input[0] > max_units) {
    why = "the input " + shape_text(input) + " is not a vector of at most " +
          std::to_string(max_units) + " features";
    return {};
  }
  int64_t width = input[0];
  for (const auto& c : children) {
    if (const auto* lin = dynamic_cast<const Linear*>(c)) {
      if (lin->in_features() != width) {
        why = lin->name() + " takes " + std::to_string(lin->in_features()) + " inputs, not " +
              std::to_string(width);
        return {};
      }
      if (lin->out_features() > max_units) {
        why = lin->name() + " has more than " + std::to_string(max_units) + " units";
        return {};
      }
      width = lin->out_features();
      layers.push_back({lin, "linear"});
      continue;
    }
    const std::string act = activation_name(*c);
    if (act.empty() || layers.empty()) {
      why = c->name() + " is not a Linear layer or an activation after one";
      return {};
    }
    if (layers.back().activation != "linear")
      layers.back().activation += " + ";
    else
      layers.back().activation.clear();
    layers.back().activation += act;
  }
  if (layers.empty()) why = "the model has no Linear layer";
  return layers;
}

void graph_header(std::ostringstream& s, const std::string& rankdir, const DiagramOptions& o,
                  int64_t parameters) {
  s << "digraph model {\n  rankdir=" << rankdir << ";\n";
  std::string label = o.title.empty() ? "" : o.title + "\n";
  label += std::to_string(parameters) + " parameters";
  s << "  label=" << dot_string(label) << ";\n  labelloc=t;\n  fontname=\"Helvetica\";\n";
}

// One column (cluster) per layer of units, the inputs first; each column also holds the
// "+1" node that feeds the next layer's biases.
void column(std::ostringstream& s, const std::string& cluster, const std::string& label,
            const std::string& style,
            const std::vector<std::pair<std::string, std::string>>& nodes) {
  s << "  subgraph cluster_" << cluster << " {\n    label=" << dot_string(label)
    << ";\n    style=" << style << ";\n";
  for (const auto& [id, text] : nodes) {
    s << "    " << id << " [label=" << dot_string(text);
    if (text == "+1") s << ", style=dashed";
    s << "];\n";
  }
  s << "  }\n";
}

std::string neurons_dot(Module& model, const std::vector<int64_t>& input,
                        const std::vector<DenseLayer>& layers, const DiagramOptions& o) {
  std::ostringstream s;
  graph_header(s, "LR", o, count_parameters(model));
  // Fully connected layers cross the same number of edges in any order, and dot's
  // crossing minimisation would shuffle x1..xn for nothing: mclimit=0.01 leaves the order
  // the nodes are written in (x1 at the top).
  s << "  splines=line;\n  nodesep=0.25;\n  ranksep=1.4;\n  mclimit=0.01;\n"
    << "  node [shape=circle, fixedsize=true, width=0.8, fontname=\"Helvetica\", "
       "fontsize=11];\n"
    << "  edge [arrowsize=0.6, color=\"#555555\", fontname=\"Helvetica\", fontsize=9];\n";
  auto has_bias = [&](size_t l) { return l < layers.size() && layers[l].linear->bias.defined(); };
  std::vector<std::pair<std::string, std::string>> nodes;
  for (int64_t i = 1; i <= input[0]; ++i)
    nodes.push_back({"x" + std::to_string(i), "x" + std::to_string(i)});
  if (has_bias(0)) nodes.push_back({"b0", "+1"});
  column(s, "input", "input " + shape_text(input), "dashed", nodes);
  for (size_t l = 0; l < layers.size(); ++l) {
    const Linear& lin = *layers[l].linear;
    const std::string u = "l" + std::to_string(l) + "_";
    nodes.clear();
    for (int64_t k = 1; k <= lin.out_features(); ++k)
      nodes.push_back({u + std::to_string(k), "Σ\n" + layers[l].activation});
    if (has_bias(l + 1)) nodes.push_back({"b" + std::to_string(l + 1), "+1"});
    column(s, std::to_string(l),
           std::to_string(l) + ": Linear(" + std::to_string(lin.in_features()) + " -> " +
               std::to_string(lin.out_features()) + "), " + layers[l].activation,
           "rounded", nodes);
  }
  std::string prev = "x";
  for (size_t l = 0; l < layers.size(); ++l) {
    const Linear& lin = *layers[l].linear;
    const std::string u = "l" + std::to_string(l) + "_";
    // Weights are named on the edges only where they are few enough to read (one unit).
    const bool names = lin.out_features() == 1;
    for (int64_t k = 1; k <= lin.out_features(); ++k) {
      for (int64_t i = 1; i <= lin.in_features(); ++i) {
        s << "  " << prev << i << " -> " << u << k;
        if (names) s << " [label=\"w" << i << "\"]";
        s << ";\n";
      }
      if (has_bias(l))
        s << "  b" << l << " -> " << u << k << (names ? " [label=\"b\"]" : "") << ";\n";
    }
    prev = u;
  }
  const int64_t outputs = layers.back().linear->out_features();
  for (int64_t k = 1; k <= outputs; ++k) {
    const std::string y = outputs == 1 ? "ŷ" : "ŷ" + std::to_string(k);
    s << "  y" << k << " [label=" << dot_string(y) << ", shape=plaintext];\n";
    s << "  " << prev << k << " -> y" << k << ";\n";
  }
  s << "}\n";
  return s.str();
}

std::string layers_dot(Module& model, const std::vector<int64_t>& input, const DiagramOptions& o) {
  const auto summary = summarize(model, input);
  int64_t total = 0;
  for (const auto& l : summary) total += l.parameters;
  std::ostringstream s;
  graph_header(s, "TB", o, total);
  s << "  node [shape=record, style=rounded, fontname=\"Helvetica\", fontsize=11];\n"
    << "  edge [arrowsize=0.7];\n";
  s << "  input [label=\"{input|" << record_escape(shape_text(input)) << "}\"];\n";
  std::string prev = "input";
  for (size_t i = 0; i < summary.size(); ++i) {
    const auto& l = summary[i];
    const std::string node = "layer" + std::to_string(i);
    s << "  " << node << " [label=\"{" << record_escape(l.name + ": " + l.description) << "|"
      << record_escape("output " + shape_text(l.output)) << "|" << l.parameters
      << (l.parameters == 1 ? " parameter" : " parameters") << "}\"];\n";
    s << "  " << prev << " -> " << node << ";\n";
    prev = node;
  }
  s << "}\n";
  return s.str();
}

}  // namespace

std::vector<LayerSummary> summarize(Module& model, const std::vector<int64_t>& input) {
  if (input.empty() || input.size() + 1 > size_t(Shape::kMaxDims))
    throw Error("diagram: input shape " + shape_text(input) + ": expected 1 to " +
                std::to_string(Shape::kMaxDims - 1) + " dimensions");
  std::vector<int64_t> dims = {1};
  int64_t numel = 1;
  for (int64_t d : input) {
    // A zero batch of one is allocated: keep it small (2^28 numbers, 1 GiB of float32).
    if (d < 1 || d > (int64_t(1) << 28) / numel)
      throw Error("diagram: input shape " + shape_text(input) +
                  ": expected positive sizes, at most 2^28 numbers in all");
    numel *= d;
    dims.push_back(d);
  }
  NoGradGuard no_grad;
  EvalScope eval(model);
  Tensor x = zeros(Shape(std::span<const int64_t>(dims)), model_dtype(model));
  auto output_of = [](const Tensor& t) {
    std::vector<int64_t> out(t.shape().begin(), t.shape().end());
    if (!out.empty()) out.erase(out.begin());  // the batch
    return out;
  };
  std::vector<LayerSummary> out;
  auto* seq = dynamic_cast<Sequential*>(&model);
  if (!seq) {
    const std::vector<int64_t> in(dims.begin() + 1, dims.end());
    try {
      x = model.forward(x);
    } catch (const Error& e) {
      throw Error("diagram: " + model.name() + " cannot take input " + shape_text(in) + ": " +
                  e.what());
    }
    out.push_back({"model", model.name(), output_of(x), count_parameters(model)});
    return out;
  }
  const auto& children = seq->named_children();
  for (size_t i = 0; i < children.size(); ++i) {
    Module& m = *children[i].second;
    const std::vector<int64_t> in = output_of(x);
    try {
      x = m.forward(x);
    } catch (const Error& e) {
      throw Error("diagram: layer " + children[i].first + " (" + m.name() + ") cannot take input " +
                  shape_text(in) + ": " + e.what());
    }
    out.push_back({children[i].first, m.name(), output_of(x), count_parameters(m)});
  }
  return out;
}

bool can_draw_neurons(Module& model, const std::vector<int64_t>& input, int64_t max_units) {
  std::string why;
  return !dense_layers(model, input, max_units, why).empty();
}

std::string to_dot(Module& model, const std::vector<int64_t>& input,
                   const DiagramOptions& options) {
  if (options.level != DiagramLevel::layers) {
    std::string why;
    const auto dense = dense_layers(model, input, options.max_units, why);
    if (!dense.empty()) {
      summarize(model, input);  // the same shape checks as the layer picture
      return neurons_dot(model, input, dense, options);
    }
    if (options.level == DiagramLevel::neurons)
      throw Error("diagram: cannot draw every neuron: " + why +
                  " (the neuron picture takes Linear layers and activations, at most " +
                  std::to_string(options.max_units) + " units a layer)");
  }
  return layers_dot(model, input, options);
}

}  // namespace soma::nn
