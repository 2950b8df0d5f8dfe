#pragma once
// Butcher tableaus of the embedded explicit Runge-Kutta pairs, as exact fractions, and the
// matrices P of their dense output (y(t_old + x h) = y_old + h K^T P [x, x^2, ...]), all as
// in SciPy's rk.py. Notation of Hairer, Norsett & Wanner, Solving ODEs I, Sec. II.4.
//
// stiff_test: Hairer's stiffness test (dopri5.f, dop853.f) flags a step when h |lambda|,
// estimated from the last two stage derivatives, exceeds it (0: the method has no test);
// stability_bound: h |lambda| at the edge of the stability region on the negative real axis,
// which the automatic method uses to decide that an explicit method could take BDF's steps.
#include "soma/ode/detail/dop853_coefficients.hpp"

namespace soma::ode::detail {

// Bogacki-Shampine 3(2): third-order steps, second-order error estimate, cubic Hermite
// dense output.
struct Rk23Tableau {
  static constexpr int n_stages = 3, order = 3, error_order = 2, n_poly = 3;
  static constexpr double stiff_test = 0, stability_bound = 0;
  static constexpr double C[3] = {0, 1.0 / 2, 3.0 / 4};
  static constexpr double A[3][3] = {{0, 0, 0}, {1.0 / 2, 0, 0}, {0, 3.0 / 4, 0}};
  static constexpr double B[3] = {2.0 / 9, 1.0 / 3, 4.0 / 9};
  static constexpr double E[4] = {5.0 / 72, -1.0 / 12, -1.0 / 9, 1.0 / 8};
  static constexpr double P[4][3] = {
      {1, -4.0 / 3, 5.0 / 9}, {0, 1, -2.0 / 3}, {0, 4.0 / 3, -8.0 / 9}, {0, -1, 1}};
};

// Dormand-Prince 5(4) (Dormand & Prince 1980), FSAL; the dense output is Shampine's
// quartic with the optimum c_6 of "Some Practical Runge-Kutta Formulas" (1986).
struct Rk45Tableau {
  static constexpr int n_stages = 6, order = 5, error_order = 4, n_poly = 4;
  static constexpr double stiff_test = 3.25, stability_bound = 3.3;
  static constexpr double C[6] = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1};
  static constexpr double A[6][6] = {
      {0, 0, 0, 0, 0, 0},
      {1.0 / 5, 0, 0, 0, 0, 0},
      {3.0 / 40, 9.0 / 40, 0, 0, 0, 0},
      {44.0 / 45, -56.0 / 15, 32.0 / 9, 0, 0, 0},
      {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729, 0, 0},
      {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656, 0}};
  static constexpr double B[6] = {35.0 / 384,     0,        500.0 / 1113, 125.0 / 192,
                                  -2187.0 / 6784, 11.0 / 84};
  static constexpr double E[7] = {-71.0 / 57600,    0,           71.0 / 16695, -71.0 / 1920,
                                  17253.0 / 339200, -22.0 / 525, 1.0 / 40};
  static constexpr double P[7][4] = {
      {1, -8048581381.0 / 2820520608, 8663915743.0 / 2820520608, -12715105075.0 / 11282082432},
      {0, 0, 0, 0},
      {0, 131558114200.0 / 32700410799, -68118460800.0 / 10900136933, 87487479700.0 / 32700410799},
      {0, -1754552775.0 / 470086768, 14199869525.0 / 1410260304, -10690763975.0 / 1880347072},
      {0, 127303824393.0 / 49829197408, -318862633887.0 / 49829197408,
       701980252875.0 / 199316789632},
      {0, -282668133.0 / 205662961, 2019193451.0 / 616988883, -1453857185.0 / 822651844},
      {0, 40617522.0 / 29380423, -110615467.0 / 29380423, 69997945.0 / 29380423}};
};

// Hairer's DOP853 8(5,3): E3 and E5 weigh the 3rd- and 5th-order error estimates, three
// extra stages feed the 7th-order dense output, whose matrix is D (SciPy's DOP853).
struct Dop853Tableau {
  static constexpr int n_stages = dop853::n_stages, order = 8, error_order = 7,
                       n_poly = dop853::interpolator_power,
                       n_stages_extended = dop853::n_stages_extended;
  static constexpr double stiff_test = 6.1, stability_bound = 6.1;
  static constexpr const auto& C = dop853::C;
  static constexpr const auto& A = dop853::A;
  static constexpr const auto& B = dop853::B;
  static constexpr const auto& E3 = dop853::E3;
  static constexpr const auto& E5 = dop853::E5;
  static constexpr const auto& D = dop853::D;
};

}  // namespace soma::ode::detail
