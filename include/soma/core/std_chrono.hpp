#pragma once
// std::chrono's durations, time points and clocks, for public headers. <chrono> itself
// also brings C++20's calendar, time zones and their formatting (<sstream>, <locale>):
// with GCC 12 that is ~0.15 s of every includer's compile time (bench/headers).
// libstdc++ keeps the durations and clocks apart in <bits/chrono.h>; other standard
// libraries get <chrono>.
#include <version>
#if defined(__GLIBCXX__) && __has_include(<bits/chrono.h>)
#include <bits/chrono.h>
#else
#include <chrono>
#endif
