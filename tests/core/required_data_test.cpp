// SOMA_REQUIRE_DATA (tests/required_data.hpp): an absent data set fails the run in CI.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "required_data.hpp"

namespace {

// Sets CI for one scope and restores what was there, so the suite's own CI setting holds
// for the tests after this one.
class CiVariable {
 public:
  explicit CiVariable(const char* value) {
    if (const char* old = std::getenv("CI")) old_ = old;
    if (value)
      ::setenv("CI", value, 1);
    else
      ::unsetenv("CI");
  }
  ~CiVariable() {
    if (old_)
      ::setenv("CI", old_->c_str(), 1);
    else
      ::unsetenv("CI");
  }
  CiVariable(const CiVariable&) = delete;
  CiVariable& operator=(const CiVariable&) = delete;

 private:
  std::optional<std::string> old_;
};

void needs_absent_data() { SOMA_REQUIRE_DATA(false, "the data set at /nowhere"); }

}  // namespace

TEST(RequiredData, CiMeansTrueOrAnyValueButZeroAndFalse) {
  {
    CiVariable ci(nullptr);
    EXPECT_FALSE(soma::test::in_ci());
  }
  for (const char* off : {"", "0", "false"}) {
    CiVariable ci(off);
    EXPECT_FALSE(soma::test::in_ci()) << off;
  }
  for (const char* on : {"true", "1", "yes"}) {
    CiVariable ci(on);
    EXPECT_TRUE(soma::test::in_ci()) << on;
  }
}

TEST(RequiredData, AbsentDataFailsInCi) {
  CiVariable ci("true");
  EXPECT_FATAL_FAILURE(needs_absent_data(), "the data set at /nowhere is missing, and CI=true");
}

TEST(RequiredData, PresentDataNeitherSkipsNorFails) {
  CiVariable ci("true");
  bool reached = false;
  [&] {
    SOMA_REQUIRE_DATA(true, "present");
    reached = true;
  }();
  EXPECT_TRUE(reached);
}
