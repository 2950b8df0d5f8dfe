#pragma once
// What the unit tests feed a fuzz target (fuzz/NAME.cpp, included with SOMA_FUZZ_NO_MAIN):
// the committed inputs, fuzz/corpus/NAME (seeds) and fuzz/regressions/NAME (inputs that
// once failed), so a bug `make fuzz` found stays fixed in builds without libFuzzer; and
// a small seeded mutator for drivers that explore around those inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "soma/core/atomic_file.hpp"
#include "soma/core/random.hpp"

namespace soma::test {

// Every file of fuzz/corpus/NAME and fuzz/regressions/NAME, in name order.
inline std::vector<std::string> committed_fuzz_inputs(std::string_view name) {
  std::vector<std::filesystem::path> files;
  for (const char* kind : {"corpus", "regressions"}) {
    const auto dir = std::filesystem::path(SOMA_SOURCE_DIR) / "fuzz" / kind / name;
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(read_file(f));
  return out;
}

// One to four edits of `s`: a byte changed, a stretch deleted, a piece of another input
// inserted, or the end cut off.
inline std::string mutate(std::string s, const std::vector<std::string>& others, Rng& rng) {
  const int edits = 1 + static_cast<int>(rng.below(4));
  for (int e = 0; e < edits; ++e) {
    const size_t pos = s.empty() ? 0 : rng.below(s.size());
    switch (rng.below(4)) {
      case 0:
        if (!s.empty()) s[pos] = static_cast<char>(rng.below(256));
        break;
      case 1:
        if (!s.empty()) s.erase(pos, 1 + rng.below(8));
        break;
      case 2: {
        const std::string& o = others[rng.below(others.size())];
        if (!o.empty()) s.insert(pos, o.substr(rng.below(o.size()), 1 + rng.below(24)));
        break;
      }
      default:
        s.resize(pos);
        break;
    }
  }
  return s;
}

// Feeds `one` (a target's soma_NAME_fuzz_one) every committed input of fuzz/NAME, then
// `mutations` seeded mutations of them: the whole replay most fuzz tests are.
template <class One>
void replay_fuzz_target(std::string_view name, One one, uint64_t seed, int mutations) {
  const auto inputs = committed_fuzz_inputs(name);
  ASSERT_FALSE(inputs.empty()) << "no fuzz/corpus/" << name;
  auto run = [&](const std::string& s) {
    one(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  for (const auto& s : inputs) run(s);
  Rng rng(seed);
  for (int i = 0; i < mutations; ++i) run(mutate(inputs[rng.below(inputs.size())], inputs, rng));
}

}  // namespace soma::test
