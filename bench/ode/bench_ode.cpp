// Times soma's solvers (and Boost.Odeint's dopri5, in the same process) on Lorenz and
// Robertson; prints one JSON object with median seconds and work counts. bench/ode/run
// puts these beside SciPy's times.
#include <malloc.h>

#include <algorithm>
#include <array>
#include <boost/numeric/odeint.hpp>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "soma/ode/complex.hpp"
#include "soma/ode/inline.hpp"
#include "soma/ode/ode.hpp"

namespace {
namespace ode = soma::ode;
using State = std::array<double, 3>;

void lorenz(double, std::span<const double> y, std::span<double> dy) {
  dy[0] = 10 * (y[1] - y[0]);
  dy[1] = y[0] * (28 - y[2]) - y[1];
  dy[2] = y[0] * y[1] - 8.0 / 3 * y[2];
}
void robertson(double, std::span<const double> y, std::span<double> dy) {
  dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
  dy[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1];
  dy[2] = 3e7 * y[1] * y[1];
}

// Process CPU time, not wall time: the development machine is shared, and a process that
// is descheduled should not be charged for it (scipy_ode.py uses time.process_time alike).
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

template <class F>
double median_seconds(F&& f, int reps) {
  std::vector<double> s;
  for (int i = 0; i < reps; ++i) {
    const double t0 = cpu_seconds();
    f();
    s.push_back(cpu_seconds() - t0);
  }
  std::sort(s.begin(), s.end());
  return s[s.size() / 2];
}

}  // namespace

int main() {
  nlohmann::json out;
  const double rtol = 1e-6, atol = 1e-9;
  const int reps = 201;

  ode::Result r;
  auto secs = median_seconds(
      [&] {
        r = ode::solve_ivp(lorenz, {0, 40}, {1, 1, 1}, {.rtol = rtol, .atol = atol});
      },
      reps);
  out["lorenz_rk45"] = {{"seconds", secs}, {"nfev", r.nfev}, {"nsteps", r.nsteps}};

  // odeint as a user calls it: f a lambda, y0 a std::array or a std::vector; and f behind
  // std::function (the library's odeint, as the CLI and equation systems run). At SciPy's
  // LSODA all three call f through std::function (odeint_inline of soma/ode/inline.hpp
  // inlines f into RK45 and DOP853 only).
  std::vector<double> t;
  for (int i = 0; i <= 4000; ++i) t.push_back(0.01 * i);
  const std::array<double, 3> y0 = {1, 1, 1};
  const std::vector<double> y0_vector = {1, 1, 1};
  // The equations written in the lambda, as a user writes them (and as scipy_ode.py does).
  auto lorenz_lambda = [](double, std::span<const double> y, std::span<double> dy) {
    dy[0] = 10 * (y[1] - y[0]);
    dy[1] = y[0] * (28 - y[2]) - y[1];
    dy[2] = y[0] * y[1] - 8.0 / 3 * y[2];
  };
  const ode::Rhs lorenz_function = lorenz;
  const ode::OdeintOptions odeint_options{.rtol = rtol, .atol = atol};
  ode::Trajectory traj;
  secs = median_seconds([&] { traj = ode::odeint(lorenz_lambda, y0, t, odeint_options); }, reps);
  // odeint runs LSODA, as SciPy's: the work (steps, evaluations) compares one to one.
  ode::OdeintInfo info;
  ode::odeint(lorenz_lambda, y0, t, {.rtol = rtol, .atol = atol, .info = &info});
  out["lorenz_odeint"] = {
      {"seconds", secs}, {"x10", traj(1000, 0)}, {"nsteps", info.nst}, {"nfev", info.nfe}};
  secs = median_seconds([&] { traj = ode::odeint(lorenz_lambda, y0_vector, t, odeint_options); },
                        reps);
  out["lorenz_odeint_vector"] = {{"seconds", secs}, {"x10", traj(1000, 0)}};
  secs = median_seconds([&] { traj = ode::odeint(lorenz_function, y0_vector, t, odeint_options); },
                        reps);
  out["lorenz_odeint_function"] = {{"seconds", secs}, {"x10", traj(1000, 0)}};
  traj = ode::Trajectory();

  // Boost.Odeint dopri5, controlled, same tolerances; the system is a lambda it inlines.
  namespace bo = boost::numeric::odeint;
  auto sys = [](const State& y, State& dy, double) {
    dy[0] = 10 * (y[1] - y[0]);
    dy[1] = y[0] * (28 - y[2]) - y[1];
    dy[2] = y[0] * y[1] - 8.0 / 3 * y[2];
  };
  std::size_t boost_steps = 0;  // Boost's count, printed beside soma's at equal tolerance
  secs = median_seconds(
      [&] {
        State y = {1, 1, 1};
        boost_steps =
            bo::integrate_adaptive(bo::make_controlled(atol, rtol, bo::runge_kutta_dopri5<State>()),
                                   sys, y, 0.0, 40.0, 0.01);
      },
      reps);
  out["lorenz_boost_dopri5"] = {{"seconds", secs}, {"nsteps", boost_steps}};
  // The same run with solve_ivp_inline: f inlined into the stepper, as Boost's is.
  auto lorenz_inline = [](double s, std::span<const double> y, std::span<double> dy) {
    lorenz(s, y, dy);
  };
  secs = median_seconds(
      [&] {
        r = ode::solve_ivp_inline<3>(lorenz_inline, {0, 40}, {1, 1, 1},
                                     {.rtol = rtol, .atol = atol});
      },
      reps);
  out["lorenz_rk45_inline"] = {{"seconds", secs}, {"nfev", r.nfev}, {"nsteps", r.nsteps}};

  // 0..40 at the default tolerances; 0..4e10 needs atol well below y2 (~1e-5 .. 1e-12),
  // else BDF (SciPy's and CVODE alike) drifts to a wrong, negative solution.
  for (double tf : {40.0, 4e10})
    for (ode::Method m : {ode::Method::BDF, ode::Method::LSODA}) {
      ode::Options o{.method = m};
      if (tf > 40) {
        o.rtol = 1e-6;
        o.atol = 1e-10;
      }
      secs = median_seconds([&] { r = ode::solve_ivp(robertson, {0, tf}, {1, 0, 0}, o); }, 101);
      out[std::string("robertson_") + (tf == 40.0 ? "40_" : "4e10_") + ode::method_name(m)] = {
          {"seconds", secs}, {"nfev", r.nfev}, {"nsteps", r.nsteps}};
    }
  // Radau (SciPy's Radau step for step) on the stiff problems, at the tolerances of
  // tests/ode/radau_test.cpp; the Jacobian by finite differences (SciPy's default) and given.
  auto vdp = [](double, std::span<const double> y, std::span<double> dy) {
    dy[0] = y[1];
    dy[1] = 1000 * (1 - y[0] * y[0]) * y[1] - y[0];
  };
  auto vdp_jac = [](double, std::span<const double> y, std::span<double> J) {
    J[0] = 0;
    J[1] = 1;
    J[2] = -2000 * y[0] * y[1] - 1;
    J[3] = 1000 * (1 - y[0] * y[0]);
  };
  auto robertson_jac = [](double, std::span<const double> y, std::span<double> J) {
    const double j[9] = {-0.04,       1e4 * y[2], 1e4 * y[1], 0.04, -1e4 * y[2] - 6e7 * y[1],
                         -1e4 * y[1], 0,          6e7 * y[1], 0};
    std::copy(j, j + 9, J.begin());
  };
  for (bool analytic : {false, true}) {
    const std::string tag = analytic ? "_jac" : "";
    ode::Options o{.method = ode::Method::Radau, .rtol = 1e-6, .atol = 1e-10};
    if (analytic) o.jac = robertson_jac;
    secs = median_seconds([&] { r = ode::solve_ivp(robertson, {0, 4e10}, {1, 0, 0}, o); }, 101);
    out["robertson_4e10_Radau" + tag] = {{"seconds", secs},
                                         {"nfev", r.nfev},
                                         {"nsteps", r.nsteps},
                                         {"njev", r.njev},
                                         {"nlu", r.nlu}};
    o = {.method = ode::Method::Radau, .rtol = 1e-6, .atol = 1e-6};
    if (analytic) o.jac = vdp_jac;
    secs = median_seconds([&] { r = ode::solve_ivp(vdp, {0, 3000}, {2, 0}, o); }, 51);
    out["vdp_Radau" + tag] = {{"seconds", secs},
                              {"nfev", r.nfev},
                              {"nsteps", r.nsteps},
                              {"njev", r.njev},
                              {"nlu", r.nlu}};
  }
  // A complex system (soma/ode/complex.hpp), SciPy's steps: the two-level Schrodinger
  // system of tests/ode/complex_test.cpp, dy/dt = -i H y over 0..10.
  using ode::Complex;
  auto schrodinger = [](double, std::span<const Complex> y, std::span<Complex> dy) {
    dy[0] = Complex(0, -1) * (y[0] + 0.5 * y[1]);
    dy[1] = Complex(0, -1) * (0.5 * y[0] - y[1]);
  };
  auto schrodinger_jac = [](double, std::span<const Complex>, std::span<Complex> J) {
    J[0] = Complex(0, -1);
    J[1] = J[2] = Complex(0, -0.5);
    J[3] = Complex(0, 1);
  };
  for (ode::Method m : {ode::Method::RK45, ode::Method::DOP853, ode::Method::BDF}) {
    ode::ComplexResult c;
    const ode::ComplexOptions o{.method = m, .rtol = 1e-6, .atol = 1e-9, .jac = schrodinger_jac};
    secs = median_seconds(
        [&] {
          c = ode::solve_ivp(schrodinger, {0, 10}, {Complex(1, 0), Complex(0, 0)}, o);
        },
        reps);
    out[std::string("schrodinger_") + ode::method_name(m)] = {
        {"seconds", secs}, {"nfev", c.nfev}, {"nsteps", c.nsteps}, {"nlu", c.nlu}};
  }

  // The 4001-row result is above glibc's mmap threshold, so every call faults in fresh
  // pages (~11 us per 4 KiB here), which costs more than the integration. With the heap
  // kept (as a long-running process or a caching allocator would), the same call:
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  secs = median_seconds([&] { ode::odeint(lorenz_lambda, y0, t, odeint_options); }, reps);
  out["lorenz_odeint_kept_heap"] = {{"seconds", secs}};
  std::printf("%s\n", out.dump().c_str());
}
