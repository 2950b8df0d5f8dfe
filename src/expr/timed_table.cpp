#include "soma/expr/timed_table.hpp"

#include <algorithm>
#include <cmath>

namespace soma::expr {

TimedTable::TimedTable(std::vector<double> v, int64_t rows_, int64_t cols_, bool two_d_, double dt_,
                       double caller_dt)
    : values(std::move(v)), rows(rows_), cols(cols_), two_d(two_d_), dt(dt_) {
  // K = max(2^ceil(log2(8*dt/caller_dt)), 1), as brian2/input/timedarray.py's _find_K.
  upsample = std::max(std::exp2(std::ceil(std::log2(8.0 / caller_dt * dt))), 1.0);
  epsilon = dt / upsample;
}

double TimedTable::at(double t, double column) const {
  if (!(column >= 0.0 && column < static_cast<double>(cols))) return std::nan("");
  const double x = (t / epsilon + 0.5) / upsample;
  // C's (int) truncation, then the clip to the table's rows (NaN: the first row).
  int64_t step = 0;
  if (x >= static_cast<double>(rows))
    step = rows - 1;
  else if (x > 0.0)
    step = static_cast<int64_t>(x);
  return values[static_cast<size_t>(step * cols + static_cast<int64_t>(column))];
}

}  // namespace soma::expr
