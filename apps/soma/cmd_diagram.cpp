// soma diagram: draws a model's architecture (Graphviz: soma/nn/diagram.hpp renders the
// DOT text, `dot` the picture). Tutorial 003's quiz, "Draw a neural net of logistic
// regression with 4 input features", is
//
//   soma diagram --layers 4,1 --activation sigmoid -o logistic.svg
//
// The model comes from exactly one of
//   --layers N0,N1,...,Nk     a dense network: N0 inputs, then Linear(N0, N1), ..., each
//                             followed by --activation (one name for every layer, or k
//                             names, one per layer: relu,sigmoid)
//   --config FILE.toml        a `soma train` configuration ([model] layers = [...])
//   --run DIR                 a `soma train` run directory (its config.toml)
// The input shape is N0 for --layers; for a configuration, the first layer's inputs when it
// is linear (or batchnorm1d), [1, 28, 28] for Fashion-MNIST images; --input-shape sets it.
//
//   soma diagram --config examples/titanic.toml -o titanic.svg --dot --json
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "flags.hpp"
#include "registry.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/diagram.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/plot/graphviz.hpp"
#include "soma/train/model_factory.hpp"

namespace {

using namespace soma;

// Layer sizes and shapes from flags are capped so that a typo cannot allocate gigabytes:
// a Linear layer of the spec holds at most 10^8 weights.
constexpr int64_t kMaxSize = 1000000, kMaxWeights = 100000000;

struct Options {
  std::string layers, activation = "linear", config, run, input_shape, out, title;
  std::string level = "auto";
  bool dot = false, json = false;
};

// "4,8,1" -> {4, 8, 1}; each item a whole number in [1, kMaxSize], its position named.
std::vector<int64_t> parse_sizes(const std::string& flag, const std::string& text,
                                 const std::string& expected) {
  std::vector<int64_t> out;
  size_t start = 0;
  for (int item = 1;; ++item) {
    const size_t comma = text.find(',', start);
    const std::string s = text.substr(start, comma == std::string::npos ? comma : comma - start);
    int64_t v = 0;
    bool ok = !s.empty() && s.size() <= 7;
    for (char c : s) ok = ok && c >= '0' && c <= '9';
    if (ok) v = std::stoll(s);
    if (!ok || v < 1 || v > kMaxSize)
      throw Error(flag + " '" + text + "': item " + std::to_string(item) + " ('" + s +
                  "', at column " + std::to_string(start + 1) +
                  "): expected an integer from 1 to " + std::to_string(kMaxSize) + " (" + expected +
                  ")");
    out.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = {"linear", "sigmoid",    "tanh",
                                                 "relu",   "leaky_relu", "softmax"};
  return names;
}

std::shared_ptr<nn::Module> activation_module(const std::string& name) {
  if (name == "sigmoid") return std::make_shared<nn::Sigmoid>();
  if (name == "tanh") return std::make_shared<nn::Tanh>();
  if (name == "relu") return std::make_shared<nn::ReLU>();
  if (name == "leaky_relu") return std::make_shared<nn::LeakyReLU>();
  if (name == "softmax") return std::make_shared<nn::Softmax>(-1);
  return nullptr;  // linear: no module
}

// One activation per Linear layer: a single name for all of them, or one each.
std::vector<std::string> parse_activations(const std::string& text, size_t layers) {
  std::vector<std::string> names;
  size_t start = 0;
  for (int item = 1;; ++item) {
    const size_t comma = text.find(',', start);
    const std::string s = text.substr(start, comma == std::string::npos ? comma : comma - start);
    bool known = false;
    for (const auto& n : activation_names()) known = known || n == s;
    if (!known) {
      std::string list;
      for (const auto& n : activation_names()) list += (list.empty() ? "" : ", ") + n;
      throw Error("--activation '" + text + "': item " + std::to_string(item) + " ('" + s +
                  "', at column " + std::to_string(start + 1) + "): expected one of " + list);
    }
    names.push_back(s);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (names.size() == 1) names.resize(layers, names[0]);
  if (names.size() != layers)
    throw Error("--activation '" + text + "': " + std::to_string(names.size()) + " names for " +
                std::to_string(layers) +
                " layers: expected one name for all of them, or one per layer");
  return names;
}

std::shared_ptr<nn::Sequential> dense_model(const std::vector<int64_t>& sizes,
                                            const std::vector<std::string>& activations, Rng& rng) {
  auto model = std::make_shared<nn::Sequential>();
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    if (sizes[i] > kMaxWeights / sizes[i + 1])
      throw Error("--layers: Linear(" + std::to_string(sizes[i]) + ", " +
                  std::to_string(sizes[i + 1]) + ") has more than 10^8 weights");
    model->push_back(std::make_shared<nn::Linear>(sizes[i], sizes[i + 1], true, rng));
    if (auto act = activation_module(activations[i])) model->push_back(act);
  }
  return model;
}

// The input a configuration's network takes, when the configuration says it.
std::vector<int64_t> config_input(const train::Config& c) {
  const train::LayerConfig& first = c.layers.front();
  if (first.type == "linear" || first.type == "batchnorm1d") return {first.in};
  if (c.data.format == "fashion-mnist") return {1, 28, 28};
  throw Error(c.source_name + ":" + std::to_string(first.line) + ": the first layer (" +
              first.type + ") does not say its input shape: give --input-shape, e.g. 1,28,28");
}

void run(const Options& o) {
  const int sources = !o.layers.empty() + !o.config.empty() + !o.run.empty();
  if (sources != 1)
    throw Error("diagram: expected exactly one of --layers, --config or --run, got " +
                std::to_string(sources));
  Rng rng(42);  // the weights are not drawn in the picture; the layers need some
  std::shared_ptr<nn::Module> model;
  std::vector<int64_t> input;
  std::string title = o.title;
  if (!o.layers.empty()) {
    const auto sizes = parse_sizes("--layers", o.layers, "layer sizes, inputs first, e.g. 4,1");
    if (sizes.size() < 2)
      throw Error("--layers '" + o.layers +
                  "': expected at least two sizes, the inputs and one layer's (e.g. 4,1)");
    model = dense_model(sizes, parse_activations(o.activation, sizes.size() - 1), rng);
    input = {sizes[0]};
    if (title.empty()) title = "--layers " + o.layers + " --activation " + o.activation;
  } else {
    std::filesystem::path path = o.config;
    if (!o.run.empty()) {
      if (!std::filesystem::is_directory(o.run))
        throw Error(o.run + ": not a run directory (expected the directory `soma train` wrote)");
      path = std::filesystem::path(o.run) / "config.toml";
      if (!std::filesystem::exists(path))
        throw Error(o.run + ": no config.toml (expected the directory `soma train` wrote)");
    }
    const train::Config c = train::Config::load(path);
    model = train::build_model(c, rng);
    input = o.input_shape.empty() ? config_input(c) : std::vector<int64_t>{};
    if (title.empty()) title = path.string();
  }
  if (!o.input_shape.empty())
    input = parse_sizes("--input-shape", o.input_shape, "the input's dimensions, e.g. 1,28,28");

  nn::DiagramOptions opts{.title = title};
  if (o.level == "layers") opts.level = nn::DiagramLevel::layers;
  if (o.level == "neurons") opts.level = nn::DiagramLevel::neurons;
  const std::string dot = nn::to_dot(*model, input, opts);
  const bool neurons =
      opts.level != nn::DiagramLevel::layers && nn::can_draw_neurons(*model, input, opts.max_units);
  const std::filesystem::path out = o.out;
  plot::render_dot(dot, out);
  cli::wrote(out.string());
  std::filesystem::path dot_path;
  if (o.dot) {
    dot_path = std::filesystem::path(out).replace_extension(".dot");
    write_file_atomic(dot_path, dot);
    cli::wrote(dot_path.string());
  }

  const auto summary = nn::summarize(*model, input);
  int64_t total = 0;
  for (const auto& l : summary) total += l.parameters;
  if (o.json) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : summary)
      layers.push_back({{"name", l.name},
                        {"layer", l.description},
                        {"output", l.output},
                        {"parameters", l.parameters}});
    cli::print_json({{"input", input},
                     {"layers", layers},
                     {"parameters", total},
                     {"level", neurons ? "neurons" : "layers"},
                     {"svg", out.string()},
                     {"dot", dot_path.string()},
                     {"figures", {out.string()}}});
    return;
  }
  for (const auto& l : summary) {
    std::string shape = "[N";
    for (int64_t d : l.output) shape += ", " + std::to_string(d);
    std::printf("%-4s %-70s %-20s %lld\n", l.name.c_str(), l.description.c_str(),
                (shape + "]").c_str(), (long long)l.parameters);
  }
  std::printf("%lld parameters; %s picture written to %s%s%s\n", (long long)total,
              neurons ? "neuron-level" : "layer-level", out.string().c_str(),
              dot_path.empty() ? "" : " and ", dot_path.string().c_str());
}

cli::CommandRegistrar reg(
    "diagram", "Draw a model's architecture (layers, shapes, parameters) as SVG with Graphviz",
    [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("--layers", o->layers,
                     "A dense network by its sizes, inputs first: 4,1 is 4 inputs -> 1 unit; "
                     "4,8,1 adds a hidden layer of 8")
          ->default_str("none");
      app.add_option("--activation", o->activation,
                     "With --layers: the activation after each Linear layer, one name for all "
                     "or one per layer (relu,sigmoid); linear, sigmoid, tanh, relu, "
                     "leaky_relu, softmax")
          ->capture_default_str();
      app.add_option("--config", o->config, "A `soma train` configuration (TOML)")
          ->check(CLI::ExistingFile)
          ->default_str("none");
      app.add_option("--run", o->run, "A `soma train` run directory (reads its config.toml)")
          ->default_str("none");
      app.add_option("--input-shape", o->input_shape,
                     "The input's shape without the batch, e.g. 1,28,28 (default: from the "
                     "model)");
      // Required, checked in the callback: the deprecated --out sets it too.
      cli::add_output_option(app, o->out, "The picture: FILE.svg, .png or .pdf", "")
          ->option_text("TEXT REQUIRED");
      app.add_flag("--dot", o->dot, "Also write the DOT text beside it (FILE.dot)");
      app.add_option("--level", o->level,
                     "auto: every neuron for small dense networks (up to 10 units a layer), "
                     "else one box per layer; layers; neurons")
          ->check(CLI::IsMember({"auto", "layers", "neurons"}))
          ->capture_default_str();
      app.add_option("--title", o->title, "The diagram's title (default: the model's source)");
      app.add_flag("--json", o->json, "End with one JSON line (layers, shapes, parameters)");
      app.callback([o] {
        if (o->out.empty()) throw CLI::RequiredError("--output");
        run(*o);
      });
    });

}  // namespace
