// State updaters, written as Brian2 writes them (brian2/stateupdaters): every
// method turns dx/dt = f(x, t) into assignments computing the new values from the
// values at the start of the step, all variables at once.
//   euler              x' = x + dt*f(x, t)
//   rk2 (midpoint)     k = dt*f(x, t);  x' = x + dt*f(x + k/2, t + dt/2)
//   rk4                k1..k4 as usual; x' = x + (k1 + 2 k2 + 2 k3 + k4)/6
//   exponential_euler  f = A*x + B with A, B taken at the start of the step
//                      (may depend on the other variables):
//                      x' = -B/A + (x + B/A)*exp(A*dt)   (x' = x*exp(A*dt) when B = 0)
//   exact              linear equations with coefficients that do not change in time:
//                      uncoupled ones by the same closed form (exact when A and B are
//                      constant); a coupled system x' = Phi x + Gamma b with
//                      Phi = exp(A dt), Gamma = integral_0^dt exp(A s) ds.
#include <cmath>

#include "snn/internal.hpp"
#include "soma/core/error.hpp"
#include "soma/expr/symbolic.hpp"

namespace soma::snn {
namespace {

using expr::Expr;

bool is_zero(const Expr& e) { return e->kind == expr::NodeKind::number && e->value == 0.0; }

Expr rhs(const expr::Equations& eqs, const std::string& x) {
  return expr::simplify(eqs.substituted_rhs(x));
}

// exp(M) by scaling and squaring with a Taylor series (the matrices are tiny).
std::vector<double> expm(std::vector<double> m, size_t n) {
  double norm = 0.0;
  for (size_t r = 0; r < n; ++r) {
    double row = 0.0;
    for (size_t c = 0; c < n; ++c) row += std::fabs(m[r * n + c]);
    norm = std::max(norm, row);
  }
  const int s = norm > 0.5 ? static_cast<int>(std::ceil(std::log2(norm / 0.5))) : 0;
  const double scale = std::ldexp(1.0, -s);
  for (auto& v : m) v *= scale;
  auto mul = [n](const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> c(n * n, 0.0);
    for (size_t r = 0; r < n; ++r)
      for (size_t k = 0; k < n; ++k)
        for (size_t col = 0; col < n; ++col) c[r * n + col] += a[r * n + k] * b[k * n + col];
    return c;
  };
  std::vector<double> result(n * n, 0.0), term(n * n, 0.0);
  for (size_t r = 0; r < n; ++r) result[r * n + r] = term[r * n + r] = 1.0;
  for (int k = 1; k <= 20; ++k) {
    term = mul(term, m);
    for (auto& v : term) v /= k;
    for (size_t q = 0; q < n * n; ++q) result[q] += term[q];
  }
  for (int q = 0; q < s; ++q) result = mul(result, result);
  return result;
}

// The value of an expression that must not vary between elements; nullopt if it does.
std::optional<double> scalar_value(const Expr& e, const Resolver& resolve) {
  Program p = compile_program({{"_c", e}}, resolve, "coefficient");
  if (!p.is_scalar(0)) return std::nullopt;
  Rng rng(0);
  p.run_blocks(0, 0, {.rng = &rng}, [](int64_t, int) {});
  return p.result(0).scalar;
}

// dx_i/dt = sum_j a_ij x_j + b_i with a_ij free of every state variable and of t.
struct LinearSystem {
  std::vector<std::vector<Expr>> a;
  std::vector<Expr> b;
};
std::optional<LinearSystem> linear_system(const expr::Equations& eqs,
                                          const std::vector<std::string>& state) {
  LinearSystem sys;
  for (const auto& xi : state) {
    Expr rest = rhs(eqs, xi);
    if (expr::depends_on(rest, "t")) return std::nullopt;
    for (const auto& s : expr::symbols(rest))
      if (expr::is_noise_symbol(s)) return std::nullopt;
    std::vector<Expr> row;
    for (const auto& xj : state) {
      if (!expr::is_linear_in(rest, xj)) return std::nullopt;
      auto lc = expr::linear_coefficients(rest, xj);
      row.push_back(expr::simplify(lc.a));
      rest = expr::simplify(lc.b);
    }
    for (const auto& a : row)
      for (const auto& xk : state)
        if (expr::depends_on(a, xk)) return std::nullopt;
    sys.a.push_back(std::move(row));
    sys.b.push_back(rest);
  }
  return sys;
}

// x' = -B/A + (x + B/A)*exp(A*dt), or its limits; appends to `code`.
void closed_form(const std::string& x, const Expr& a, const Expr& b, Integration& out) {
  const Expr dt = expr::symbol("dt"), xs = expr::symbol(x);
  if (is_zero(a)) {
    out.outputs.push_back(out.code.size());
    out.code.push_back({"_" + x, xs + dt * b});
    return;
  }
  out.code.push_back({"_A_" + x, a});
  const Expr growth = expr::call("exp", {expr::symbol("_A_" + x) * dt});
  if (is_zero(b)) {
    out.outputs.push_back(out.code.size());
    out.code.push_back({"_" + x, xs * growth});
    return;
  }
  out.code.push_back({"_BA_" + x, b / expr::symbol("_A_" + x)});
  const Expr ba = expr::symbol("_BA_" + x);
  out.outputs.push_back(out.code.size());
  out.code.push_back({"_" + x, -ba + (ba + xs) * growth});
}

// f with every state variable x replaced by x + factor*_k<stage>_x, and t shifted.
Expr shifted(const Expr& f, const std::vector<std::string>& state, const std::string& stage,
             double factor) {
  std::map<std::string, Expr> rep;
  for (const auto& x : state)
    rep[x] = expr::symbol(x) + expr::number(factor) * expr::symbol("_" + stage + "_" + x);
  rep["t"] = expr::symbol("t") + expr::number(factor) * expr::symbol("dt");
  return expr::substitute(f, rep);
}

}  // namespace

std::string choose_method(const expr::Equations& eqs, const std::vector<std::string>& state,
                          const Resolver& resolve) {
  if (state.empty()) return "euler";
  auto sys = linear_system(eqs, state);
  if (!sys) return "euler";
  for (size_t i = 0; i < state.size(); ++i)
    for (size_t j = 0; j < state.size(); ++j)
      if (i != j && !is_zero(sys->a[i][j]) && !scalar_value(sys->a[i][j], resolve)) return "euler";
  return "exact";
}

Integration integrate(const expr::Equations& eqs, const std::string& method,
                      const std::vector<std::string>& state, const Resolver& resolve,
                      const std::string& where) {
  Integration out;
  const Expr dt = expr::symbol("dt");
  std::vector<Expr> f;
  for (const auto& x : state) f.push_back(rhs(eqs, x));
  for (const auto& fx : f)
    for (const auto& s : expr::symbols(fx))
      if (expr::is_noise_symbol(s))
        throw Error(where + ": stochastic equations (" + s + ") are not supported");

  if (method == "euler") {
    for (size_t i = 0; i < state.size(); ++i) {
      out.outputs.push_back(out.code.size());
      out.code.push_back({"_" + state[i], expr::symbol(state[i]) + dt * f[i]});
    }
  } else if (method == "rk2") {
    for (size_t i = 0; i < state.size(); ++i) out.code.push_back({"_k1_" + state[i], dt * f[i]});
    for (size_t i = 0; i < state.size(); ++i) {
      out.outputs.push_back(out.code.size());
      out.code.push_back(
          {"_" + state[i], expr::symbol(state[i]) + dt * shifted(f[i], state, "k1", 0.5)});
    }
  } else if (method == "rk4") {
    for (size_t i = 0; i < state.size(); ++i) out.code.push_back({"_k1_" + state[i], dt * f[i]});
    for (size_t i = 0; i < state.size(); ++i)
      out.code.push_back({"_k2_" + state[i], dt * shifted(f[i], state, "k1", 0.5)});
    for (size_t i = 0; i < state.size(); ++i)
      out.code.push_back({"_k3_" + state[i], dt * shifted(f[i], state, "k2", 0.5)});
    for (size_t i = 0; i < state.size(); ++i)
      out.code.push_back({"_k4_" + state[i], dt * shifted(f[i], state, "k3", 1.0)});
    for (size_t i = 0; i < state.size(); ++i) {
      const auto& x = state[i];
      auto k = [&](int s) { return expr::symbol("_k" + std::to_string(s) + "_" + x); };
      out.outputs.push_back(out.code.size());
      out.code.push_back({"_" + x, expr::symbol(x) + (k(1) + expr::number(2) * k(2) +
                                                      expr::number(2) * k(3) + k(4)) /
                                                         expr::number(6)});
    }
  } else if (method == "exponential_euler") {
    for (size_t i = 0; i < state.size(); ++i) {
      if (!expr::is_linear_in(f[i], state[i]))
        throw Error(where + ": exponential_euler needs d" + state[i] + "/dt linear in " + state[i] +
                    " (got " + expr::to_string(f[i]) + ")");
      auto lc = expr::linear_coefficients(f[i], state[i]);
      closed_form(state[i], expr::simplify(lc.a), expr::simplify(lc.b), out);
    }
  } else if (method == "exact") {
    auto sys = linear_system(eqs, state);
    if (!sys)
      throw Error(where +
                  ": method 'exact' needs linear equations whose coefficients do not "
                  "depend on the state variables or on t");
    const size_t m = state.size();
    bool diagonal = true;
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < m; ++j)
        if (i != j && !is_zero(sys->a[i][j])) diagonal = false;
    if (diagonal) {
      for (size_t i = 0; i < m; ++i) closed_form(state[i], sys->a[i][i], sys->b[i], out);
    } else {
      // Augmented exponential: exp([[A, I], [0, 0]] dt) = [[Phi, Gamma], [0, I]].
      const double dtv = *scalar_value(dt, resolve);
      std::vector<double> big(4 * m * m, 0.0);
      for (size_t i = 0; i < m; ++i) {
        for (size_t j = 0; j < m; ++j) {
          auto v = scalar_value(sys->a[i][j], resolve);
          if (!v)
            throw Error(where +
                        ": method 'exact' for coupled equations needs coefficients "
                        "shared by all neurons (" +
                        expr::to_string(sys->a[i][j]) + " is not)");
          // An infinite or NaN coefficient (a time constant of 0) has no exponential.
          if (!std::isfinite(*v * dtv))
            throw Error(where + ": method 'exact': the coefficient " +
                        expr::to_string(sys->a[i][j]) + " is " + std::to_string(*v) +
                        " (expected a finite number; a time constant of 0?)");
          big[i * 2 * m + j] = *v * dtv;
        }
        big[i * 2 * m + m + i] = dtv;
      }
      const auto e = expm(big, 2 * m);
      for (size_t i = 0; i < m; ++i) out.code.push_back({"_b_" + state[i], sys->b[i]});
      for (size_t i = 0; i < m; ++i) {
        Expr sum = expr::number(0.0);
        for (size_t j = 0; j < m; ++j) {
          sum = sum + expr::number(e[i * 2 * m + j]) * expr::symbol(state[j]);
          sum = sum + expr::number(e[i * 2 * m + m + j]) * expr::symbol("_b_" + state[j]);
        }
        out.outputs.push_back(out.code.size());
        out.code.push_back({"_" + state[i], expr::simplify(sum)});
      }
    }
  } else {
    throw Error(where + ": unknown method '" + method +
                "' (expected euler, exponential_euler, rk2, rk4 or exact)");
  }
  return out;
}

}  // namespace soma::snn
