// `soma example snn-3`: the flags of examples/snn_3.cpp, whose run() does the work.
#include <memory>

#include "registry.hpp"
#include "snn_3.hpp"

namespace {

using soma::examples::snn_3::Options;
using soma::examples::snn_3::run;

soma::cli::ExampleRegistrar reg("snn-3", "Three conductance-based LIF neurons (Brian2 tutorial)",
                                [](CLI::App& app) {
                                  auto opts = std::make_shared<Options>();
                                  soma::cli::add_example_options(app, *opts);
                                  app.add_option("--inhibition-term", opts->inhibition_term,
                                                 "Inhibitory term: written = gi*(ve - vi), "
                                                 "described = gi*(v - vi)")
                                      ->check(CLI::IsMember({"written", "described"}))
                                      ->capture_default_str();
                                  app.callback([opts] { run(*opts); });
                                });

}  // namespace
