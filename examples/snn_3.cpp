// The Brian2 tutorial's three neurons: conductance-based leaky integrate-and-fire
// cells driven by constant currents I = 0.7, 0.5 and 0 nA. Neuron 0 excites neuron 2
// (on_pre ge_post += w_ge), neuron 1 inhibits it (gi_post += w_gi). The network runs
// 100 ms with w_gi = 0, then the inhibitory weight is raised to w_gi = 0.5 nS and it
// runs 100 ms more: as in the tutorial's figures, neuron 2 fires once (at 69.8 ms) in
// the first run and inhibition keeps it below threshold in the second.
//
//   dv/dt = -(gl*(v - vl) + ge*(v - ve) + gi*(v - vi) - I)/c : volt
//   dge/dt = -ge/ge_tau : siemens
//   dgi/dt = -gi/gi_tau : siemens
//   I : amp
//
// Constants are the tutorial's (the same in tests/reference/snn_3.py, whose Brian2 spike
// times the tests compare against): c = 100 pF, gl = 5 nS, vl = -70 mV, ve = 0 mV,
// vi = -80 mV, ge_tau = 20 ms, gi_tau = 100 ms, w_ge = 1.0 nS; threshold v > -40 mV,
// reset v = vl, no refractory period, v starts at -70 mV, method='euler'. The tutorial
// does not set dt: Brian2's default clock, 0.1 ms. (Its text says "larger than 40mV";
// its code, and the figure, have -40 mV.) Brian2 gives 40/27/1 spikes with either term.
//
// The tutorial's code writes the inhibitory term as gi*(ve - vi), a fixed current
// while gi is open; its text explains it as gi*(v - vi), a conductance whose drive
// depends on v. --inhibition-term picks: written | described (default).
//
// --plot DIR draws the three voltage traces (snn_3.png).
//
//   soma example snn-3 [--inhibition-term written|described] [--json] [--plot DIR]
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "snn_3.hpp"
#include "soma/core/error.hpp"
#include "soma/plot/figure.hpp"
#include "soma/snn/models.hpp"

namespace soma::examples::snn_3 {
namespace {

using soma::snn::models::InhibitionTerm;

std::string plot_traces(const soma::snn::models::VoltageTraces& tr,
                        const std::vector<std::vector<double>>& spikes, const std::string& term,
                        const std::filesystem::path& dir) {
  namespace plot = soma::plot;
  std::filesystem::create_directories(dir);
  plot::Figure fig({.rows = 3,
                    .cols = 1,
                    .width = 900,
                    .height = 800,
                    .title = "Three conductance-based LIF neurons (inhibition " + term + ")"});
  const char* titles[] = {"neuron 0 (I = 0.7 nA, excites 2)", "neuron 1 (I = 0.5 nA, inhibits 2)",
                          "neuron 2 (I = 0; w_gi = 0.5 nS from 100 ms)"};
  for (int n = 0; n < 3; ++n) {
    auto& ax = fig.axes(n, 0);
    ax.title = titles[n];
    ax.ylabel = "v (mV)";
    if (n == 2) ax.xlabel = "t (ms)";
    ax.xlim = plot::Range{0.0, 200.0};
    ax.ylim = plot::Range{-72.0, -38.0};
    ax.legend_position = plot::LegendPosition::bottom_right;
    ax.line(tr.t_ms, tr.v_mv[size_t(n)], {.label = "v", .width = 1.0});
    ax.line({0.0, 200.0}, {-40.0, -40.0}, {.label = "threshold", .color = "#888888", .dash = true});
    if (!spikes[size_t(n)].empty())
      ax.scatter(spikes[size_t(n)], std::vector<double>(spikes[size_t(n)].size(), -39.0),
                 {.label = "spikes", .color = "#d62728", .size = 5});
  }
  const auto path = dir / "snn_3.png";
  fig.save(path);
  return path.string();
}

}  // namespace

void run(const Options& opt) {
  const auto term =
      opt.inhibition_term == "written" ? InhibitionTerm::written : InhibitionTerm::described;
  soma::snn::models::VoltageTraces traces;
  const auto spikes =
      soma::snn::models::three_neurons(term, opt.plot_dir.empty() ? nullptr : &traces);
  std::vector<std::string> figures;
  if (!opt.plot_dir.empty())
    figures.push_back(plot_traces(traces, spikes, opt.inhibition_term, opt.plot_dir));
  for (const auto& f : figures) soma::cli::wrote(f);
  if (opt.json) {
    soma::cli::print_json(
        {{"inhibition_term", opt.inhibition_term}, {"spikes_ms", spikes}, {"figures", figures}});
    return;
  }
  std::printf("inhibitory term: %s\n",
              term == InhibitionTerm::written ? "gi*(ve - vi)" : "gi*(v - vi)");
  for (size_t n = 0; n < spikes.size(); ++n) {
    int first = 0, second = 0;
    for (double t : spikes[n]) (t < 100.0 ? first : second)++;
    std::printf("neuron %zu: %3zu spikes (%d in 0-100 ms, %d in 100-200 ms with w_gi = 0.5 nS)\n",
                n, spikes[n].size(), first, second);
  }
  std::printf("neuron 2 spike times (ms):");
  for (double t : spikes[2]) std::printf(" %.1f", t);
  std::printf("\n");
}

}  // namespace soma::examples::snn_3

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example snn-3` has them as flags).
int main(int argc, char** argv) {
  soma::examples::snn_3::Options opt;
  return soma::cli::example_main(argc, argv, opt, [&] { soma::examples::snn_3::run(opt); });
}
#endif
