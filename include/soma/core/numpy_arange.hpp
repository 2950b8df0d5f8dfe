#pragma once
// numpy.arange(start, stop, step) for doubles, value for value: its length is
// ceil((stop - start) / step) and element i is start + i * delta, where delta is
// (start + step) - start, the difference of the first two elements as NumPy's fill
// computes it (arange(-60, -4.9, 0.1)[301] is -29.899999999999572, not -29.9). Ports of
// tutorials that sample with arange use it to evaluate at the tutorial's very points.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "soma/core/error.hpp"

namespace soma {

inline std::vector<double> numpy_arange(double start, double stop, double step) {
  if (step == 0.0 || !std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step))
    throw Error("arange(" + std::to_string(start) + ", " + std::to_string(stop) + ", " +
                std::to_string(step) + "): expected finite bounds and a non-zero step");
  const double len = std::ceil((stop - start) / step);
  std::vector<double> v;
  if (len <= 0) return v;
  const double delta = (start + step) - start;
  v.reserve(static_cast<size_t>(len));
  for (int64_t i = 0; i < static_cast<int64_t>(len); ++i) v.push_back(start + double(i) * delta);
  return v;
}

}  // namespace soma
