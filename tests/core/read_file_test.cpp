// read_file: regular files only (a directory, a device, a FIFO are named as such), and
// never more than its cap.
#include "soma/core/read_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "soma/core/error.hpp"

namespace {

namespace fs = std::filesystem;

std::string error_of(const fs::path& path, std::uint64_t cap = 0) {
  try {
    soma::read_file(path, cap);
  } catch (const soma::Error& e) {
    return e.what();
  }
  return "";
}

TEST(ReadFile, RefusesWhatIsNotARegularFile) {
  const fs::path dir = fs::temp_directory_path() / ("soma_read_file_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  EXPECT_EQ(error_of(dir), dir.string() + ": is a directory, expected a file");
  EXPECT_EQ(error_of("/dev/zero"), "/dev/zero: is a character device, expected a file");
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  EXPECT_EQ(error_of(dir / "fifo"),
            (dir / "fifo").string() + ": is a pipe (FIFO), expected a file");
  EXPECT_NE(error_of(dir / "absent").find("cannot open for reading"), std::string::npos);
  std::ofstream(dir / "ten") << "0123456789";
  EXPECT_EQ(soma::read_file(dir / "ten"), "0123456789");
  EXPECT_EQ(soma::read_file(dir / "ten", 10), "0123456789");
  EXPECT_EQ(
      error_of(dir / "ten", 9),
      (dir / "ten").string() + ": file is 10 bytes, more than the 9 bytes allowed for this input");
  EXPECT_EQ(soma::read_file_head(dir / "ten", 2), "01");
  EXPECT_THROW(soma::check_regular_file(dir), soma::Error);
  // Files under /proc report a size of 0 and are read to their end all the same.
  EXPECT_NE(soma::read_file("/proc/self/status").find("VmHWM"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
