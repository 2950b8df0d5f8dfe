// libFuzzer target for the files `soma dashboard` shows: the bytes are written to a CSV
// and read as the dataset (the explorer), as a spike monitor's i,t and as an embedding's
// x,y[,label]. Each must give its JSON or throw soma::Error, never crash or let another
// exception out (the JSON is sent to the page, so text that is not UTF-8 must be handled).
//
// tests/serve/dashboard_files_fuzz_test.cpp includes this file with SOMA_FUZZ_NO_MAIN
// defined and replays fuzz/corpus/dashboard_files_fuzz and its regressions plus mutations.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "serve/views.hpp"
#include "soma/core/error.hpp"
#include "soma/serve/dashboard.hpp"

namespace soma_dashboard_files_fuzz {

// One file per process, rewritten for each input (the readers take a path).
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path p =
      std::filesystem::temp_directory_path() /
      ("soma-dashboard-fuzz-" + std::to_string(getpid()) + ".csv");
  return p;
}

inline int one(const uint8_t* data, size_t size) {
  const auto& csv = scratch();
  // A plain write: write_file_atomic's fsync would cost more than the parsing.
  std::ofstream(csv, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    soma::serve::Dashboard board({.dataset = csv});
    (void)board.dataset_json();
  } catch (const soma::Error&) {
  }
  try {
    (void)soma::serve::detail::spikes_json(csv);
  } catch (const soma::Error&) {
  }
  try {
    (void)soma::serve::detail::embedding_json(csv);
  } catch (const soma::Error&) {
  }
  return 0;
}

}  // namespace soma_dashboard_files_fuzz

inline int soma_dashboard_files_fuzz_one(const uint8_t* data, size_t size) {
  return soma_dashboard_files_fuzz::one(data, size);
}

#ifndef SOMA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return soma_dashboard_files_fuzz_one(data, size);
}
#endif
