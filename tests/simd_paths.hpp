#pragma once
// For tests that run one kernel on every instruction-set level this machine can execute
// (soma::cpu::runnable()) and compare the levels with each other and with a reference.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "soma/core/cpu.hpp"

namespace soma::testing {

// Levels to test: every runnable one. Prints which, so a log shows what was covered.
inline std::vector<cpu::Isa> levels_under_test() {
  std::vector<cpu::Isa> levels = cpu::runnable();
  std::string names;
  for (const auto isa : levels) names += " " + std::string(cpu::name(isa));
  std::printf("[ levels  ]%s (active: %s)\n", names.c_str(),
              std::string(cpu::name(cpu::active())).c_str());
  return levels;
}

inline std::string level_name(cpu::Isa isa) { return std::string(cpu::name(isa)); }

}  // namespace soma::testing
