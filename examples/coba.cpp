// The COBA benchmark network of Brette et al. (2007), as Brian2's example writes it:
// 4,000 leaky integrate-and-fire neurons with conductance-based synapses, the first
// 3,200 excitatory and the rest inhibitory, each pair connected with probability 0.02.
//
//   dv/dt = (ge*(Ee-v) + gi*(Ei-v) - (v-El))/taum : volt (unless refractory)
//   dge/dt = -ge/taue : 1
//   dgi/dt = -gi/taui : 1
//
// taum 20 ms, taue 5 ms, taui 10 ms, Vt -50 mV, Vr = El = -60 mV, Ee 0 mV, Ei -80 mV,
// refractory 5 ms; conductances are dimensionless, in units of the leak; on_pre
// ge += 0.6 (excitatory) and gi += 6.7 (inhibitory); initial v = El + (5*randn - 5) mV,
// ge = 4 + 1.5*randn, gi = 20 + 12*randn; exponential Euler, 1 s at dt = 0.1 ms.
// The network sustains its own irregular activity near 19 Hz (Brian2's rates for
// five seeds: tests/reference/data/snn_coba_rates.json).
//
//   soma example coba [--neurons N] [--duration SECONDS] [--seed N] [--json]
#include <cstdio>
#include <memory>

#include "registry.hpp"
#include "soma/core/progress.hpp"
#include "soma/snn/models.hpp"

namespace {

struct Options : soma::cli::ExampleOptions {
  int64_t neurons = 4000;
  double duration = 1.0;
};

void run(const Options& opt) {
  const auto r = soma::snn::models::coba({.neurons = opt.neurons,
                                          .duration = opt.duration,
                                          .seed = opt.seed,
                                          .progress = !opt.json && soma::stderr_is_terminal()});
  if (opt.json) {
    soma::cli::print_json({{"neurons", opt.neurons},
                           {"duration_s", opt.duration},
                           {"synapses", r.synapses},
                           {"rate_exc_hz", r.rate_exc_hz},
                           {"rate_inh_hz", r.rate_inh_hz},
                           {"spikes", r.spikes},
                           {"sim_seconds", r.sim_seconds},
                           {"sim_cpu_seconds", r.sim_cpu_seconds},
                           {"setup_seconds", r.setup_seconds}});
    return;
  }
  std::printf("COBA: %lld neurons, %lld synapses, %.3g s simulated at dt = 0.1 ms\n",
              static_cast<long long>(opt.neurons), static_cast<long long>(r.synapses),
              opt.duration);
  std::printf("rates: excitatory %.2f Hz, inhibitory %.2f Hz (%lld spikes)\n", r.rate_exc_hz,
              r.rate_inh_hz, static_cast<long long>(r.spikes));
  std::printf("time: setup %.3f s, simulation %.3f s (%.3f s per simulated second)\n",
              r.setup_seconds, r.sim_seconds, r.sim_seconds / opt.duration);
}

soma::cli::ExampleRegistrar reg("coba", "COBA benchmark network (Brette et al. 2007)",
                                [](CLI::App& app) {
                                  auto opts = std::make_shared<Options>();
                                  soma::cli::add_example_options(app, *opts);
                                  app.add_option("--neurons", opts->neurons, "Number of neurons")
                                      ->check(CLI::Range(int64_t{10}, int64_t{100000000}))
                                      ->capture_default_str();
                                  app.add_option("--duration", opts->duration,
                                                 "Simulated time in seconds")
                                      ->check(CLI::Range(0.0, 1e6))
                                      ->capture_default_str();
                                  app.callback([opts] { run(*opts); });
                                });

}  // namespace
