// Spike-timing-dependent plasticity (Song, Miller & Abbott 2000), as Brian2's
// examples/synapses/STDP.py writes it: 1,000 Poisson inputs at 15 Hz drive one
// leaky integrate-and-fire neuron through plastic conductance synapses.
//
//   dv/dt = (ge*(Ee - vr) + El - v)/taum : volt      threshold v > vt, reset v = vr
//   dge/dt = -ge/taue : 1
//   synapses:  w : 1
//              dApre/dt = -Apre/taupre : 1 (event-driven)
//              dApost/dt = -Apost/taupost : 1 (event-driven)
//   on_pre:    ge += w;  Apre += dApre;  w = clip(w + Apost, 0, gmax)
//   on_post:   Apost += dApost;  w = clip(w + Apre, 0, gmax)
//
// taum 10 ms, taupre = taupost = 20 ms, Ee 0 mV, vt -54 mV, vr -60 mV, El -74 mV,
// taue 5 ms, gmax 0.01, dApre = 0.01*gmax, dApost = -1.05*dApre*taupre/taupost;
// w starts uniform in [0, gmax), v at 0 (Brian2's default), 100 s at dt = 0.1 ms.
// Depression slightly outweighs potentiation, so inputs whose spikes happen to
// precede the output's win and the rest lose: the weights split towards 0 and gmax
// (the bimodal histogram) and the output rate settles. Brian2's statistics for five
// seeds: tests/reference/data/snn_stdp_stats.json.
//
// --plot DIR writes stdp.png: the final weights by synapse, their histogram, and two
// synapses' weights with the mean weight over time (sampled 100 times in the run).
//
//   soma example stdp [--duration SECONDS] [--seed N] [--json] [--plot DIR]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/plot/figure.hpp"
#include "soma/snn/network.hpp"
#include "stdp.hpp"

namespace soma::examples::stdp {
namespace {

constexpr int64_t kInputs = 1000;
constexpr double kGmax = 0.01;
constexpr int kSamples = 100;  // points of the weights-over-time panel

struct Trace {
  std::vector<double> t, w0, w1, mean;  // seconds; weights / gmax
};

void sample(Trace& tr, double t, const std::vector<double>& w) {
  tr.t.push_back(t);
  tr.w0.push_back(w[0] / kGmax);
  tr.w1.push_back(w[1] / kGmax);
  tr.mean.push_back(std::accumulate(w.begin(), w.end(), 0.0) / double(w.size()) / kGmax);
}

std::string plot_weights(const std::vector<double>& w, const Trace& tr, double duration,
                         const std::filesystem::path& dir) {
  namespace plot = soma::plot;
  std::filesystem::create_directories(dir);
  std::vector<double> index(w.size()), scaled(w.size());
  for (size_t k = 0; k < w.size(); ++k) {
    index[k] = double(k);
    scaled[k] = w[k] / kGmax;
  }
  plot::Figure fig({.rows = 3,
                    .cols = 1,
                    .width = 900,
                    .height = 1000,
                    .title = "STDP (Song, Miller & Abbott 2000): 1,000 Poisson inputs, 15 Hz"});
  auto& by_index = fig.axes(0, 0);
  by_index.title = "final weights";
  by_index.xlabel = "synapse index";
  by_index.ylabel = "weight / gmax";
  by_index.ylim = plot::Range{-0.05, 1.05};
  by_index.scatter(index, scaled, {.color = "#000000", .size = 2});
  auto& hist = fig.axes(1, 0);
  hist.title = "weight distribution (bimodal: weights driven to 0 or gmax)";
  hist.xlabel = "weight / gmax";
  hist.ylabel = "synapses";
  hist.hist(scaled, {.bins = 20, .range = plot::Range{0.0, 1.0}});
  auto& over_time = fig.axes(2, 0);
  over_time.title = "weights over time";
  over_time.xlabel = "t (s)";
  over_time.ylabel = "weight / gmax";
  over_time.xlim = plot::Range{0.0, duration};
  over_time.ylim = plot::Range{-0.05, 1.05};
  over_time.line(tr.t, tr.w0, {.label = "synapse 0"});
  over_time.line(tr.t, tr.w1, {.label = "synapse 1"});
  over_time.line(tr.t, tr.mean, {.label = "mean of all", .color = "#000000", .dash = true});
  const auto png = dir / "stdp.png";
  fig.save(png);
  return png.string();
}

}  // namespace

void run(const Options& opt) {
  using namespace soma::snn;
  Network net({.dt = 1e-4, .seed = opt.seed});
  net.set_constant("taum", "10*ms");
  net.set_constant("taupre", "20*ms");
  net.set_constant("taupost", "taupre");
  net.set_constant("Ee", "0*mV");
  net.set_constant("vt", "-54*mV");
  net.set_constant("vr", "-60*mV");
  net.set_constant("El", "-74*mV");
  net.set_constant("taue", "5*ms");
  net.set_constant("gmax", kGmax);
  // As the Brian2 example: dApost = -dApre * taupre / taupost * 1.05, both times gmax.
  net.set_constant("dApre", 0.01 * kGmax);
  net.set_constant("dApost", "-0.01 * taupre / taupost * 1.05 * gmax");
  auto& input = net.add_poisson_group(kInputs, std::vector<double>{15.0}, "input");
  auto& neuron = net.add_neuron_group(
      1,
      "dv/dt = (ge * (Ee-vr) + El - v) / taum : volt\n"
      "dge/dt = -ge / taue : 1",
      {.threshold = "v>vt", .reset = "v = vr", .method = "exact", .name = "neurons"});
  auto& S = net.add_synapses(input, neuron,
                             {.model = "w : 1\n"
                                       "dApre/dt = -Apre / taupre : 1 (event-driven)\n"
                                       "dApost/dt = -Apost / taupost : 1 (event-driven)",
                              .on_pre = "ge += w\n"
                                        "Apre += dApre\n"
                                        "w = clip(w + Apost, 0, gmax)",
                              .on_post = "Apost += dApost\n"
                                         "w = clip(w + Apre, 0, gmax)",
                              .name = "S"});
  S.connect_probability(1.0);  // Brian2's S.connect(): every pair
  S.set("w", "rand() * gmax");
  auto& out = net.add_spike_monitor(neuron);

  const bool progress = !opt.json && soma::stderr_is_terminal();
  const bool plotting = !opt.plot_dir.empty();
  Trace trace;
  const auto steps = static_cast<int64_t>(std::llround(opt.duration / net.dt()));
  const auto wall = std::chrono::steady_clock::now();
  const std::clock_t cpu = std::clock();
  if (!plotting) {
    net.run(double(steps) * net.dt(), progress);
  } else {
    // The weights are sampled between runs of a hundredth of the duration each.
    sample(trace, 0.0, S.get("w"));
    soma::ProgressBar bar(kSamples, "simulating", progress);
    for (int k = 0; k < kSamples; ++k) {
      const int64_t chunk = steps * (k + 1) / kSamples - steps * k / kSamples;
      net.run(double(chunk) * net.dt());
      sample(trace, net.t(), S.get("w"));
      bar.advance();
    }
  }
  const double cpu_seconds = double(std::clock() - cpu) / CLOCKS_PER_SEC;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();

  const auto& w = S.get("w");
  const auto above = std::count_if(w.begin(), w.end(), [](double x) { return x > kGmax / 2; });
  const double fraction_above_half = double(above) / double(w.size());
  const double mean_w = std::accumulate(w.begin(), w.end(), 0.0) / double(w.size()) / kGmax;
  const double simulated = double(steps) * net.dt();
  const double rate = simulated > 0 ? double(out.num_spikes()) / simulated : 0.0;
  std::vector<std::string> figures;
  if (plotting) figures.push_back(plot_weights(w, trace, simulated, opt.plot_dir));
  for (const auto& f : figures) soma::cli::wrote(f);
  if (opt.json) {
    soma::cli::print_json({{"figures", figures},
                           {"inputs", kInputs},
                           {"duration_s", simulated},
                           {"fraction_above_half", fraction_above_half},
                           {"mean_w_over_gmax", mean_w},
                           {"output_rate_hz", rate},
                           {"output_spikes", out.num_spikes()},
                           {"seconds", seconds},
                           {"sim_cpu_seconds", cpu_seconds}});
    return;
  }
  std::printf("STDP: %lld Poisson inputs at 15 Hz onto one LIF neuron, %.3g s at dt = 0.1 ms\n",
              static_cast<long long>(kInputs), simulated);
  std::printf("weights above gmax/2: %.1f %%, mean weight %.3f gmax\n", 100 * fraction_above_half,
              mean_w);
  std::printf("output rate: %.2f Hz (%lld spikes)\n", rate,
              static_cast<long long>(out.num_spikes()));
  std::printf("time: %.3f s (%.3f s per simulated second)\n", seconds,
              simulated > 0 ? seconds / simulated : 0.0);
}

}  // namespace soma::examples::stdp

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example stdp` has them as flags).
int main(int argc, char** argv) {
  soma::examples::stdp::Options opt;
  return soma::cli::example_main(argc, argv, opt, [&] { soma::examples::stdp::run(opt); });
}
#endif
