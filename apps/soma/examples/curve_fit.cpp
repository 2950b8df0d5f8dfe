// `soma example curve-fit`: the flags of examples/curve_fit.cpp, whose run() does the work.
#include <memory>

#include "curve_fit.hpp"
#include "registry.hpp"

namespace {

using soma::examples::curve_fit::Options;
using soma::examples::curve_fit::run;

soma::cli::ExampleRegistrar reg("curve-fit",
                                "The curve_fit tutorial: decay, growth, SSR landscape, sparse fit",
                                [](CLI::App& app) {
                                  auto opts = std::make_shared<Options>();
                                  soma::cli::add_example_options(app, *opts);
                                  app.callback([opts] { run(*opts); });
                                });

}  // namespace
