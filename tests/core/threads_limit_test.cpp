// set_num_threads refuses counts no machine can use: --threads 100000 once started
// thousands of threads before the system refused more.
#include <gtest/gtest.h>

#include <string>

#include "soma/core/error.hpp"
#include "soma/core/threads.hpp"

TEST(ThreadsLimit, CountsBeyondSixteenPerCoreAreErrors) {
  const int before = soma::num_threads();
  const int most = soma::kThreadsPerCoreLimit * soma::hardware_threads();
  try {
    soma::set_num_threads(100000);
    ADD_FAILURE() << "100000 threads accepted";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("at most " + std::to_string(most)), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(soma::set_num_threads(most + 1), soma::Error);
  EXPECT_THROW(soma::set_num_threads(0), soma::Error);
  EXPECT_EQ(soma::num_threads(), before);  // a refused count changes nothing
  soma::set_num_threads(most);
  EXPECT_EQ(soma::num_threads(), most);
  soma::set_num_threads(before);
}

// OMP_NUM_THREADS sets the default as in OpenMP and PyTorch; what OpenMP would ignore,
// soma ignores too (0: no count asked for).
TEST(ThreadsLimit, OmpNumThreadsIsReadAsOpenMpReadsIt) {
  using soma::threads_from_environment;
  EXPECT_EQ(threads_from_environment(nullptr), 0);
  EXPECT_EQ(threads_from_environment(""), 0);
  EXPECT_EQ(threads_from_environment("1"), 1);
  EXPECT_EQ(threads_from_environment(" 1 "), 1);
  EXPECT_EQ(threads_from_environment("1,4"), 1);  // the outer level of a nested list
  EXPECT_EQ(threads_from_environment("0"), 0);
  EXPECT_EQ(threads_from_environment("-2"), 0);
  EXPECT_EQ(threads_from_environment("two"), 0);
  EXPECT_EQ(threads_from_environment("2x"), 0);
  const int most = soma::kThreadsPerCoreLimit * soma::hardware_threads();
  EXPECT_EQ(threads_from_environment("99999999999999999999"), most);  // capped, no overflow
  EXPECT_EQ(threads_from_environment(std::to_string(most).c_str()), most);
}
