#pragma once
// The message of the soma::Error a test provokes, for assertions on what it names.
#include <string>

#include "soma/core/error.hpp"

namespace soma::test {

// The message of the soma::Error that `f` throws ("" when it throws none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const soma::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace soma::test
