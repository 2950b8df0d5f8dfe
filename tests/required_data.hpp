// Tests that need data from outside the repository (../shared/data, Debian's
// dataset-fashion-mnist, Plotly.js from web/node_modules) skip where it is absent, so a
// developer's machine without it still runs everything else. In CI (CI=true) an absent
// data set means the run did not test what it claims to, so there it fails instead.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

namespace soma::test {

// CI systems set CI=true (GitHub, GitLab, .ci/run's callers); "0" and "false" opt out.
inline bool in_ci() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  const std::string_view v(ci);
  return !v.empty() && v != "0" && v != "false";
}

}  // namespace soma::test

// SOMA_REQUIRE_DATA(present, what): returns from the test when `present` is false, as a
// skip outside CI and as a failure in it. `what` is streamed, so it may hold `<<`.
#define SOMA_REQUIRE_DATA(present, what)                                                  \
  if (present) {                                                                          \
  } else if (::soma::test::in_ci())                                                       \
    GTEST_FAIL() << what << " is missing, and CI=true: a missing data set fails the run"; \
  else                                                                                    \
    GTEST_SKIP() << what << " is missing"
