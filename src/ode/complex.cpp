// solve_ivp for complex systems (soma/ode/complex.hpp): the real system of twice the size,
// y[2k] = Re y_k and y[2k + 1] = Im y_k, through the real driver, with the steppers told
// (Tolerances::complex_pairs) to take SciPy's norms over the complex components.
#include "soma/ode/complex.hpp"

#include <cmath>
#include <string>

#include "ode/stepper.hpp"
#include "soma/core/error.hpp"

namespace soma::ode {
namespace {

// The real pairs of a complex vector and back, through buffers (no aliasing of double
// storage as std::complex).
void to_pairs(std::span<const Complex> z, std::span<double> out) {
  for (std::size_t k = 0; k < z.size(); ++k) {
    out[2 * k] = z[k].real();
    out[2 * k + 1] = z[k].imag();
  }
}
void from_pairs(std::span<const double> x, std::span<Complex> out) {
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = {x[2 * k], x[2 * k + 1]};
}

ComplexTrajectory to_complex(const Trajectory& real) {
  ComplexTrajectory out(real.dim() / 2);
  std::vector<Complex> row(out.dim());
  for (std::size_t i = 0; i < real.size(); ++i) {
    from_pairs(real[i], row);
    out.push_back(row);
  }
  return out;
}

bool has_complex_support(Method m) {
  return m == Method::RK23 || m == Method::RK45 || m == Method::DOP853 || m == Method::BDF ||
         m == Method::Euler || m == Method::RK4;
}

// The calls of the user's complex functions from the real system, each with buffers of its
// own (the driver may evaluate an event while f's buffers are in use by no one, but keeping
// them apart costs nothing and needs no reasoning about call order).
struct Adapter {
  const ComplexRhs* f{};
  const ComplexJacobian* jac{};
  std::size_t n{};
  std::vector<Complex> y, dy, jy, jz, ey;

  void rhs(double t, std::span<const double> x, std::span<double> dx) {
    from_pairs(x, y);
    (*f)(t, y, dy);
    to_pairs(dy, dx);
  }
  // The real form of the complex Jacobian J: in the pairs' coordinates, each entry J_ij is
  // the 2 x 2 block [Re J_ij, -Im J_ij; Im J_ij, Re J_ij] (multiplication by J_ij).
  void jacobian(double t, std::span<const double> x, std::span<double> out) {
    from_pairs(x, jy);
    std::fill(jz.begin(), jz.end(), Complex(0, 0));
    (*jac)(t, jy, jz);
    const std::size_t m = 2 * n;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        const Complex c = jz[i * n + j];
        out[2 * i * m + 2 * j] = c.real();
        out[2 * i * m + 2 * j + 1] = -c.imag();
        out[(2 * i + 1) * m + 2 * j] = c.imag();
        out[(2 * i + 1) * m + 2 * j + 1] = c.real();
      }
  }
  double event(const ComplexEvent& e, double t, std::span<const double> x) {
    from_pairs(x, ey);
    return e.fn(t, ey);
  }
};

}  // namespace

std::vector<Complex> ComplexDenseSolution::operator()(double t) const {
  std::vector<Complex> out(dim());
  evaluate(t, out);
  return out;
}

void ComplexDenseSolution::evaluate(double t, std::span<Complex> out) const {
  if (out.size() != dim())
    throw Error("ode::ComplexDenseSolution::evaluate: output of " + std::to_string(out.size()) +
                " values, expected " + std::to_string(dim()));
  std::vector<double> x(real_.dim());
  real_.evaluate(t, x);
  from_pairs(x, out);
}

std::vector<Complex> ComplexResult::y(std::size_t j) const {
  if (j >= states.dim())
    throw Error("ode::ComplexResult::y: component " + std::to_string(j) + " of a " +
                std::to_string(states.dim()) + "-variable solution (expected 0.." +
                std::to_string(states.dim()) + " - 1)");
  return states.component(j);
}

std::vector<std::vector<Complex>> ComplexResult::y() const {
  std::vector<std::vector<Complex>> out(states.dim());
  for (std::size_t j = 0; j < out.size(); ++j) out[j] = states.component(j);
  return out;
}

ComplexResult solve_ivp(const ComplexRhs& f, TimeSpan t_span, std::initializer_list<Complex> y0,
                        const ComplexOptions& options) {
  return solve_ivp(f, t_span, std::span<const Complex>(y0.begin(), y0.size()), options);
}

ComplexResult solve_ivp(const ComplexRhs& f, TimeSpan t_span, std::span<const Complex> y0,
                        const ComplexOptions& o) {
  if (!f) throw Error("solve_ivp: the right-hand side f is empty");
  if (!has_complex_support(o.method))
    throw Error(std::string("solve_ivp: method ") + method_name(o.method) +
                " does not support a complex y0 (expected RK23, RK45, DOP853, BDF, Euler or "
                "RK4; as in SciPy, LSODA and Radau integrate real systems only)");
  const std::size_t n = y0.size();
  for (std::size_t k = 0; k < n; ++k)
    if (!std::isfinite(y0[k].real()) || !std::isfinite(y0[k].imag()))
      throw Error("solve_ivp: y0[" + std::to_string(k) + "] = (" + std::to_string(y0[k].real()) +
                  ", " + std::to_string(y0[k].imag()) + ") is not finite");
  if (!o.atol_vector.empty() && o.atol_vector.size() != n)
    throw Error("solve_ivp: option 'atol_vector' has " + std::to_string(o.atol_vector.size()) +
                " values, expected one per component of y0 (" + std::to_string(n) + ")");
  for (std::size_t k = 0; k < o.atol_vector.size(); ++k)
    if (!(o.atol_vector[k] >= 0) || !std::isfinite(o.atol_vector[k]))
      throw Error("solve_ivp: absolute tolerance 'atol_vector' must be >= 0, got " +
                  std::to_string(o.atol_vector[k]) + " for component " + std::to_string(k));

  Adapter a{&f,
            &o.jac,
            n,
            std::vector<Complex>(n),
            std::vector<Complex>(n),
            std::vector<Complex>(n),
            std::vector<Complex>(o.jac ? n * n : 0),
            std::vector<Complex>(n)};
  const Rhs rhs = [&a](double t, std::span<const double> x, std::span<double> dx) {
    a.rhs(t, x, dx);
  };
  Options ro{.method = o.method,
             .rtol = o.rtol,
             .atol = o.atol,
             .atol_vector = {},
             .max_step = o.max_step,
             .first_step = o.first_step,
             .t_eval = o.t_eval,
             .dense_output = o.dense_output,
             .events = {},
             .jac = {},
             .max_steps = o.max_steps,
             .on_step = o.on_step,
             .on_output = {}};
  // Both parts of a component share its tolerance.
  for (double v : o.atol_vector) ro.atol_vector.insert(ro.atol_vector.end(), 2, v);
  for (const ComplexEvent& e : o.events) {
    Event re{.fn = {}, .terminal = e.terminal, .direction = e.direction};
    if (e.fn) re.fn = [&a, &e](double t, std::span<const double> x) { return a.event(e, t, x); };
    ro.events.push_back(std::move(re));
  }
  if (o.jac)
    ro.jac = [&a](double t, std::span<const double> x, std::span<double> out) {
      a.jacobian(t, x, out);
    };

  std::vector<double> x0(2 * n);
  to_pairs(y0, x0);
  Result r = detail::solve_ivp_with(rhs, t_span, x0, ro, [&ro](const detail::Problem& p) {
    detail::Problem q = p;
    q.tol.complex_pairs = true;
    return detail::make_stepper(ro.method, q);
  });

  ComplexResult out;
  out.t = std::move(r.t);
  out.states = to_complex(r.states);
  out.nfev = r.nfev;
  out.njev = r.njev;
  out.nlu = r.nlu;
  out.nsteps = r.nsteps;
  out.status = r.status;
  out.message = std::move(r.message);
  if (o.dense_output) out.sol = ComplexDenseSolution(std::move(r.sol));
  out.t_events = std::move(r.t_events);
  for (const Trajectory& ye : r.y_events) out.y_events.push_back(to_complex(ye));
  return out;
}

}  // namespace soma::ode
