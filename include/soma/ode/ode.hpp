#pragma once
// The ODE module: solve_ivp (Euler, RK4, RK23, RK45, DOP853, BDF, ODEPACK's LSODA with its
// Adams/BDF switching, Adams alone, Radau IIA of order 5), odeint (LSODA by default, as SciPy's),
// dense output and events; systems from equations (equations.hpp). See solve_ivp.hpp for an
// example. Complex systems are in soma/ode/complex.hpp, included on its own (as inline.hpp):
// <complex> (with the <sstream> it pulls in) adds a seventh to this header's compile time.
#include "soma/ode/dense_output.hpp"
#include "soma/ode/equations.hpp"
#include "soma/ode/odeint.hpp"
#include "soma/ode/solve_ivp.hpp"
#include "soma/ode/trajectory.hpp"
