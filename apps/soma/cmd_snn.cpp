// soma snn run MODEL.toml: a spiking network described in a file, simulated, its
// monitors written as CSV. The format (every quantity a string with units, or a plain
// number in SI; a string must have the units of what it sets, as in Brian2, so
// v = "0" is an error for a volt variable; entries apply in the order written, so a
// constant may use those above it, and random initial values are drawn in that order):
//
//   dt = "0.1*ms"                 # optional (default 0.1 ms); seed = 1 optional
//   [constants]
//   tau = "10*ms"
//   [[timed_array]]               # Brian2's TimedArray: values * unit, a row per dt
//   name = "stimulus"             # called as stimulus(t) in any equation, threshold,
//   dt = "10*ms"                  # reset, on_pre or rate; the row int(t/dt), the first
//   unit = "nA"                   # or last row outside the table (optional, default "1")
//   values = [0, 1.5, 0.5]        # or [[row], ...]: a column per neuron, stimulus(t, i)
//   [[group]]
//   name = "G"
//   N = 3
//   equations = '''dv/dt = (I - v)/tau : volt
//                  I : volt'''
//   threshold = "v > -50*mV"      # optional: reset, refractory, method, and dt (its own
//                                 # clock, a whole multiple of the network's: "0.2*ms")
//   init = { v = "-70*mV", I = [0.1, 0.2, 0.0] }   # expression, number or list
//   run_regularly = [{ code = "I = stimulus(t)", dt = "1*ms" }]  # optional; no dt: each step
//   [[poisson_group]]             # Brian2's PoissonGroup: threshold rand() < rates*dt
//   name = "P"
//   N = 1000
//   rates = "stimulus(t)*Hz/nA"   # an expression in Hz (t, i, constants, timed arrays),
//                                 # or a number in Hz, or a list of one per neuron
//   [[synapses]]
//   name = "S"
//   source = "G[0:2]"             # a group or a slice of one
//   target = "G"
//   model = "w : volt"            # optional: on_pre, on_post, delay, post_delay; a line
//                                 # "X_post = expr : unit (summed)" sets the target's
//                                 # parameter X to the sum over its synapses
//   on_pre = "v_post += w"
//   connect = { p = 0.5 }         # or { i = [0], j = [2] } or { condition = "i != j", p = 1 }
//   init = { w = "1*mV" }
//   [[poisson_input]]             # Brian2's PoissonInput: each step, each target neuron
//   target = "G"                  # gets var += binomial(N, rate*dt) * weight
//   variable = "v"
//   N = 1000
//   rate = "10*Hz"
//   weight = "0.1*mV"             # an expression in G's context, with v's units
//   [[monitor]]
//   type = "spike"                # spike | state | rate
//   source = "G"
//   variables = ["v"]             # state monitors: variables and indices
//   indices = [0, 1]
//   file = "spikes.csv"           # default: <type>_<source>.csv; inside -o (a relative
//                                 # path that stays there: no "/abs", no "../")
//   [[run]]
//   duration = "100*ms"
//   constants = { tau = "20*ms" } # changed before this run
//
//   soma snn run MODEL.toml [-o DIR] [--json] [--plot DIR] [--dist-timeout SECONDS]
//
// Under mpirun -np K the ranks share the network (soma/snn/ranks.hpp: each integrates a
// block of every group and keeps the synapses onto it, spikes are exchanged once per
// minimum delay, every step where a pathway has none)
// and give the spikes of one rank; rank 0 alone writes the files and prints. --json
// gives spikes_sha256 (snn_ranks.hpp: of every spike monitor's lines, in the model's
// order) and ranks, so that runs on different numbers of ranks can be compared.
//
// --plot DIR draws each monitor beside its CSV's name there (snn_plots.hpp): a raster
// per spike monitor, coloured by the synapse sources its neurons belong to, the rate
// per rate monitor and the variables per state monitor.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include "registry.hpp"
#include "snn_model.hpp"
#include "snn_plots.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/sha256.hpp"
#include "soma/core/system.hpp"
#include "soma/dist/snn_ranks.hpp"
#include "soma/snn/network.hpp"

namespace {

using namespace soma::snn;

struct Options {
  std::string model;
  std::string out = "snn-output";
  std::string plot_dir;
  bool json = false;
  double dist_timeout = 300;  // seconds a rank waits for the others under mpirun
};

void run_rank(const Options& opt, const soma::dist::Context& ctx) {
  const bool writer = ctx.rank() == 0;
  auto model =
      soma::cli::load_snn_model(soma::read_file(opt.model), opt.model, soma::dist::snn_ranks(ctx));
  Network& net = *model.net;
  const auto& outputs = model.outputs;
  soma::Stopwatch clock;
  for (size_t k = 0; k < model.runs; ++k)
    soma::cli::run_snn(model, k, soma::cli::prepare_snn_run(model, k),
                       writer && !opt.json && soma::stderr_is_terminal());
  const double seconds = clock.seconds();
  if (!writer) return;  // every rank holds every monitor's records: rank 0 writes them
  std::string spikes;   // every spike monitor's lines, for spikes_sha256

  std::filesystem::create_directories(opt.out);
  nlohmann::json files = nlohmann::json::array();
  int64_t total_spikes = 0;
  for (const auto& o : outputs) {
    std::ostringstream csv;
    csv.precision(17);
    if (o.kind == "spike") {
      const auto& m = *static_cast<const SpikeMonitor*>(o.monitor);
      csv << "i,t\n";
      for (size_t k = 0; k < m.i.size(); ++k) csv << m.i[k] << ',' << m.t[k] << '\n';
      total_spikes += m.num_spikes();
      spikes += soma::dist::spike_lines(m.i, m.t);
    } else if (o.kind == "rate") {
      const auto& m = *static_cast<const PopulationRateMonitor*>(o.monitor);
      csv << "t,rate\n";
      for (size_t k = 0; k < m.t.size(); ++k) csv << m.t[k] << ',' << m.rate[k] << '\n';
    } else {
      const auto& m = *static_cast<const StateMonitor*>(o.monitor);
      csv << "t";
      for (const auto& v : m.variables)
        for (int64_t i : m.indices) csv << ',' << v << '[' << i << ']';
      csv << '\n';
      for (size_t s = 0; s < m.t.size(); ++s) {
        csv << m.t[s];
        for (const auto& v : m.variables)
          for (size_t k = 0; k < m.indices.size(); ++k) csv << ',' << m.values.at(v)[k][s];
        csv << '\n';
      }
    }
    // o.file is relative and stays inside -o DIR (checked when the model was read).
    const auto path = std::filesystem::path(opt.out) / o.file;
    std::filesystem::create_directories(path.parent_path());
    soma::write_file_atomic(path, csv.str());
    files.push_back(path.string());
    soma::cli::wrote(path.string());
  }
  std::vector<std::string> figures;
  if (!opt.plot_dir.empty()) figures = soma::cli::plot_snn_monitors(model, net.t(), opt.plot_dir);
  for (const auto& f : figures) soma::cli::wrote(f);
  if (opt.json)
    soma::cli::print_json({{"t_end_s", net.t()},
                           {"steps", net.step()},
                           {"spikes", total_spikes},
                           {"run_seconds", seconds},
                           {"spikes_sha256", soma::sha256_hex(spikes)},
                           {"ranks", ctx.size()},
                           {"exchange_seconds", net.exchange_stats().seconds},
                           {"exchange_cpu_seconds", net.exchange_stats().cpu_seconds},
                           {"exchanges", net.exchange_stats().exchanges},
                           {"collectives", net.exchange_stats().collectives},
                           {"exchange_every", net.exchange_stats().every},
                           {"files", files},
                           {"figures", figures}});
  else
    std::printf("simulated %.6g s in %lld steps (%.3f s)\n", net.t(),
                static_cast<long long>(net.step()), seconds);
}

// Under mpirun an error on any rank ends the whole job with its message (the others
// would otherwise wait for it until the timeout).
void run(const Options& opt) {
  const soma::dist::Context ctx({.timeout_seconds = opt.dist_timeout});
  try {
    run_rank(opt, ctx);
  } catch (const std::exception& e) {
    if (ctx.distributed()) ctx.abort(e.what());
    throw;
  }
}

soma::cli::CommandRegistrar reg(
    "snn", "Simulate spiking networks (Brian2-style models)", [](CLI::App& app) {
      app.require_subcommand(1);
      auto* r = app.add_subcommand("run", "Run a MODEL.toml network");
      auto opts = std::make_shared<Options>();
      r->add_option("model", opts->model, "Model file (TOML)")->required();
      soma::cli::add_output_option(*r, opts->out, "Directory for the monitors' CSV files",
                                   "snn-output");
      r->add_flag("--json", opts->json, "End with one JSON object of the results");
      r->add_option("--plot", opts->plot_dir, "Write figures into this directory")
          ->default_str("none, no figures");
      r->add_option("--dist-timeout", opts->dist_timeout,
                    "Under mpirun: seconds to wait for the other ranks before ending the job")
          ->check(CLI::PositiveNumber)
          ->capture_default_str();
      r->callback([opts] { run(*opts); });
    });

}  // namespace
