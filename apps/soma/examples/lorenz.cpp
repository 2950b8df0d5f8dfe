// `soma example lorenz`: the flags of examples/lorenz.cpp, whose run() does the work.
#include <memory>

#include "lorenz.hpp"
#include "registry.hpp"

namespace {

using soma::examples::lorenz::run;

soma::cli::ExampleRegistrar reg("lorenz",
                                "Lorenz: odeint vs solve_ivp at SciPy's defaults, and t_eval",
                                [](CLI::App& app) {
                                  auto opt = std::make_shared<soma::cli::ExampleOptions>();
                                  soma::cli::add_example_options(app, *opt);
                                  app.callback([opt] { run(*opt); });
                                });

}  // namespace
