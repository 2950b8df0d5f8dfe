// soma fit: fit a model written in the equation language to two columns of a CSV file.
//
//   soma fit decay.csv --x t --y counts --model "init*exp(-t/tau)" --p0 tau=1,init=1 [--json]
//
// The model's independent variable is the --x column's name (`t` above; --x-name names
// it otherwise, and must where the column's name is not one the equation language can
// spell); it is bound before unit names, so a column `s` is not the second. The
// parameters are the names given to --p0, in that order, and the Jacobian is the model's
// symbolic derivative. --sigma COL weights the points (SciPy's sigma);
// --absolute-sigma takes them as absolute; --lower/--upper NAME=VALUE,... bound
// parameters (trust-region reflective); --ftol/--xtol/--gtol/--max-nfev are SciPy's
// stopping rules (its defaults unless given). Prints each parameter with its standard
// error, the SSR and the status; --json ends with one JSON object: popt and perr
// (name -> value), pcov, ssr, nfev, status, converged, message. The exit status
// is 2 when the fit did not converge (the status says why).
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "flags.hpp"
#include "registry.hpp"
#include "soma/core/error.hpp"
#include "soma/data/csv.hpp"
#include "soma/expr/ast.hpp"
#include "soma/expr/parser.hpp"
#include "soma/fit/expression_model.hpp"

namespace {

namespace fit = soma::fit;

struct Options {
  std::string data, x, y, sigma, model, p0, lower, upper, x_name;  // x_name "": the --x column's
  bool absolute_sigma = false, json = false;
  int max_nfev = 0;
  double ftol = fit::CurveFitOptions{}.ftol, xtol = fit::CurveFitOptions{}.xtol,
         gtol = fit::CurveFitOptions{}.gtol;
};

// "a=1,b=2" -> [(a, 1), (b, 2)] in order; errors name the option and the item.
std::vector<std::pair<std::string, double>> parse_assignments(const std::string& text,
                                                              const std::string& option) {
  std::vector<std::pair<std::string, double>> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw soma::Error(option + ": '" + item + "' at character " + std::to_string(start + 1) +
                        " is not NAME=VALUE");
    const std::string value = item.substr(eq + 1);
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != value.size())
      throw soma::Error(option + ": '" + value + "' (for " + item.substr(0, eq) +
                        ") is not a number");
    out.emplace_back(item.substr(0, eq), v);
    start = end + 1;
  }
  return out;
}

std::vector<double> column(const soma::data::DataFrame& df, const std::string& name,
                           const std::string& path) {
  const auto& values = df[name].values();
  for (size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      throw soma::Error(path + ": column '" + name + "' row " + std::to_string(i + 1) +
                        " is missing or not finite; expected a number");
  return values;
}

bool is_name(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

// The independent variable's name in the model. It is bound before unit names are looked
// up, so a column called `s` is that column, not the second. A model that does not use it
// is refused: it is the sign of a name that resolved to something else (a unit), and the
// fit would otherwise go "degenerate" with no word on why.
std::string variable_name(const Options& o) {
  const std::string name = o.x_name.empty() ? o.x : o.x_name;
  if (!is_name(name))
    throw soma::Error(o.x_name.empty()
                          ? "--x '" + o.x +
                                "': the model cannot name this column; give --x-name NAME"
                          : "--x-name '" + o.x_name + "': expected a name (letters, digits, _)");
  if (!soma::expr::depends_on(soma::expr::parse_expression(o.model, {"model"}), name))
    throw soma::Error("model \"" + o.model + "\": does not use the independent variable '" + name +
                      "' (" + (o.x_name.empty() ? "the --x column" : "--x-name") +
                      "); expected the model to depend on it");
  return name;
}

void run(const Options& o) {
  const std::string x_name = variable_name(o);
  const auto p0 = parse_assignments(o.p0, "--p0");
  std::vector<std::string> numeric = {o.x, o.y};
  if (!o.sigma.empty()) numeric.push_back(o.sigma);
  const auto df = soma::data::read_csv(o.data, {.numeric = numeric});
  const std::vector<double> x = column(df, o.x, o.data), y = column(df, o.y, o.data);
  fit::CurveFitOptions options;
  if (!o.sigma.empty()) options.sigma = column(df, o.sigma, o.data);
  options.absolute_sigma = o.absolute_sigma;
  options.max_nfev = o.max_nfev;
  options.ftol = o.ftol;
  options.xtol = o.xtol;
  options.gtol = o.gtol;
  auto bounds = [&](const std::string& text, const std::string& option, double fill) {
    std::vector<double> b;
    if (text.empty()) return b;
    b.assign(p0.size(), fill);
    for (const auto& [name, v] : parse_assignments(text, option)) {
      size_t k = 0;
      while (k < p0.size() && p0[k].first != name) ++k;
      if (k == p0.size())
        throw soma::Error(option + ": '" + name +
                          "' is not a parameter (those are the names in --p0)");
      b[k] = v;
    }
    return b;
  };
  options.lower = bounds(o.lower, "--lower", -INFINITY);
  options.upper = bounds(o.upper, "--upper", INFINITY);
  if (!options.lower.empty() && options.upper.empty()) options.upper.assign(p0.size(), INFINITY);
  if (!options.upper.empty() && options.lower.empty()) options.lower.assign(p0.size(), -INFINITY);

  const fit::CurveFitResult r = fit::curve_fit(o.model, x, y, p0, options, x_name);
  const std::vector<double> perr = r.perr();
  if (o.json) {
    nlohmann::json popt = nlohmann::json::object(), err = nlohmann::json::object();
    for (size_t k = 0; k < r.names.size(); ++k) {
      popt[r.names[k]] = r.popt[k];
      err[r.names[k]] = std::isfinite(perr[k]) ? nlohmann::json(perr[k]) : nlohmann::json(nullptr);
    }
    nlohmann::json pcov = nlohmann::json::array();
    for (size_t a = 0; a < r.names.size(); ++a) {
      nlohmann::json row = nlohmann::json::array();
      for (size_t b = 0; b < r.names.size(); ++b) {
        const double v = r.pcov[a * r.names.size() + b];
        row.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
      }
      pcov.push_back(row);
    }
    soma::cli::print_json({{"model", o.model},
                           {"popt", popt},
                           {"perr", err},
                           {"pcov", pcov},
                           {"ssr", r.ssr},
                           {"nfev", r.nfev},
                           {"status", fit::to_string(r.status)},
                           {"converged", r.converged},
                           {"message", r.message}});
  } else {
    std::printf("model %s, %zu points\n", o.model.c_str(), x.size());
    for (size_t k = 0; k < r.names.size(); ++k)
      std::printf("  %-12s = %.10g +- %.3g\n", r.names[k].c_str(), r.popt[k], perr[k]);
    std::printf("SSR %.10g, nfev %d\n%s\n", r.ssr, r.nfev, r.message.c_str());
  }
  if (!r.converged) throw soma::cli::Exit{2};
}

soma::cli::CommandRegistrar reg(
    "fit", "Fit a model (equation language) to CSV columns", [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("data", o->data, "CSV file with a header row")->required();
      app.add_option("--x", o->x, "Column of the independent variable")->required();
      app.add_option("--y", o->y, "Column of the observations")->required();
      app.add_option("--model", o->model, "Model, e.g. \"init*exp(-t/tau)\" (t: the --x column)")
          ->required();
      app.add_option("--p0", o->p0, "Parameters and starting values, e.g. tau=1,init=1")
          ->required();
      app.add_option("--x-name", o->x_name,
                     "Name of the independent variable in the model (default: the --x column's)");
      app.add_option("--sigma", o->sigma, "Column of standard deviations of y")
          ->default_str("none, unweighted");
      app.add_flag("--absolute-sigma", o->absolute_sigma, "Take sigma as absolute (pcov unscaled)");
      app.add_option("--lower", o->lower, "Lower bounds, NAME=VALUE,...")->default_str("none");
      app.add_option("--upper", o->upper, "Upper bounds, NAME=VALUE,...")->default_str("none");
      app.add_option("--max-nfev", o->max_nfev, "Evaluation budget (0: SciPy's choice)")
          ->check(soma::cli::integer_in(0, std::numeric_limits<int>::max()))
          ->capture_default_str();
      // SciPy's least_squares stopping tolerances (curve_fit passes them through).
      app.add_option("--ftol", o->ftol, "Stop when the SSR changes by less (relative)")
          ->capture_default_str()
          ->check(soma::cli::number_in(0));
      app.add_option("--xtol", o->xtol, "Stop when the parameters change by less (relative)")
          ->capture_default_str()
          ->check(soma::cli::number_in(0));
      app.add_option("--gtol", o->gtol, "Stop when the scaled gradient is below (0: SciPy's)")
          ->capture_default_str()
          ->check(soma::cli::number_in(0));
      app.add_flag("--json", o->json, "End with one JSON object");
      app.callback([o] { run(*o); });
    });

}  // namespace
