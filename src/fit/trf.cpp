// Trust-region reflective least squares for bounded problems, following
// scipy.optimize._lsq.trf.trf_bounds with the exact (SVD) subproblem solver:
// Branch, Coleman & Li, "A subspace, interior, and conjugate gradient method
// for large-scale bound-constrained minimization problems", SIAM J. Sci.
// Comput. 21 (1999). Variables are scaled by the Coleman-Li vector v (distance
// to the bound the gradient points at), steps that leave the box are either
// cut at the bound, reflected off it, or replaced by the scaled anti-gradient,
// whichever the quadratic model likes best, and iterates stay strictly inside.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "fit/qr.hpp"
#include "fit/solvers.hpp"

namespace soma::fit::detail {
namespace {

using Vec = std::vector<double>;

double dot(const Vec& a, const Vec& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}
double norm(const Vec& a) { return enorm(a.size(), a.data()); }

struct Box {
  Vec lb, ub;
  bool inside(const Vec& x) const {
    for (size_t i = 0; i < x.size(); ++i)
      if (!(x[i] >= lb[i] && x[i] <= ub[i])) return false;
    return true;
  }
  // Largest t with x + t s inside, and which components hit (sign of s).
  double step_to_bound(const Vec& x, const Vec& s, std::vector<int>* hits) const {
    double best = INFINITY;
    Vec steps(x.size(), INFINITY);
    for (size_t i = 0; i < x.size(); ++i)
      if (s[i] != 0) steps[i] = std::max((lb[i] - x[i]) / s[i], (ub[i] - x[i]) / s[i]);
    for (double t : steps) best = std::min(best, t);
    if (hits) {
      hits->assign(x.size(), 0);
      for (size_t i = 0; i < x.size(); ++i)
        if (steps[i] == best) (*hits)[i] = s[i] > 0 ? 1 : (s[i] < 0 ? -1 : 0);
    }
    return best;
  }
  // Moves points on or outside a bound one ulp inside (as make_strictly_feasible).
  void strictly_feasible(Vec& x) const {
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i] <= lb[i])
        x[i] = std::nextafter(lb[i], ub[i]);
      else if (x[i] >= ub[i])
        x[i] = std::nextafter(ub[i], lb[i]);
      if (x[i] < lb[i] || x[i] > ub[i]) x[i] = 0.5 * (lb[i] + ub[i]);
    }
  }
};

// Coleman-Li scaling: v_i = distance to the bound that the descent direction
// -g_i approaches (1 if that bound is infinite); dv_i its derivative.
void cl_scaling(const Vec& x, const Vec& g, const Box& box, Vec& v, Vec& dv) {
  for (size_t i = 0; i < x.size(); ++i) {
    v[i] = 1.0;
    dv[i] = 0.0;
    if (g[i] < 0 && std::isfinite(box.ub[i])) {
      v[i] = box.ub[i] - x[i];
      dv[i] = -1.0;
    } else if (g[i] > 0 && std::isfinite(box.lb[i])) {
      v[i] = x[i] - box.lb[i];
      dv[i] = 1.0;
    }
  }
}

// The scaled problem's Jacobian J_h (m x n column-major) and diagonal term.
struct Scaled {
  size_t m, n;
  const Vec& jh;
  const Vec& diag_h;
  const Vec& g_h;
  Vec jv(const Vec& s) const {
    Vec out(m, 0.0);
    for (size_t k = 0; k < n; ++k)
      for (size_t i = 0; i < m; ++i) out[i] += jh[i + k * m] * s[k];
    return out;
  }
  // 0.5 s^T (J^T J + diag) s + g^T s
  double quadratic(const Vec& s) const {
    const Vec js = jv(s);
    double q = dot(js, js);
    for (size_t k = 0; k < n; ++k) q += s[k] * diag_h[k] * s[k];
    return 0.5 * q + dot(g_h, s);
  }
  // Coefficients of the model along s0 + t s: a t^2 + b t + c.
  void quadratic_1d(const Vec& s, const Vec* s0, double& a, double& b, double& c) const {
    const Vec v = jv(s);
    a = dot(v, v);
    for (size_t k = 0; k < n; ++k) a += s[k] * diag_h[k] * s[k];
    a *= 0.5;
    b = dot(g_h, s);
    c = 0.0;
    if (s0) {
      const Vec u = jv(*s0);
      b += dot(u, v);
      c = 0.5 * dot(u, u) + dot(g_h, *s0);
      for (size_t k = 0; k < n; ++k) {
        b += (*s0)[k] * diag_h[k] * s[k];
        c += 0.5 * (*s0)[k] * diag_h[k] * (*s0)[k];
      }
    }
  }
};

// Minimum of a t^2 + b t + c over [lo, hi]: (t, value).
std::pair<double, double> minimize_1d(double a, double b, double lo, double hi, double c) {
  double ts[3] = {lo, hi, 0.0};
  int count = 2;
  if (a != 0) {
    const double e = -0.5 * b / a;
    if (lo < e && e < hi) ts[count++] = e;
  }
  double best_t = ts[0], best = INFINITY;
  for (int i = 0; i < count; ++i) {
    const double y = ts[i] * (a * ts[i] + b) + c;
    if (y < best) {
      best = y;
      best_t = ts[i];
    }
  }
  return {best_t, best};
}

// Solves min ||J_aug p + f_aug|| subject to ||p|| <= Delta, given the SVD of J_aug
// (singular values s, right vectors V column-major, uf = U^T f_aug, suf = s*uf).
Vec solve_trust_region(size_t n, size_t m, const Vec& uf, const Vec& suf, const Vec& s,
                       const Vec& V, double delta, double& alpha) {
  auto vmul = [&](const Vec& w) {
    Vec p(n, 0.0);
    for (size_t k = 0; k < n; ++k)
      for (size_t i = 0; i < n; ++i) p[i] += V[i + k * n] * w[k];
    return p;
  };
  auto phi = [&](double a, double& dphi) {
    double pn2 = 0, d = 0;
    for (size_t k = 0; k < n; ++k) {
      const double den = s[k] * s[k] + a;
      pn2 += suf[k] * suf[k] / (den * den);
      d += suf[k] * suf[k] / (den * den * den);
    }
    const double pn = std::sqrt(pn2);
    dphi = -d / pn;
    return pn - delta;
  };
  const double threshold = std::numeric_limits<double>::epsilon() * double(m) * s[0];
  const bool full_rank = m >= n && s[n - 1] > threshold;
  if (full_rank) {
    Vec w(n);
    for (size_t k = 0; k < n; ++k) w[k] = -uf[k] / s[k];
    Vec p = vmul(w);
    if (norm(p) <= delta) {
      alpha = 0.0;
      return p;
    }
  }
  double upper = norm(suf) / delta, lower = 0.0, d;
  if (full_rank) {
    const double f0 = phi(0.0, d);
    lower = -f0 / d;
  }
  if (alpha == 0.0 && !full_rank) alpha = std::max(0.001 * upper, std::sqrt(lower * upper));
  for (int it = 0; it < 10; ++it) {
    if (alpha < lower || alpha > upper) alpha = std::max(0.001 * upper, std::sqrt(lower * upper));
    const double f = phi(alpha, d);
    if (f < 0) upper = alpha;
    const double ratio = f / d;
    lower = std::max(lower, alpha - ratio);
    alpha -= (f + delta) * ratio / delta;
    if (std::abs(f) < 0.01 * delta) break;
  }
  Vec w(n);
  for (size_t k = 0; k < n; ++k) w[k] = -suf[k] / (s[k] * s[k] + alpha);
  Vec p = vmul(w);
  const double pn = norm(p);
  if (pn > 0)
    for (double& e : p) e *= delta / pn;
  return p;
}

// Roots t1 <= t2 of ||x + t s|| = delta.
std::pair<double, double> intersect_trust_region(const Vec& x, const Vec& s, double delta) {
  const double a = dot(s, s), b = dot(x, s), c = dot(x, x) - delta * delta;
  const double d = std::sqrt(std::max(0.0, b * b - a * c));
  const double q = -(b + std::copysign(d, b));
  double t1 = q / a, t2 = c / q;
  if (t1 > t2) std::swap(t1, t2);
  return {t1, t2};
}

}  // namespace

RawResult trust_region_reflective(Residuals& problem, std::span<const double> p0, const Options& o,
                                  int max_nfev) {
  const size_t n = p0.size(), m = problem.size();
  const double gtol = o.gtol > 0 ? o.gtol : 1e-8;
  Box box{o.lower.empty() ? Vec(n, -INFINITY) : o.lower,
          o.upper.empty() ? Vec(n, INFINITY) : o.upper};
  const bool with_jac = problem.jacobian_with_residuals();
  RawResult out;
  Vec x(p0.begin(), p0.end());
  box.strictly_feasible(x);
  Vec f(m), J(m * n);
  problem.evaluate(x, f, J);
  out.nfev = out.njev = 1;
  auto finite = [](const Vec& v) {
    for (double e : v)
      if (!std::isfinite(e)) return false;
    return true;
  };
  auto finish = [&](Status s) {
    out.status = s;
    out.x = x;
    out.r = f;
    out.jac = J;
    return out;
  };
  if (!finite(f) || !finite(J)) return finish(Status::non_finite);
  auto grad = [&](Vec& g) {
    g.assign(n, 0.0);
    for (size_t k = 0; k < n; ++k)
      for (size_t i = 0; i < m; ++i) g[k] += J[i + k * m] * f[i];
  };
  double cost = 0.5 * dot(f, f);
  Vec g, v(n), dv(n);
  grad(g);
  cl_scaling(x, g, box, v, dv);
  double delta = 0;
  {
    Vec t(n);
    for (size_t k = 0; k < n; ++k) t[k] = x[k] / std::sqrt(v[k]);
    delta = norm(t);
    if (delta == 0) delta = 1.0;
  }
  double alpha = 0.0;
  const size_t ma = m + n;
  Vec jaug(ma * n), faug(ma), jh(m * n), d(n), diag_h(n), g_h(n), rdiag(n), acnorm(n), wa(n),
      R(n * n), s(n), V(n * n), uf(n), suf(n), f_new(m), J_new(m * n);
  std::vector<size_t> ipvt(n);
  for (;;) {
    cl_scaling(x, g, box, v, dv);
    double g_norm = 0;
    for (size_t k = 0; k < n; ++k) g_norm = std::max(g_norm, std::abs(g[k] * v[k]));
    if (g_norm < gtol) return finish(Status::gtol);
    if (out.nfev >= max_nfev) return finish(Status::max_evaluations);
    for (size_t k = 0; k < n; ++k) {
      d[k] = std::sqrt(v[k]);
      diag_h[k] = g[k] * dv[k];
      g_h[k] = d[k] * g[k];
    }
    // SVD of the augmented matrix [J diag(d); diag(sqrt(diag_h))] through its QR.
    std::fill(jaug.begin(), jaug.end(), 0.0);
    std::fill(faug.begin(), faug.end(), 0.0);
    for (size_t k = 0; k < n; ++k) {
      for (size_t i = 0; i < m; ++i) jh[i + k * m] = jaug[i + k * ma] = J[i + k * m] * d[k];
      jaug[m + k + k * ma] = std::sqrt(diag_h[k]);
    }
    for (size_t i = 0; i < m; ++i) faug[i] = f[i];
    qrfac(ma, n, jaug.data(), ma, ipvt.data(), rdiag.data(), acnorm.data(), wa.data());
    apply_qt(ma, n, jaug.data(), ma, faug.data());
    std::fill(R.begin(), R.end(), 0.0);
    for (size_t j = 0; j < n; ++j)
      for (size_t i = 0; i <= j; ++i) R[i + j * n] = i == j ? rdiag[j] : jaug[i + j * ma];
    Vec rtc(n, 0.0);  // R^T c with c = (Q^T f_aug)[:n]
    for (size_t j = 0; j < n; ++j)
      for (size_t i = 0; i <= j; ++i) rtc[j] += R[i + j * n] * faug[i];
    Vec Vp(n * n);
    jacobi_svd(n, R.data(), s.data(), Vp.data());
    // Right singular vectors of J_aug = P V (undo the column pivoting).
    for (size_t k = 0; k < n; ++k)
      for (size_t a = 0; a < n; ++a) V[ipvt[a] + k * n] = Vp[a + k * n];
    for (size_t k = 0; k < n; ++k) {
      suf[k] = 0;
      for (size_t a = 0; a < n; ++a) suf[k] += Vp[a + k * n] * rtc[a];
      uf[k] = s[k] > 0 ? suf[k] / s[k] : 0.0;
    }
    const double theta = std::max(0.995, 1.0 - g_norm);
    const Scaled model{m, n, jh, diag_h, g_h};
    double actual = -1, cost_new = cost;
    Status stop = Status::max_evaluations;
    bool stopped = false;
    Vec x_new(n);
    while (actual <= 0 && out.nfev < max_nfev) {
      Vec p_h = solve_trust_region(n, ma, uf, suf, s, V, delta, alpha);
      Vec p(n);
      for (size_t k = 0; k < n; ++k) p[k] = d[k] * p_h[k];
      // select_step: the Newton step if it stays inside, else the best of the
      // cut step, its reflection and the cut anti-gradient.
      Vec step, step_h;
      double predicted;
      Vec xp(n);
      for (size_t k = 0; k < n; ++k) xp[k] = x[k] + p[k];
      if (box.inside(xp)) {
        step = p;
        step_h = p_h;
        predicted = -model.quadratic(p_h);
      } else {
        std::vector<int> hits;
        const double p_stride = box.step_to_bound(x, p, &hits);
        Vec r_h = p_h;
        for (size_t k = 0; k < n; ++k)
          if (hits[k] != 0) r_h[k] = -r_h[k];
        Vec r(n);
        for (size_t k = 0; k < n; ++k) r[k] = d[k] * r_h[k];
        for (size_t k = 0; k < n; ++k) {
          p[k] *= p_stride;
          p_h[k] *= p_stride;
        }
        Vec x_on(n);
        for (size_t k = 0; k < n; ++k) x_on[k] = x[k] + p[k];
        const double to_tr = intersect_trust_region(p_h, r_h, delta).second;
        const double to_bound = box.step_to_bound(x_on, r, nullptr);
        double r_stride = std::min(to_bound, to_tr), lo, hi;
        if (r_stride > 0) {
          lo = (1 - theta) * p_stride / r_stride;
          hi = r_stride == to_bound ? theta * to_bound : to_tr;
        } else {
          lo = 0;
          hi = -1;
        }
        double r_value = INFINITY;
        if (lo <= hi) {
          double a, b, c;
          model.quadratic_1d(r_h, &p_h, a, b, c);
          auto [t, val] = minimize_1d(a, b, lo, hi, c);
          r_value = val;
          for (size_t k = 0; k < n; ++k) {
            r_h[k] = r_h[k] * t + p_h[k];
            r[k] = r_h[k] * d[k];
          }
        }
        for (size_t k = 0; k < n; ++k) {
          p[k] *= theta;
          p_h[k] *= theta;
        }
        const double p_value = model.quadratic(p_h);
        Vec ag_h(n), ag(n);
        for (size_t k = 0; k < n; ++k) {
          ag_h[k] = -g_h[k];
          ag[k] = d[k] * ag_h[k];
        }
        const double ag_tr = delta / norm(ag_h);
        const double ag_bound = box.step_to_bound(x, ag, nullptr);
        const double ag_max = ag_bound < ag_tr ? theta * ag_bound : ag_tr;
        double a, b, c0;
        model.quadratic_1d(ag_h, nullptr, a, b, c0);
        auto [ag_t, ag_value] = minimize_1d(a, b, 0.0, ag_max, 0.0);
        for (size_t k = 0; k < n; ++k) {
          ag_h[k] *= ag_t;
          ag[k] *= ag_t;
        }
        if (p_value < r_value && p_value < ag_value) {
          step = p;
          step_h = p_h;
          predicted = -p_value;
        } else if (r_value < p_value && r_value < ag_value) {
          step = r;
          step_h = r_h;
          predicted = -r_value;
        } else {
          step = ag;
          step_h = ag_h;
          predicted = -ag_value;
        }
      }
      for (size_t k = 0; k < n; ++k) x_new[k] = x[k] + step[k];
      box.strictly_feasible(x_new);
      // With automatic differentiation the Jacobian comes with the residuals;
      // otherwise it is taken only at an accepted point.
      problem.evaluate(x_new, f_new, with_jac ? std::span<double>(J_new) : std::span<double>());
      ++out.nfev;
      const double step_h_norm = norm(step_h);
      if (!finite(f_new)) {
        delta = 0.25 * step_h_norm;
        continue;
      }
      cost_new = 0.5 * dot(f_new, f_new);
      actual = cost - cost_new;
      double ratio;
      if (predicted > 0)
        ratio = actual / predicted;
      else if (predicted == actual && predicted == 0)
        ratio = 1;
      else
        ratio = 0;
      double delta_new = delta;
      if (ratio < 0.25)
        delta_new = 0.25 * step_h_norm;
      else if (ratio > 0.75 && step_h_norm > 0.95 * delta)
        delta_new = 2.0 * delta;
      const double step_norm = norm(step);
      const bool ftol_ok = actual < o.ftol * cost && ratio > 0.25;
      const bool xtol_ok = step_norm < o.xtol * (o.xtol + norm(x));
      if (ftol_ok || xtol_ok) {
        stop = ftol_ok && xtol_ok ? Status::ftol_and_xtol : ftol_ok ? Status::ftol : Status::xtol;
        stopped = true;
        break;
      }
      if (delta_new > 0) alpha *= delta / delta_new;
      delta = delta_new;
    }
    if (actual > 0) {
      x = x_new;
      f = f_new;
      if (with_jac)
        J = J_new;
      else
        problem.evaluate(x, f, J);
      cost = cost_new;
      ++out.njev;
      ++out.iterations;
      if (!finite(J)) return finish(Status::non_finite);
      grad(g);
    }
    if (stopped) return finish(stop);
  }
}

}  // namespace soma::fit::detail
