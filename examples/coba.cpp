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
// --plot DIR adds the spike raster with the population rate under it (coba_raster.png) and
// the spikes themselves as CSV, i,t in seconds as `soma snn run` writes a spike monitor,
// and each neuron's group, excitatory or inhibitory (coba_spikes.csv: `soma dashboard
// --spikes` shows it in the raster's two colours). The two panels share the time axis:
// same range, and frames of the same width (the figure lines up stacked panels). Plotting runs the
// network twice.
//
// --delay MS gives every synapse that delay (Brian2's example has none); under mpirun the
// ranks then exchange their spikes once per delay instead of every step.
//
//   soma example coba [--neurons N] [--duration SECONDS] [--delay MS] [--seed N] [--json]
//                     [--plot DIR]
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "coba.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/sha256.hpp"
#include "soma/dist/context.hpp"
#include "soma/dist/snn_ranks.hpp"
#include "soma/plot/figure.hpp"
#include "soma/snn/models.hpp"

namespace soma::examples::coba {
namespace {

std::vector<std::string> plot_raster(const Options& o, const soma::snn::models::CobaResult& r,
                                     const std::filesystem::path& dir) {
  namespace plot = soma::plot;
  std::filesystem::create_directories(dir);
  // The group column names each spike's population, so that `soma dashboard --spikes`
  // colours the raster as coba_raster.png does.
  std::string csv = "i,t,group\n";
  char line[80];
  for (size_t k = 0; k < r.spike_i.size(); ++k) {
    std::snprintf(line, sizeof line, "%lld,%.17g,%s\n", static_cast<long long>(r.spike_i[k]),
                  r.spike_t[k], r.spike_i[k] < r.excitatory ? "excitatory" : "inhibitory");
    csv += line;
  }
  const auto csv_path = dir / "coba_spikes.csv";
  soma::write_file_atomic(csv_path, csv);

  std::vector<double> t, i, cls;
  for (size_t k = 0; k < r.spike_i.size(); ++k) {
    t.push_back(r.spike_t[k] * 1e3);
    i.push_back(double(r.spike_i[k]));
    cls.push_back(r.spike_i[k] < r.excitatory ? 0 : 1);
  }
  // The population rate in 5 ms bins: spikes / (neurons x bin width).
  const double bin_ms = 5.0, end_ms = o.duration * 1e3;
  const size_t bins = std::max<size_t>(1, size_t(std::ceil(end_ms / bin_ms)));
  std::vector<double> centre(bins), rate(bins, 0.0);
  for (size_t b = 0; b < bins; ++b) centre[b] = (double(b) + 0.5) * bin_ms;
  for (double ms : t) rate[std::min(bins - 1, size_t(ms / bin_ms))] += 1.0;
  for (double& x : rate) x /= double(o.neurons) * bin_ms * 1e-3;

  plot::Figure fig({.rows = 2,
                    .cols = 1,
                    .width = 1000,
                    .height = 760,
                    .title = "COBA: " + std::to_string(o.neurons) + " neurons"});
  auto& raster = fig.axes(0, 0);
  raster.title = "spike raster";
  raster.xlabel = "t (ms)";
  raster.ylabel = "neuron";
  raster.xlim = plot::Range{0.0, end_ms};
  raster.ylim = plot::Range{-0.5, double(o.neurons) - 0.5};
  raster.grid = false;
  raster.scatter(t, i, {.classes = cls, .class_names = {"excitatory", "inhibitory"}, .size = 1});
  auto& pop = fig.axes(1, 0);
  pop.title = "population rate (5 ms bins)";
  pop.xlabel = "t (ms)";
  pop.ylabel = "rate (Hz)";
  pop.xlim = raster.xlim;
  pop.line(centre, rate);
  const auto png = dir / "coba_raster.png";
  fig.save(png);
  return {png.string(), csv_path.string()};
}

void run_rank(const Options& opt, const soma::dist::Context& ctx) {
  const bool writer = ctx.rank() == 0;  // under mpirun rank 0 alone prints and plots
  const auto r =
      soma::snn::models::coba({.neurons = opt.neurons,
                               .duration = opt.duration,
                               .seed = opt.seed,
                               .progress = writer && !opt.json && soma::stderr_is_terminal(),
                               .record_spikes = opt.json || !opt.plot_dir.empty(),
                               .delay = opt.delay_ms * 1e-3,
                               .ranks = soma::dist::snn_ranks(ctx)});
  if (!writer) return;
  std::vector<std::string> figures;
  if (!opt.plot_dir.empty()) figures = plot_raster(opt, r, opt.plot_dir);
  for (const auto& f : figures) soma::cli::wrote(f);
  if (opt.json) {
    soma::cli::print_json(
        {{"figures", figures},
         {"neurons", opt.neurons},
         {"duration_s", opt.duration},
         {"synapses", r.synapses},
         {"rate_exc_hz", r.rate_exc_hz},
         {"rate_inh_hz", r.rate_inh_hz},
         {"spikes", r.spikes},
         {"sim_seconds", r.sim_seconds},
         {"sim_cpu_seconds", r.sim_cpu_seconds},
         {"setup_seconds", r.setup_seconds},
         // The same on any number of ranks (snn_ranks.hpp: the
         // lines "i,t" sorted by t, then i).
         {"spikes_sha256", soma::sha256_hex(soma::dist::spike_lines(r.spike_i, r.spike_t))},
         {"ranks", ctx.size()},
         {"exchange_seconds", r.exchange.seconds},
         {"exchange_cpu_seconds", r.exchange.cpu_seconds},
         {"exchanges", r.exchange.exchanges},
         {"collectives", r.exchange.collectives},
         {"exchange_every", r.exchange.every}});
    return;
  }
  std::printf("COBA: %lld neurons, %lld synapses, %.3g s simulated at dt = 0.1 ms\n",
              static_cast<long long>(opt.neurons), static_cast<long long>(r.synapses),
              opt.duration);
  std::printf("rates: excitatory %.2f Hz, inhibitory %.2f Hz (%lld spikes)\n", r.rate_exc_hz,
              r.rate_inh_hz, static_cast<long long>(r.spikes));
  std::printf("time: setup %.3f s, simulation %.3f s (%.3f s per simulated second)\n",
              r.setup_seconds, r.sim_seconds, r.sim_seconds / opt.duration);
  if (ctx.distributed())
    std::printf("ranks: %d, spike exchange %.3f s (%.1f %% of the simulation)\n", ctx.size(),
                r.exchange.seconds, 100.0 * r.exchange.seconds / std::max(r.sim_seconds, 1e-9));
}

}  // namespace

// Under mpirun an error on any rank ends the whole job (dist::run_on_ranks).
void run(const Options& opt) {
  soma::dist::run_on_ranks([&](const soma::dist::Context& c) { run_rank(opt, c); });
}

}  // namespace soma::examples::coba

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example coba` has them as flags).
int main(int argc, char** argv) {
  soma::examples::coba::Options opt;
  return soma::cli::example_main(argc, argv, opt, [&] { soma::examples::coba::run(opt); });
}
#endif
