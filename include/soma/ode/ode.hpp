#pragma once
// The ODE module: solve_ivp (Euler, RK4, RK23, RK45, DOP853, BDF, ODEPACK's LSODA with its
// Adams/BDF switching, Adams alone, Radau IIA of order 5), odeint (LSODA by default, as SciPy's),
// dense output and events; systems from equations (equations.hpp); complex systems
// (complex.hpp). See solve_ivp.hpp for an example.
#include "soma/ode/complex.hpp"
#include "soma/ode/dense_output.hpp"
#include "soma/ode/equations.hpp"
#include "soma/ode/odeint.hpp"
#include "soma/ode/solve_ivp.hpp"
#include "soma/ode/trajectory.hpp"
