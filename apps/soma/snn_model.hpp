#pragma once
// The `soma snn run` model file (format in cmd_snn.cpp): read from text into a built
// Network with its monitors, and its [[run]] sections applied one at a time. Apart from
// the command, so the fuzz target fuzz/snn_file_fuzz.cpp reaches the same code.
//
// Every error is a soma::Error naming the file, and the line and column where known.
#include <toml++/toml.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "soma/snn/network.hpp"

namespace soma::cli {

// A [[monitor]]: the file it is written to, its type ("spike", "state" or "rate") and
// the monitor (a SpikeMonitor, StateMonitor or PopulationRateMonitor of the network).
struct SnnOutput {
  std::string file, kind;
  const void* monitor;
};

struct SnnModel {
  std::string file;
  toml::table root;  // the parsed file: the runs are read from it when applied
  std::unique_ptr<snn::Network> net;
  std::vector<SnnOutput> outputs;
  size_t runs = 0;  // the number of [[run]] sections, at least one
};

// Parses `text` (the contents of `file`) and builds the groups, synapses and monitors;
// `ranks`: the MPI job's that share the network (soma/snn/ranks.hpp), null for one.
SnnModel load_snn_model(std::string_view text, const std::string& file,
                        std::shared_ptr<const snn::Ranks> ranks = nullptr);

// Applies run `k`'s constants and `set` values, and returns its duration in seconds.
double prepare_snn_run(SnnModel& model, size_t k);

// Runs the network for `duration` seconds (run `k`'s, from prepare_snn_run): the
// equations, thresholds and statements compile on the first run, and an error there
// gets the position of the [[run]] that needed them.
void run_snn(SnnModel& model, size_t k, double duration, bool progress);

}  // namespace soma::cli
