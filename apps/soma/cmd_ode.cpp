// soma ode: solve an ODE system written in the equation language and write its trajectory.
//
//   soma ode "dx/dt = sigma*(y-x); dy/dt = x*(rho-z)-y; dz/dt = x*y-beta*z"
//       --param sigma=10 --param rho=28 --param beta=8/3 --y0 x=1,y=1,z=1
//       --t 0:40 --method RK45 -o lorenz.csv
//
// The CSV has a header "t,<variables...>" and one row per output time: every step the
// solver takes, or the times of --t-eval (START:STOP:STEP or a comma-separated list).
// Without -o/--output the CSV goes to stdout (unless --json). --json ends with one JSON object:
// final (variable -> value at the last time), nfev, njev, nlu, nsteps, status, message.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "flags.hpp"
#include "registry.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/system.hpp"
#include "soma/ode/ode.hpp"

namespace {

namespace ode = soma::ode;

struct Options {
  std::string equations;
  std::vector<std::string> params, y0;
  std::string t_span, t_eval, method = "RK45", out;
  double rtol = 1e-3, atol = 1e-6, max_step = INFINITY, first_step = 0;
  // SciPy's ode() and odeint stop after `nsteps`/`mxstep` steps (500 per output time);
  // the CLI has one interval, and a million steps is minutes of output on any problem
  // the tolerances fit, while Euler at 1e-12 or an endless span stop within seconds.
  std::int64_t max_steps = 1'000'000;
  bool json = false;
};

double parse_number(const std::string& text, const std::string& option) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(v))
    throw soma::Error(option + ": '" + text + "' is not a number");
  return v;
}

// Splits at commas outside parentheses ("x=1,y=max(1,2)" -> "x=1", "y=max(1,2)").
std::vector<std::string> split_top_level(const std::string& text) {
  std::vector<std::string> parts(1);
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

// "name=value" items (from repeated options, each possibly comma-separated).
std::map<std::string, std::string> parse_assignments(const std::vector<std::string>& items,
                                                     const std::string& option) {
  std::map<std::string, std::string> out;
  for (const auto& item : items)
    for (const auto& part : split_top_level(item)) {
      const auto eq = part.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == part.size())
        throw soma::Error(option + ": '" + part + "': expected NAME=VALUE");
      auto trim = [](std::string s) {
        s.erase(0, s.find_first_not_of(" \t"));
        s.erase(s.find_last_not_of(" \t") + 1);
        return s;
      };
      const std::string name = trim(part.substr(0, eq));
      if (out.count(name)) throw soma::Error(option + ": '" + name + "' is given twice");
      out[name] = trim(part.substr(eq + 1));
    }
  return out;
}

std::vector<double> parse_t_eval(const std::string& text) {
  std::vector<double> t;
  if (text.find(':') != std::string::npos) {
    std::vector<std::string> p;
    std::size_t start = 0, colon;
    while ((colon = text.find(':', start)) != std::string::npos) {
      p.push_back(text.substr(start, colon - start));
      start = colon + 1;
    }
    p.push_back(text.substr(start));
    if (p.size() != 3) throw soma::Error("--t-eval: '" + text + "': expected START:STOP:STEP");
    const double a = parse_number(p[0], "--t-eval"), b = parse_number(p[1], "--t-eval"),
                 h = parse_number(p[2], "--t-eval");
    if (h == 0 || (b - a) / h < 0)
      throw soma::Error("--t-eval: '" + text +
                        "': STEP must be non-zero and point from START to STOP");
    // Points a + k h up to b inclusive (with a tolerance for the rounding of (b - a) / h).
    const auto n = static_cast<std::int64_t>(std::floor((b - a) / h + 1e-9));
    if (n > 100'000'000) throw soma::Error("--t-eval: '" + text + "': too many points");
    for (std::int64_t k = 0; k <= n; ++k) t.push_back(a + static_cast<double>(k) * h);
  } else {
    for (const auto& part : split_top_level(text)) t.push_back(parse_number(part, "--t-eval"));
  }
  return t;
}

void run(const Options& opt) {
  const auto colon = opt.t_span.find(':');
  if (colon == std::string::npos)
    throw soma::Error("--t: '" + opt.t_span + "': expected T0:T1 (e.g. 0:40)");
  const double t0 = parse_number(opt.t_span.substr(0, colon), "--t");
  const double t1 = parse_number(opt.t_span.substr(colon + 1), "--t");

  ode::EquationSystem sys =
      ode::compile_equations(opt.equations, parse_assignments(opt.params, "--param"));
  const std::vector<double> y0 = sys.initial_state(parse_assignments(opt.y0, "--y0"));

  ode::Options o{.method = ode::parse_method(opt.method),
                 .rtol = opt.rtol,
                 .atol = opt.atol,
                 .max_step = opt.max_step,
                 .first_step = opt.first_step};
  if (!opt.t_eval.empty()) o.t_eval = parse_t_eval(opt.t_eval);
  constexpr std::int64_t kTicks = 1000;
  soma::ProgressBar bar(kTicks, "ode");
  std::int64_t ticks = 0;
  if (t1 != t0)
    o.on_step = [&](double t) {
      const auto now = static_cast<std::int64_t>(kTicks * (t - t0) / (t1 - t0));
      if (now > ticks) bar.advance(now - ticks);
      ticks = std::max(ticks, now);
    };
  o.max_steps = opt.max_steps;
  // Rows go out as the solver makes them (a file written atomically, or stdout), so a
  // long trajectory costs disk or a pipe, never memory.
  std::optional<soma::AtomicWriter> file;
  if (!opt.out.empty()) file.emplace(opt.out);
  const bool to_stdout = opt.out.empty() && !opt.json;
  auto emit = [&](const std::string& text) {
    if (file) file->write(text);
    if (to_stdout) std::cout << text;
  };
  std::string row = "t";
  for (const auto& v : sys.variables) row += "," + v;
  emit(row + "\n");
  std::int64_t points = 0;
  o.on_output = [&](double t, std::span<const double> y) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", t);
    row = buf;
    for (double v : y) {
      std::snprintf(buf, sizeof buf, ",%.17g", v);
      row += buf;
    }
    row += '\n';
    emit(row);
    ++points;
  };
  soma::Stopwatch watch;
  ode::Result r = ode::solve_ivp(sys.rhs, {t0, t1}, y0, o);
  const double seconds = watch.seconds();
  bar.finish();
  if (file) {
    file->commit();
    soma::cli::wrote(opt.out);
  }
  std::cout << std::flush;

  if (r.status == ode::Status::Failed) {
    if (opt.max_steps > 0 && r.nsteps >= opt.max_steps) {
      char at[64];
      std::snprintf(at, sizeof at, "%.6g", r.t.empty() ? t0 : r.t.back());
      r.message = "stopped at t = " + std::string(at) + " of " + opt.t_span + " after " +
                  std::to_string(r.nsteps) + " steps, the step limit; raise it with --max-steps N" +
                  " (0: no limit)";
    }
    std::cerr << "soma ode: " << r.message << "\n";
  }
  if (opt.json) {
    nlohmann::json final = nlohmann::json::object();
    if (!r.states.empty())
      for (std::size_t j = 0; j < sys.variables.size(); ++j)
        final[sys.variables[j]] = r.states.back()[j];
    nlohmann::json methods = nlohmann::json::array();
    for (const auto& m : r.methods)
      methods.push_back({{"t", m.t}, {"method", ode::method_name(m.method)}});
    soma::cli::print_json(
        {{"method", ode::method_name(o.method)},
         {"t_final", r.t.empty() ? t0 : r.t.back()},
         {"points", points},
         {"nsteps", r.nsteps},
         {"njev", r.njev},
         {"nlu", r.nlu},
         {"methods", methods},
         {"seconds", seconds},
         {"message", r.message},
         {"final", final},
         {"nfev", r.nfev},
         {"status", static_cast<int>(r.status)},
         {"output", opt.out.empty() ? nlohmann::json(nullptr) : nlohmann::json(opt.out)}});
  }
  if (r.status == ode::Status::Failed) throw soma::cli::Exit{2};
}

soma::cli::CommandRegistrar reg(
    "ode", "Solve an ODE system given as equations and write its trajectory as CSV",
    [](CLI::App& app) {
      auto opt = std::make_shared<Options>();
      app.add_option("equations", opt->equations,
                     "Equations, e.g. \"dx/dt = -k*x\" (';' or newlines between them)")
          ->required();
      app.add_option("--param", opt->params,
                     "Parameter NAME=VALUE (repeatable; VALUE may be "
                     "an expression such as 8/3 or 10*mV)")
          ->default_str("none");
      app.add_option("--y0", opt->y0,
                     "Initial values NAME=VALUE,... (every variable, in its unit: v=-65*mV)")
          ->required();
      app.add_option("--t", opt->t_span, "Time span T0:T1")->required();
      app.add_option("--t-eval", opt->t_eval,
                     "Output times START:STOP:STEP or T1,T2,... (default: every step)");
      app.add_option("--method", opt->method,
                     "Euler, RK4, RK23, RK45, DOP853, BDF, LSODA (automatic Adams/BDF), Adams, "
                     "Radau (implicit Runge-Kutta, order 5)")
          ->capture_default_str();
      app.add_option("--rtol", opt->rtol, "Relative tolerance")->capture_default_str();
      app.add_option("--atol", opt->atol, "Absolute tolerance")->capture_default_str();
      app.add_option("--max-step", opt->max_step, "Largest step (Euler/RK4: the step)")
          ->default_str("unbounded");
      app.add_option("--first-step", opt->first_step, "First step (Euler/RK4: the step)")
          ->default_str("chosen by the solver");
      app.add_option("--max-steps", opt->max_steps,
                     "Stop (status 2) after this many steps; 0: no limit")
          ->check(soma::cli::integer_in(0, std::numeric_limits<std::int64_t>::max()))
          ->capture_default_str();
      soma::cli::add_output_option(app, opt->out, "CSV file to write", "stdout");
      app.add_flag("--json", opt->json, "End with one JSON object (final, nfev, status...)");
      app.callback([opt] { run(*opt); });
    });

}  // namespace
