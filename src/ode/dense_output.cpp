#include "soma/ode/dense_output.hpp"

#include <algorithm>

namespace soma::ode {

double DenseSolution::t_min() const {
  if (segments_.empty()) return 0;
  return std::min(segments_.front().t_old, segments_.back().t_new);
}
double DenseSolution::t_max() const {
  if (segments_.empty()) return 0;
  return std::max(segments_.front().t_old, segments_.back().t_new);
}

void DenseSolution::append(Kind kind, double t_old, double t_new,
                           std::span<const double> coefficients) {
  // No variables: one (empty) coefficient row, so the segment still covers its times.
  const auto n_coef = static_cast<std::uint32_t>(dim_ == 0 ? 1 : coefficients.size() / dim_);
  segments_.push_back({t_old, t_new, kind, n_coef, coef_.size()});
  coef_.insert(coef_.end(), coefficients.begin(), coefficients.end());
}

std::vector<double> DenseSolution::operator()(double t) const {
  std::vector<double> out(dim_);
  evaluate(t, out);
  return out;
}

void DenseSolution::evaluate(double t, std::span<double> out) const {
  if (segments_.empty()) return;
  const bool forward = segments_.back().t_new >= segments_.front().t_old;
  // The first segment whose end is at or beyond t (in the direction of integration).
  auto it = std::lower_bound(
      segments_.begin(), segments_.end(), t,
      [forward](const Segment& s, double x) { return forward ? s.t_new < x : s.t_new > x; });
  if (it == segments_.end()) --it;
  evaluate_segment(*it, t, out);
}

void DenseSolution::evaluate_segment(const Segment& s, double t, std::span<double> out) const {
  const double* c = coef_.data() + s.offset;
  const std::size_t n = dim_;
  const int m = static_cast<int>(s.n_coef);
  switch (s.kind) {
    case Kind::Power: {  // c0 + sum_k c_k x^k
      const double x = (t - s.t_old) / (s.t_new - s.t_old);
      for (std::size_t i = 0; i < n; ++i) {
        double acc = 0;
        for (int k = m - 1; k >= 1; --k) acc = (acc + c[k * n + i]) * x;
        out[i] = c[i] + acc;
      }
      break;
    }
    case Kind::Dop853: {  // y_old + x (F0 + (1-x) (F1 + x (F2 + (1-x) (...))))
      const double x = (t - s.t_old) / (s.t_new - s.t_old);
      for (std::size_t i = 0; i < n; ++i) {
        double acc = 0;
        for (int k = m - 2; k >= 0; --k) {
          acc += c[(k + 1) * n + i];
          acc *= (k % 2 == 0) ? x : 1 - x;
        }
        out[i] = c[i] + acc;
      }
      break;
    }
    case Kind::Taylor: {  // sum_k c_k (t - t_new)^k
      const double d = t - s.t_new;
      for (std::size_t i = 0; i < n; ++i) {
        double acc = 0;
        for (int k = m - 1; k >= 0; --k) acc = acc * d + c[k * n + i];
        out[i] = acc;
      }
      break;
    }
  }
}

}  // namespace soma::ode
