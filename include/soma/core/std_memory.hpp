#pragma once
// std::shared_ptr, std::weak_ptr and std::unique_ptr (with make_shared, make_unique),
// for public headers. <memory> itself also brings the uninitialized-memory algorithms,
// their ranges versions, the parallel algorithms' declarations and std::align:
// ~0.06 s of every includer's compile time with GCC 12 (bench/headers). libstdc++
// keeps the smart pointers apart in <bits/shared_ptr.h> (which includes
// <bits/unique_ptr.h>); other standard libraries get <memory>.
#include <version>
#if defined(__GLIBCXX__) && __has_include(<bits/shared_ptr.h>)
#include <bits/shared_ptr.h>
#else
#include <memory>
#endif
