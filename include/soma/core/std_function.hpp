#pragma once
// std::function alone, for public headers. <functional> also brings std::bind, the
// searchers (with <unordered_map> and <bits/stl_algo.h>) and std::hash's overloads:
// ~0.06 s of every includer's compile time with GCC 12 (bench/headers). libstdc++
// keeps std::function apart in <bits/std_function.h>; other standard libraries get
// <functional>.
#include <version>
#if defined(__GLIBCXX__) && __has_include(<bits/std_function.h>)
#include <bits/std_function.h>
#else
#include <functional>
#endif
