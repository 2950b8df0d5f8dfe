#pragma once
// std::min, std::max, std::fill, std::copy and std::equal, for public headers. <algorithm>
// also brings the sorting, searching and set algorithms and, since C++17, the parallel
// algorithms' declarations: ~0.09 s of every includer's compile time with GCC 12
// (bench/headers). libstdc++ keeps these few apart in <bits/stl_algobase.h>; other
// standard libraries get <algorithm>.
#include <version>
#if defined(__GLIBCXX__) && __has_include(<bits/stl_algobase.h>)
#include <bits/stl_algobase.h>
#else
#include <algorithm>
#endif
