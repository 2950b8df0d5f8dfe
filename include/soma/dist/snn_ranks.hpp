#pragma once
// What `soma snn run`, `soma example coba` and a user's program share for a network under mpirun:
// the ranks of the job as the network uses them (soma/snn/ranks.hpp), and the digest of the spikes
// by which runs on any number of ranks are compared.
#include <cstdint>
#include <string>
#include <vector>

#include "soma/core/std_memory.hpp"
#include "soma/dist/context.hpp"
#include "soma/snn/ranks.hpp"

namespace soma::dist {

// The job's ranks, their collectives dist::Context's (each bounded by its timeout);
// null with one rank, so that the network runs whole as without mpirun.
std::shared_ptr<const snn::Ranks> snn_ranks(const dist::Context& ctx);

// The spikes as text, one line "i,t\n" per spike: i the neuron in decimal, t the time in
// seconds as printf's %.17g writes it (the value exactly), sorted by t, then i. That is
// the order in which a spike monitor records, and how `soma snn run` writes its CSV, so
// for one monitor `tail -n +2 FILE.csv | sha256sum` gives the same digest.
std::string spike_lines(const std::vector<int64_t>& i, const std::vector<double>& t);

}  // namespace soma::dist
