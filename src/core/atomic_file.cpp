#include "soma/core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "soma/core/error.hpp"

namespace soma {
namespace fs = std::filesystem;

namespace {
Error io_error(const fs::path& path, const std::string& what) {
  return Error(path.string() + ": " + what + ": " + std::strerror(errno));
}
}  // namespace

void write_file_atomic(const fs::path& path, std::string_view content) {
  fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmpXXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw io_error(path, "cannot create a temporary file");
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(tmpl.c_str());
      throw io_error(path, "cannot write");
    }
    written += static_cast<size_t>(n);
  }
  // The data must be on disk before the rename makes it visible under the real name.
  if (::fsync(fd) != 0 || ::fchmod(fd, 0644) != 0) {
    ::close(fd);
    ::unlink(tmpl.c_str());
    throw io_error(path, "cannot flush");
  }
  ::close(fd);
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    ::unlink(tmpl.c_str());
    throw io_error(path, "cannot rename into place");
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open for reading: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path create_unique_directory(const fs::path& parent, const std::string& stem) {
  fs::create_directories(parent);
  for (int n = 1; n < 1000000; ++n) {
    fs::path candidate = parent / (stem + "-" + std::to_string(n));
    // mkdir is atomic: two runs started together never get the same directory.
    if (::mkdir(candidate.c_str(), 0755) == 0) return candidate;
    if (errno != EEXIST) throw io_error(candidate, "cannot create directory");
  }
  throw Error(parent.string() + ": no free run directory name for " + stem);
}

}  // namespace soma
