// A network shared by ranks (soma/snn/ranks.hpp), without mpirun: the block split, the
// spike messages, and whole networks run by two or three "ranks" that are threads of
// this process, exchanging through memory instead of MPI. Each must give, bit for bit,
// the spikes, records and final state of the same network on one rank.
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "snn/internal.hpp"
#include "soma/core/error.hpp"
#include "soma/snn/models.hpp"
#include "soma/snn/network.hpp"

using namespace soma::snn;

namespace {

TEST(BlockRange, CoversTheGroupInAlignedBlocksInRankOrder) {
  for (int64_t n : {1, 255, 256, 257, 1000, 4000, 40000}) {
    for (int size : {1, 2, 3, 7}) {
      int64_t next = 0;
      for (int r = 0; r < size; ++r) {
        const auto [lo, hi] = block_range(n, r, size);
        EXPECT_EQ(lo, next) << n << " " << r << "/" << size;
        EXPECT_LE(lo, hi);
        EXPECT_EQ(lo % 256, 0);
        if (r + 1 < size) {
          EXPECT_TRUE(hi % 256 == 0 || hi == n);
        }
        next = hi;
      }
      EXPECT_EQ(next, n);
    }
  }
  // 40,000 neurons are 157 blocks of 256 (the last one short): 78 and 79.
  EXPECT_EQ(block_range(40000, 0, 2), (std::pair<int64_t, int64_t>{0, 19968}));
  EXPECT_EQ(block_range(40000, 1, 2), (std::pair<int64_t, int64_t>{19968, 40000}));
  EXPECT_THROW(block_range(10, 2, 2), soma::Error);
  EXPECT_THROW(block_range(10, 0, 0), soma::Error);
}

TEST(SpikeMessages, UnpackPutsEachGroupsSpikesInRankOrder) {
  const std::vector<int32_t> a0{1, 7}, b0{}, a1{300}, b1{256, 400};
  std::vector<int32_t> m0, m1;
  pack_spikes({&a0, &b0}, m0);
  pack_spikes({&a1, &b1}, m1);
  EXPECT_EQ(m0, (std::vector<int32_t>{2, 1, 7, 0}));
  EXPECT_EQ(m1, (std::vector<int32_t>{1, 300, 2, 256, 400}));
  std::vector<int32_t> all = m0;
  all.insert(all.end(), m1.begin(), m1.end());
  std::vector<int32_t> a{99}, b;
  unpack_spikes(all, {static_cast<int>(m0.size()), static_cast<int>(m1.size())}, {&a, &b});
  EXPECT_EQ(a, (std::vector<int32_t>{1, 7, 300}));
  EXPECT_EQ(b, (std::vector<int32_t>{256, 400}));
  // A count that overruns its rank's message, a message too long, counts past the data.
  EXPECT_THROW(unpack_spikes({5, 1, 0}, {3}, {&a, &b}), soma::Error);
  EXPECT_THROW(unpack_spikes({0, 0, 9}, {3}, {&a, &b}), soma::Error);
  EXPECT_THROW(unpack_spikes({0, 0}, {4}, {&a, &b}), soma::Error);
}

// Ranks that are threads: each collective puts every rank's values on a board, waits
// for all, reads them all, and waits again before the board is reused.
struct Board {
  explicit Board(int n) : size(n), sync(n), ints(n), doubles(n) {}
  int size;
  std::barrier<> sync;
  std::vector<std::vector<int32_t>> ints;
  std::vector<std::vector<double>> doubles;
  template <class T>
  void gather(std::vector<std::vector<T>>& slots, int rank, const std::vector<T>& send,
              std::vector<T>& recv, std::vector<int>& counts) {
    slots[static_cast<size_t>(rank)] = send;
    sync.arrive_and_wait();
    recv.clear();
    counts.clear();
    for (const auto& s : slots) {
      recv.insert(recv.end(), s.begin(), s.end());
      counts.push_back(static_cast<int>(s.size()));
    }
    sync.arrive_and_wait();
  }
};

std::vector<std::shared_ptr<const Ranks>> thread_ranks(const std::shared_ptr<Board>& board) {
  std::vector<std::shared_ptr<const Ranks>> out;
  for (int r = 0; r < board->size; ++r) {
    auto ranks = std::make_shared<Ranks>();
    ranks->rank = r;
    ranks->size = board->size;
    ranks->gather_ints = [board, r](const std::vector<int32_t>& s, std::vector<int32_t>& v,
                                    std::vector<int>& c) {
      board->gather(board->ints, r, s, v, c);
      return 1;
    };
    ranks->gather_doubles = [board, r](const std::vector<double>& s, std::vector<double>& v,
                                       std::vector<int>& c) {
      board->gather(board->doubles, r, s, v, c);
    };
    out.push_back(ranks);
  }
  return out;
}

// Runs `simulate` on `size` thread ranks and returns each rank's result.
template <class Result>
std::vector<Result> on_ranks(int size,
                             const std::function<Result(std::shared_ptr<const Ranks>)>& simulate) {
  auto ranks = thread_ranks(std::make_shared<Board>(size));
  std::vector<Result> out(static_cast<size_t>(size));
  std::vector<std::thread> threads;
  for (int r = 0; r < size; ++r)
    threads.emplace_back([&, r] { out[static_cast<size_t>(r)] = simulate(ranks[r]); });
  for (auto& t : threads) t.join();
  return out;
}

TEST(RanksCoba, TwoThreadRanksGiveTheSpikesOfOne) {
  auto coba = [](std::shared_ptr<const Ranks> ranks) {
    return models::coba({.neurons = 2000,
                         .duration = 0.03,
                         .seed = 7,
                         .record_spikes = true,
                         .ranks = std::move(ranks)});
  };
  const auto one = coba(nullptr);
  ASSERT_GT(one.spikes, 200);  // the network is active: the comparison means something
  const auto two = on_ranks<models::CobaResult>(2, coba);
  for (const auto& r : two) {
    EXPECT_EQ(r.spike_i, one.spike_i);
    EXPECT_EQ(r.spike_t, one.spike_t);
    EXPECT_EQ(r.synapses, one.synapses);
    // Undelayed synapses need the spikes at once: one exchange per step, each one
    // collective, and one more per run (the ranks agreeing on the window: coba() runs
    // no steps first, so that splitting the network counts as its setup).
    EXPECT_EQ(r.exchange.every, 1);
    EXPECT_EQ(r.exchange.exchanges, 300);
    EXPECT_EQ(r.exchange.collectives, 302);
  }
  EXPECT_EQ(one.exchange.exchanges, 0);
}

// With a delay of 1.5 ms (15 steps) a spike acts 15 steps after it: the ranks exchange
// the spikes of 15 steps at once, and every spike still lands at its step.
TEST(RanksCoba, ADelayExchangesOncePerDelayWithTheSpikesOfOne) {
  auto coba = [](double delay, std::shared_ptr<const Ranks> ranks) {
    return models::coba({.neurons = 2000,
                         .duration = 0.03,
                         .seed = 7,
                         .record_spikes = true,
                         .delay = delay,
                         .ranks = std::move(ranks)});
  };
  const auto one = coba(0.0015, nullptr);
  ASSERT_GT(one.spikes, 200);
  // The delay acts: the same network without it spikes otherwise.
  EXPECT_NE(one.spike_i, coba(0.0, nullptr).spike_i);
  for (int size : {2, 3}) {
    const auto runs = on_ranks<models::CobaResult>(
        size, [&](std::shared_ptr<const Ranks> r) { return coba(0.0015, std::move(r)); });
    for (const auto& r : runs) {
      EXPECT_EQ(r.spike_i, one.spike_i) << size << " ranks";
      EXPECT_EQ(r.spike_t, one.spike_t) << size << " ranks";
      EXPECT_EQ(r.exchange.every, 15);
      EXPECT_EQ(r.exchange.exchanges, 20);  // 300 steps / 15
      EXPECT_EQ(r.exchange.collectives, 22);
    }
  }
}

// A network with what the split must handle: delays that differ per synapse, on_post
// plasticity, a noisy group and a PoissonGroup and a PoissonInput (run whole on every
// rank), a subgroup source, a state monitor, a constant changed between two runs.
struct Outcome {
  std::vector<int64_t> i, i_noisy;
  std::vector<double> t, t_noisy, v_end;
  std::map<std::string, std::vector<std::vector<double>>> records;
  std::vector<double> rate_t, rate;
  int64_t kept_synapses = 0, synapses = 0;
  int64_t shortest_delay = 0;  // S's, in steps
  soma::snn::ExchangeStats exchange;
};

Outcome mixed(std::shared_ptr<const Ranks> ranks) {
  Network net({.seed = 3, .ranks = std::move(ranks)});
  net.set_constant("tau", "10*ms");
  net.set_constant("drive", "1.2");
  auto& g = net.add_neuron_group(
      700, "dv/dt = (drive - v + I)/tau : 1 (unless refractory)\ndI/dt = -I/(5*ms) : 1",
      {.threshold = "v > 1", .reset = "v = 0", .refractory = "2*ms", .name = "G"});
  g.set("v", "rand()");
  auto& noisy = net.add_neuron_group(300, "dv/dt = (1.05 - v)/tau : 1",
                                     {.threshold = "v > 1", .reset = "v = 0", .name = "N"});
  noisy.run_regularly("v += 0.05*randn()");
  auto& p = net.add_poisson_group(200, "40*Hz", "P");
  auto& s = net.add_synapses(g(0, 500), g,
                             {.model = "w : 1\ndA/dt = -A/(10*ms) : 1 (event-driven)",
                              .on_pre = "I_post += w\nA += 0.01",
                              .on_post = "w = clip(w + A, 0, 0.2)",
                              .name = "S"});
  s.connect_probability(0.05);
  s.set("w", "0.1*rand()");
  s.set("delay", "(1 + 3*rand())*ms");
  auto& sn = net.add_synapses(noisy, g, {.on_pre = "I_post += 0.05", .delay = "1*ms"});
  sn.connect_probability(0.02);
  auto& sp = net.add_synapses(p, g, {.on_pre = "v_post += 0.02", .name = "SP"});
  sp.connect_probability(0.1);
  net.add_poisson_input(noisy, "v", 50, 20.0, "0.01");
  auto& mg = net.add_spike_monitor(g);
  auto& mn = net.add_spike_monitor(noisy);
  auto& state = net.add_state_monitor(g, {"v", "I"}, {0, 299, 300, 699});
  auto& rate = net.add_rate_monitor(g(0, 500));
  net.run(0.02);
  net.set_constant("drive", "1.1");
  net.run(0.0215);  // 215 steps: the last window is cut short by the run's end
  Outcome o;
  o.i = mg.i;
  o.t = mg.t;
  o.i_noisy = mn.i;
  o.t_noisy = mn.t;
  o.v_end = g.get("v");
  o.records = state.values;
  o.rate_t = rate.t;
  o.rate = rate.rate;
  const auto& delays = s.get("delay");
  o.shortest_delay = std::llround(*std::min_element(delays.begin(), delays.end()) / 1e-4);
  o.exchange = net.exchange_stats();
  o.kept_synapses = static_cast<int64_t>(s.impl().count());
  o.synapses = s.size();
  return o;
}

TEST(RanksNetwork, ThreadRanksGiveOneRanksSpikesRecordsAndState) {
  const Outcome one = mixed(nullptr);
  ASSERT_GT(one.i.size(), 200u);
  ASSERT_GT(one.i_noisy.size(), 20u);
  ASSERT_GE(one.shortest_delay, 2);  // the exchange is deferred: S's delays are 1 to 4 ms
  for (int size : {2, 3}) {
    const auto runs = on_ranks<Outcome>(size, mixed);
    int64_t kept = 0;
    for (const auto& r : runs) {
      EXPECT_EQ(r.i, one.i) << size << " ranks";
      EXPECT_EQ(r.t, one.t) << size << " ranks";
      EXPECT_EQ(r.i_noisy, one.i_noisy) << size << " ranks";
      EXPECT_EQ(r.t_noisy, one.t_noisy) << size << " ranks";
      EXPECT_EQ(r.v_end, one.v_end) << size << " ranks";
      EXPECT_EQ(r.records, one.records) << size << " ranks";
      EXPECT_EQ(r.rate_t, one.rate_t) << size << " ranks";
      EXPECT_EQ(r.rate, one.rate) << size << " ranks";
      // G's spikes feed S alone (N and P run whole): one exchange per S's shortest
      // delay, the last window of each run cut at its end.
      const int64_t d = one.shortest_delay;
      EXPECT_EQ(r.exchange.every, d);
      EXPECT_EQ(r.exchange.exchanges, (200 + d - 1) / d + (215 + d - 1) / d);
      EXPECT_EQ(r.synapses, one.synapses);
      kept += r.kept_synapses;
    }
    // Each synapse is kept by exactly one rank, that of its target.
    EXPECT_EQ(kept, one.synapses) << size << " ranks";
    EXPECT_LT(runs[0].kept_synapses, one.synapses) << size << " ranks";
  }
}

// Random connectivity and synaptic values are made when the network is split, for the
// rank's targets only (Synapses::Impl::build): each rank holds exactly one rank's
// synapses onto its neurons, with their values, and not one synapse more.
struct Made {
  std::vector<std::pair<int64_t, int64_t>> pairs;  // (source, target) in storage order
  std::vector<double> w, w2;
  int64_t size = 0;
  bool whole = false;  // made whole and then cut (global_id known)
};

Made made(std::shared_ptr<const Ranks> ranks) {
  Network net({.seed = 5, .ranks = std::move(ranks)});
  auto& g = net.add_neuron_group(1500, "dv/dt = -v/(10*ms) : 1", {.threshold = "v > 1"});
  auto& s = net.add_synapses(g(100, 1300), g(300, 1500), {.model = "w : 1\nw2 : 1"});
  s.connect_probability(0.03);
  s.connect_condition("j == i + 1 or rand() < 0.01", 0.5);  // repeats some pairs
  s.set("w", "i + 0.5*rand() + j*10000");
  net.run(0.0);
  s.set("w2", "w + rand()");  // after the split: each synapse still its own draw
  Made m;
  m.w2 = s.get("w2");
  const auto i = s.sources(), j = s.targets();
  for (size_t k = 0; k < i.size(); ++k) m.pairs.emplace_back(i[k], j[k]);
  m.w = s.get("w");
  m.size = s.size();
  m.whole = !s.impl().global_id.empty();
  return m;
}

TEST(RanksBuild, EachRankMakesExactlyOneRanksSynapsesOntoItsNeurons) {
  const Made one = made(nullptr);
  ASSERT_GT(one.size, 5000);
  // The values are the synapse's own: w = i + 0.5*rand() + 10000*j.
  for (size_t k = 0; k < one.pairs.size(); ++k) {
    const double drawn = one.w[k] - 10000.0 * static_cast<double>(one.pairs[k].second) -
                         static_cast<double>(one.pairs[k].first);
    EXPECT_GE(drawn, 0.0);
    EXPECT_LT(drawn, 0.5);
  }
  for (int size : {2, 3}) {
    const auto runs = on_ranks<Made>(size, made);
    size_t held = 0;
    for (int r = 0; r < size; ++r) {
      const Made& m = runs[static_cast<size_t>(r)];
      EXPECT_FALSE(m.whole) << "rank " << r << " of " << size << " made every synapse";
      EXPECT_EQ(m.size, one.size);
      // One rank's synapses whose target (group index = 300 + j) this rank holds, in order.
      const auto [lo, hi] = block_range(1500, r, size);
      Made want;
      for (size_t k = 0; k < one.pairs.size(); ++k)
        if (one.pairs[k].second + 300 >= lo && one.pairs[k].second + 300 < hi) {
          want.pairs.push_back(one.pairs[k]);
          want.w.push_back(one.w[k]);
          want.w2.push_back(one.w2[k]);
        }
      EXPECT_EQ(m.pairs, want.pairs) << "rank " << r << " of " << size;
      EXPECT_EQ(m.w, want.w) << "rank " << r << " of " << size;
      EXPECT_EQ(m.w2, want.w2) << "rank " << r << " of " << size;
      held += m.pairs.size();
    }
    EXPECT_EQ(held, one.pairs.size()) << size << " ranks";
  }
}

TEST(RanksBuild, ValuesFromArraysMakeTheSynapsesFirstAndStillMatch) {
  // Something that needs the synapses before the split (size(), values from an array)
  // makes them all on every rank; the split then keeps each rank's share.
  auto build = [](std::shared_ptr<const Ranks> ranks) {
    Network net({.seed = 9, .ranks = std::move(ranks)});
    auto& g = net.add_neuron_group(600, "dv/dt = -v/(10*ms) : 1", {.threshold = "v > 1"});
    auto& s = net.add_synapses(g, g, {.model = "w : 1"});
    s.connect_probability(0.05);
    std::vector<double> w(static_cast<size_t>(s.size()));
    for (size_t k = 0; k < w.size(); ++k) w[k] = static_cast<double>(k);
    s.set("w", w);
    net.run(0.0);
    Made m;
    m.w = s.get("w");
    m.size = s.size();
    m.whole = !s.impl().global_id.empty();
    // Setting one rank's array after the split still works where it was made whole.
    s.set("w", w);
    EXPECT_EQ(s.get("w"), m.w);
    return m;
  };
  const Made one = build(nullptr);
  const auto two = on_ranks<Made>(2, build);
  std::vector<double> joined;
  for (const auto& m : two) {
    EXPECT_TRUE(m.whole);
    EXPECT_EQ(m.size, one.size);
    joined.insert(joined.end(), m.w.begin(), m.w.end());
  }
  std::sort(joined.begin(), joined.end());
  EXPECT_EQ(joined, one.w);  // every synapse exactly once, its own value
}

TEST(RanksBuild, OneRanksArrayAfterAPartialBuildIsRefusedWithAMessage) {
  auto runs = on_ranks<std::string>(2, [](std::shared_ptr<const Ranks> ranks) {
    Network net({.seed = 9, .ranks = std::move(ranks)});
    auto& g = net.add_neuron_group(600, "dv/dt = -v/(10*ms) : 1", {.threshold = "v > 1"});
    auto& s = net.add_synapses(g, g, {.model = "w : 1"});
    s.connect_probability(0.05);
    net.run(0.0);
    s.set("w", 0.25);  // the same value for all: fine
    for (double x : s.get("w")) EXPECT_EQ(x, 0.25);
    std::vector<double> w(static_cast<size_t>(s.size()));
    for (size_t k = 0; k < w.size(); ++k) w[k] = static_cast<double>(k);
    try {
      s.set("w", w);
    } catch (const soma::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  });
  for (const auto& message : runs)
    EXPECT_NE(message.find("each of which made only its own synapses"), std::string::npos)
        << message;
}

// A neuron's initial value is its own: the same whatever else is drawn with it.
TEST(CounterStreams, ANeuronsValueDoesNotDependOnTheGroupsSize) {
  auto values = [](int64_t n) {
    Network net({.seed = 21});
    auto& g = net.add_neuron_group(n, "v : 1\nu : 1");
    g.set("u", "randn()");
    g.set("v", "rand() + 2*randn()");
    return g.get("v");
  };
  const auto small = values(300), large = values(3000);
  EXPECT_TRUE(std::equal(small.begin(), small.end(), large.begin()));
  EXPECT_NE(small[0], small[1]);
}

}  // namespace
