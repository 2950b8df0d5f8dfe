#pragma once
// A TimedArray (Brian2): a table of values, one row per `dt` of time, called in
// expressions as name(t) (one column) or name(t, i) (a column per element). Programs
// take one through Bindings::table().
#include <cstdint>
#include <vector>

namespace soma::expr {

struct TimedTable {
  std::vector<double> values;  // [row * cols + column]
  int64_t rows = 0, cols = 1;
  bool two_d = false;
  double dt = 0.0;
  // Brian2's look-up: step = int((t/epsilon + 0.5)/K) with epsilon = dt/K, K an
  // upsampling factor from the caller's dt, so that a time a rounding error below a
  // row's start still finds that row; the step is clipped to the table and a column
  // outside it gives NaN.
  double epsilon = 0.0, upsample = 1.0;
  TimedTable(std::vector<double> v, int64_t rows_, int64_t cols_, bool two_d_, double dt_,
             double caller_dt);
  double at(double t, double column) const;
};

}  // namespace soma::expr
