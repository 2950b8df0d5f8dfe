// soma::cpu: the level chosen, what it reports, and errors for levels the CPU lacks.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "soma/core/cpu.hpp"
#include "soma/core/error.hpp"

namespace {

using soma::cpu::Isa;

TEST(Cpu, BaselineAlwaysRuns) {
  EXPECT_TRUE(soma::cpu::compiled(Isa::baseline));
  EXPECT_TRUE(soma::cpu::supported(Isa::baseline));
  ASSERT_FALSE(soma::cpu::runnable().empty());
  EXPECT_EQ(soma::cpu::runnable().front(), Isa::baseline);
}

TEST(Cpu, LevelsAreCumulative) {
  // A CPU that runs x86-64-v4 runs v3: the runnable levels are a prefix of all levels.
  const auto levels = soma::cpu::runnable();
  for (size_t i = 0; i < levels.size(); ++i)
    EXPECT_EQ(static_cast<int>(levels[i]), static_cast<int>(i));
  EXPECT_EQ(soma::cpu::best(), levels.back());
}

TEST(Cpu, ActiveIsBestUnlessSomaCpuSaysOtherwise) {
  const char* env = std::getenv("SOMA_CPU");
  if (env == nullptr || *env == '\0')
    EXPECT_EQ(soma::cpu::active(), soma::cpu::best());
  else
    EXPECT_EQ(soma::cpu::name(soma::cpu::active()), std::string(env));
}

TEST(Cpu, NamesAndDescriptions) {
  EXPECT_EQ(soma::cpu::name(Isa::baseline), "baseline");
  EXPECT_EQ(soma::cpu::name(Isa::avx2), "avx2");
  EXPECT_EQ(soma::cpu::name(Isa::avx512), "avx512");
  EXPECT_NE(soma::cpu::describe(Isa::avx2).find("AVX2"), std::string::npos);
  EXPECT_FALSE(soma::cpu::model().empty());
}

}  // namespace
