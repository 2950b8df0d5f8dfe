// Runs the fuzz target for the dashboard's CSV files (fuzz/dashboard_files_fuzz.cpp)
// without libFuzzer: the committed inputs and mutations of them. Only soma::Error may
// come out; the sanitizer build catches memory errors.
#include <gtest/gtest.h>

#include "fuzz_inputs.hpp"

#define SOMA_FUZZ_NO_MAIN
#include "../../fuzz/dashboard_files_fuzz.cpp"

namespace {

TEST(DashboardFilesFuzz, CommittedAndMutatedInputsNeverCrash) {
  soma::test::replay_fuzz_target("dashboard_files_fuzz", soma_dashboard_files_fuzz_one, 47, 1000);
  std::filesystem::remove(soma_dashboard_files_fuzz::scratch());
}

// The first failure the fuzzer found: a label that is not UTF-8 made json::dump throw.
TEST(DashboardFiles, TextThatIsNotUtf8IsShownAsReplacementCharacters) {
  const auto& csv = soma_dashboard_files_fuzz::scratch();
  soma::write_file_atomic(csv, "x,y,label\n1,2,caf\xe9\n3,4,tea\n");
  const std::string j = soma::serve::detail::embedding_json(csv);
  EXPECT_NE(j.find("caf\xef\xbf\xbd"), std::string::npos) << j;
  EXPECT_NE(j.find("\"tea\""), std::string::npos) << j;
  std::filesystem::remove(csv);
}

}  // namespace
