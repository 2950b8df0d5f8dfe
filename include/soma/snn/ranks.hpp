#pragma once
// A spiking network shared by the ranks of an MPI job (mpirun -np K), as NEST shares one:
//
//   dist::Context ctx;                                     // soma/dist/context.hpp
//   Network net({.seed = 1, .ranks = cli::snn_ranks(ctx)});  // null with one rank
//   ... build it exactly as on one rank; net.run(1.0);
//
// What building a network draws (random connectivity, rand() in initial values) comes
// from counter-based streams (soma/core/philox.hpp), one per random operation of the
// build, in which each element has numbers of its own: a synapse row's block of 256
// targets for connect(p=...), a pair for a condition, a neuron or a synapse for a value.
// A rank draws what it needs only, and gets what one rank draws for it, so connectivity
// and initial values do not depend on the number of ranks. When the first run starts,
// each neuron group is split in blocks: rank r integrates and thresholds neurons
// [lo, hi) of it (block_range) and holds only the synapses whose target it holds.
// Random connectivity and the synaptic values that read nothing but i, j and random
// draws are made then, for those targets only: a rank never holds, nor draws, the other
// ranks' synapses. Synapses something needed earlier (an explicit connect, values from
// an array, size()) are made whole on every rank, and each keeps its share.
//
// The ranks exchange their spikes once every D steps, as NEST does, D the minimum delay
// (in steps) of the pathways that carry a split group's spikes: one collective of the
// spikes of those D steps (4 bytes per spike plus 4 per group, step and rank,
// pack_spikes), so that every rank holds every spike in time for the pathways (a spike
// of step s with delay d >= D acts at step s + d, after the exchange that brought it).
// A spike monitor or rate monitor of a split group records a window's steps when its
// exchange brings them, so its records are those of one rank. Where such a pathway has
// no delay the ranks exchange after the thresholds of every step, before the pathways
// run (D = 1). When a run ends, the last window is exchanged, and the ranks gather the
// groups' state and the state monitors' records, so that after run() every rank holds
// what one rank would.
//
// A group whose step draws random numbers (rand(), randn(), xi in its equations,
// threshold, reset or run_regularly: noise, PoissonGroup), or that a PoissonInput or
// synapses with random or presynaptic code (v_pre, X_pre (summed)) write into, is not
// split: every rank runs all of it, so the steps' random sequence (one generator, not
// counter-based: the per-step draws of a PoissonGroup stay one pass) is drawn in one
// rank's order and stays the same on every rank. The spikes are then the same as one
// rank's, bit for bit, whatever the number of ranks.
#include <cstdint>
#include <utility>
#include <vector>

#include "soma/core/std_function.hpp"

namespace soma::snn {

struct Ranks {
  int rank = 0, size = 1;
  // Collectives: every rank calls them at the same point with its own values; every rank
  // receives all ranks' values one after another in rank order, and counts[r], how many
  // came from rank r. (dist::Context::allgather_slots and allgatherv under mpirun; tests
  // use threads.) gather_ints returns how many collectives it took (ExchangeStats).
  std::function<int(const std::vector<int32_t>& send, std::vector<int32_t>& recv,
                    std::vector<int>& counts)>
      gather_ints{};
  std::function<void(const std::vector<double>& send, std::vector<double>& recv,
                     std::vector<int>& counts)>
      gather_doubles{};
};

// The neurons [lo, hi) of a group of n that `rank` of `size` holds: contiguous blocks in
// rank order (so that the ranks' spikes, put one after another, are in ascending order),
// each boundary a multiple of `align` neurons (the interpreter's block: every rank then
// evaluates the very blocks one rank does), as equal as that allows; the last rank's
// block ends at n. Blocks may be empty where n < size * align.
std::pair<int64_t, int64_t> block_range(int64_t n, int rank, int size, int64_t align = 256);

// One step's spikes of the split groups as one message: for each group in turn its
// count, then its (ascending) neuron indices. append_spikes adds them to a message (the
// steps of an exchange window, one after another).
void pack_spikes(const std::vector<const std::vector<int32_t>*>& groups,
                 std::vector<int32_t>& message);
void append_spikes(const std::vector<const std::vector<int32_t>*>& groups,
                   std::vector<int32_t>& message);
// The inverse over every rank's message, as the collective delivers them (one after
// another, counts[r] values from rank r): each group gets the spikes of rank 0, then of
// rank 1, ... Throws soma::Error where a message does not have the groups' layout.
void unpack_spikes(const std::vector<int32_t>& messages, const std::vector<int>& counts,
                   const std::vector<std::vector<int32_t>*>& groups);

// Time and volume of the spike exchange over the network's runs.
struct ExchangeStats {
  double seconds = 0;  // in the collectives, waiting for the slowest rank included
  // The CPU time the exchange took on this rank's thread (packing, the MPI calls, polling
  // while the other ranks are late); unlike `seconds` it leaves out the time the rank
  // slept waiting for them or was not running (a busy machine's share of the wall time).
  double cpu_seconds = 0;
  int64_t exchanges = 0;    // exchanges: one per window of `every` steps (and per run's end)
  int64_t collectives = 0;  // MPI collectives they took (one each where the slots held them)
  int64_t values = 0;       // 32-bit values this rank sent
  int64_t every = 0;        // the last run's window D in steps (1: every step; 0: no exchange)
};

}  // namespace soma::snn
