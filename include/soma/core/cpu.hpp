#pragma once
// Which instruction set soma's hot kernels run on.
//
// soma is built for the x86-64 baseline (SSE2) so that one build runs on every x86-64
// CPU; its hot kernels are compiled once more per instruction-set level that pays
// (src/**/*.simd.cpp, see docs/DEVELOPING.md) and one level is chosen here, once per
// process: the best this CPU and its OS can run, or the one the environment variable
// SOMA_CPU names (baseline, avx2, avx512: for comparisons, and to rule a path out).
// On aarch64 there is one level, `baseline`, which there includes NEON (ASIMD).
#include <string>
#include <string_view>
#include <vector>

namespace soma::cpu {

enum class Isa : int {
  baseline = 0,  // x86-64: SSE2 (any x86-64 CPU); aarch64: NEON
  avx2 = 1,      // x86-64-v3: AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE (Haswell, Zen 1 and later)
  avx512 = 2,    // x86-64-v4: AVX-512 F, BW, CD, DQ, VL (Skylake-SP, Ice Lake, Zen 4 and later)
};
inline constexpr int kIsaCount = 3;

std::string_view name(Isa isa);
// One line for people: "avx2 (x86-64-v3: AVX2 + FMA)".
std::string describe(Isa isa);
// Whether this build carries kernels for the level (x86-64: all three; elsewhere baseline).
bool compiled(Isa isa);
// Whether this CPU and operating system can execute the level (the OS must save the
// wider registers: the check reads XCR0, not only CPUID).
bool supported(Isa isa);
// compiled(isa) && supported(isa): this process can run the level's kernels.
bool runs(Isa isa);
// The best level this process runs.
Isa best();
// The level every kernel uses in this process: SOMA_CPU's when set, else best(). Read once.
// Throws soma::Error when SOMA_CPU is not a level's name or names one this CPU cannot run.
Isa active();
// Whether SOMA_CPU chose active() (rather than the CPU).
bool chosen_by_environment();
// Every level this process runs, lowest first: tests run each kernel on each of them and
// compare.
std::vector<Isa> runnable();
// The processor's name as CPUID reports it ("AMD EPYC 7B13"), or "unknown".
std::string model();

}  // namespace soma::cpu
