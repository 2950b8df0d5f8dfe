// The check that a group's state is still finite (NeuronGroup::Impl::check_finite). A
// division by zero or an overflow in the equations turns a state NaN or infinite, and
// from then on every value recorded is meaningless while the run carries on: NEST and
// SciPy's solvers stop there, and so does soma.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "snn/internal.hpp"
#include "soma/core/error.hpp"

namespace soma::snn {

namespace {

// Index of the first NaN or infinity in x[0, n), or n. The test is on the exponent bits,
// integer work the compiler vectorises, so a pass costs a fraction of a state update.
int64_t first_non_finite(const double* x, int64_t n) {
  constexpr uint64_t kExponent = 0x7ff0000000000000ull;
  constexpr int64_t kBlock = 256;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    bool any = false;
    for (int64_t k = start; k < end; ++k) {
      uint64_t bits;
      std::memcpy(&bits, x + k, sizeof bits);
      any |= (bits & kExponent) == kExponent;
    }
    if (any)
      for (int64_t k = start; k < end; ++k)
        if (!std::isfinite(x[k])) return k;
  }
  return n;
}

std::string milliseconds(double t) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6g ms", t * 1e3);
  return buf;
}

}  // namespace

void NeuronGroup::Impl::check_finite(double t_finite, double t_now) const {
  for (size_t v = 0; v < update_targets.size(); ++v) {
    // This rank's neurons: the others' values here are stale until the run ends.
    const int64_t k = lo + first_non_finite(update_targets[v] + lo, hi - lo);
    if (k == hi) continue;
    const double x = update_targets[v][k];
    const std::string& var = update_names[v];
    throw Error("neuron group '" + name + "': " + var + " of neuron " + std::to_string(k) +
                " became " +
                (std::isnan(x) ? "NaN"
                 : x > 0       ? "+inf"
                               : "-inf") +
                " between t = " + milliseconds(t_finite) + " and t = " + milliseconds(t_now) +
                " (expected finite values: the equations for " + var +
                " divide by zero or overflow there; a smaller dt or another method may help)");
  }
}

}  // namespace soma::snn
