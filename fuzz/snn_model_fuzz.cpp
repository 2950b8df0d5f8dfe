// libFuzzer target for snn model input: the bytes are split at '\n---\n' into
// equations, threshold, reset, on_pre and a refractory period; when the group can be
// built, a 3-neuron network with a self-connection runs for 2 ms. The only acceptable
// failure is a soma::Error; a crash, hang or other exception is a bug.
// Build and run (from the repository root):
//   clang++ -g -O1 -fsanitize=fuzzer,address -std=c++20 -Iinclude -Isrc
//     fuzz/snn_model_fuzz.cpp src/snn/*.cpp src/expr/*.cpp src/core/*.cpp -fopenmp
//     -o snn_model_fuzz
//   ./snn_model_fuzz
// or `make fuzz`. tests/snn/snn_model_fuzz_test.cpp includes this file with
// SOMA_FUZZ_NO_MAIN defined and replays fuzz/corpus/snn_model_fuzz and
// fuzz/regressions/snn_model_fuzz plus mutations of them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/snn/network.hpp"

inline int soma_snn_model_fuzz_one(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() < 4) {
    const size_t at = input.find("\n---\n", start);
    if (at == std::string::npos) break;
    parts.push_back(input.substr(start, at - start));
    start = at + 5;
  }
  parts.push_back(input.substr(start));
  parts.resize(5);
  try {
    soma::snn::Network net({.dt = 1e-4, .seed = 1});
    net.set_constant("tau", "10*ms");
    auto& g = net.add_neuron_group(
        3, parts[0],
        {.threshold = parts[1], .reset = parts[2], .refractory = parts[4].empty() ? "" : parts[4]});
    auto& s = net.add_synapses(g, g, {.on_pre = parts[3], .delay = "0.3*ms"});
    s.connect_probability(1.0);
    net.add_spike_monitor(g);
    net.run(0.002);
  } catch (const soma::Error&) {
    // bad input, reported properly
  }
  return 0;
}

#ifndef SOMA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return soma_snn_model_fuzz_one(data, size);
}
#endif
