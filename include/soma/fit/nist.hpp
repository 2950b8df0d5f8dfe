#pragma once
// Reader for NIST StRD nonlinear regression files (.dat, NIST's ASCII layout):
// the header says where the certified values and the data are
// ("Certified Values  (lines 41 to 49)", "Data  (lines 61 to 71)"); parameter
// lines read "b1 = start1 start2 certified std_dev"; data lines "y x" (or
// "y x1 x2"). Numbers are kept as text-exact long doubles: some problems
// (Lanczos1, SSR 1.4e-25) need more than double precision to check.
#include <string>
#include <string_view>
#include <vector>

#include "soma/fit/least_squares.hpp"

namespace soma::fit {

struct NistParameter {
  std::string name{};  // "b1"
  long double start1 = 0, start2 = 0, certified = 0, certified_sd = 0;
};

struct NistProblem {
  std::string name{};        // "MGH09" (from "Dataset Name:")
  std::string model{};       // the model line as written, e.g. "y = b1*(x**2+x*b2) / (...)  +  e"
  std::string difficulty{};  // "Lower", "Average" or "Higher"
  std::vector<NistParameter> parameters{};
  long double certified_ssr = 0, certified_residual_sd = 0;
  int degrees_of_freedom = 0;
  std::vector<long double> y{};               // responses, one per observation
  std::vector<std::vector<long double>> x{};  // predictors: x[k][i] for predictor k
};

// Parses the text of one file; `source` names it in errors. Throws soma::Error
// "SOURCE:LINE:COLUMN: ..." on anything that does not fit the layout.
NistProblem parse_nist(std::string_view text, const std::string& source = "nist");
NistProblem read_nist(const std::string& path);

namespace nist {
// Solves `prob` from NIST's start 1 or 2 with the model of its name (the 27
// problems' models are compiled into the library, src/fit/nist_models.cpp):
// Nelson's response taken as log(y), the data kept in long double for the polish.
// Throws soma::Error for a problem whose model is not known.
Result solve(const NistProblem& prob, int start, const Options& options);
}  // namespace nist

}  // namespace soma::fit
