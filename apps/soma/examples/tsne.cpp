// `soma example tsne`: the flags of examples/tsne.cpp, whose run() does the work.
#include <memory>

#include "flags.hpp"
#include "registry.hpp"
#include "tsne.hpp"

namespace {

using soma::examples::tsne::Options;
using soma::examples::tsne::run;

soma::cli::ExampleRegistrar reg(
    "tsne", "The t-SNE tutorial on Fashion-MNIST (KL, 10-NN accuracy; --steps)", [](CLI::App& app) {
      auto opt = std::make_shared<Options>();
      soma::cli::add_example_options(app, opt->common);
      app.add_option("--n", opt->n, "Number of test images")->capture_default_str();
      app.add_option("--method", opt->method, "auto, exact, barnes_hut or fft")
          ->capture_default_str();
      app.add_option("--perplexity", opt->perplexity, "Perplexity")->capture_default_str();
      app.add_option("--max-iter", opt->max_iter, "Gradient-descent iterations")
          ->check(soma::cli::integer_in(1, 10'000'000))
          ->capture_default_str();
      soma::cli::add_output_option(app, opt->out, "Embedding CSV to write (x,y,label)",
                                   "none, not saved");
      app.add_option("--data", opt->data_dir, "Folder with the Fashion-MNIST IDX files")
          ->capture_default_str();
      app.add_flag("--steps", opt->steps,
                   "The tutorial's steps one by one: distances, perplexities, joint "
                   "probabilities, gradient descent without early exaggeration");
      app.callback([opt] { run(*opt); });
    });

}  // namespace
