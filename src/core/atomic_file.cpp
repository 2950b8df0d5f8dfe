#include "soma/core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "soma/core/error.hpp"

namespace soma {
namespace fs = std::filesystem;

namespace {
Error io_error(const fs::path& path, const std::string& what) {
  return Error(path.string() + ": " + what + ": " + std::strerror(errno));
}
}  // namespace

void write_file_atomic(const std::string& path, std::string_view content) {
  AtomicWriter out(path);
  out.write(content);
  out.commit();
}

AtomicWriter::AtomicWriter(const std::string& file) : path_(file) {
  const fs::path path(file);
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  temporary_ = (dir / ("." + path.filename().string() + ".tmpXXXXXX")).string();
  fd_ = ::mkstemp(temporary_.data());
  if (fd_ < 0) throw io_error(path, "cannot create a temporary file");
}

AtomicWriter::~AtomicWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temporary_.c_str());
  }
}

void AtomicWriter::write(std::string_view text) {
  // Small pieces are gathered into writes of about 1 MB; a large one (a whole file from
  // write_file_atomic) goes out directly rather than through a copy.
  if (buffer_.size() + text.size() < (1u << 20)) {
    buffer_ += text;
    return;
  }
  flush();
  write_all(text);
}

void AtomicWriter::flush() {
  write_all(buffer_);
  buffer_.clear();
}

void AtomicWriter::write_all(std::string_view text) {
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd_, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw io_error(path_, "cannot write");
    }
    written += static_cast<size_t>(n);
  }
}

void AtomicWriter::commit() {
  flush();
  // The data must be on disk before the rename makes it visible under the real name.
  if (::fsync(fd_) != 0 || ::fchmod(fd_, 0644) != 0) throw io_error(path_, "cannot flush");
  ::close(fd_);
  fd_ = -1;
  if (::rename(temporary_.c_str(), path_.c_str()) != 0) {
    ::unlink(temporary_.c_str());
    throw io_error(path_, "cannot rename into place");
  }
}

std::string create_unique_directory(const std::string& parent, const std::string& stem) {
  fs::create_directories(parent);
  for (int n = 1; n < 1000000; ++n) {
    fs::path candidate = fs::path(parent) / (stem + "-" + std::to_string(n));
    // mkdir is atomic: two runs started together never get the same directory.
    if (::mkdir(candidate.c_str(), 0755) == 0) return candidate.string();
    if (errno != EEXIST) throw io_error(candidate, "cannot create directory");
  }
  throw Error(parent + ": no free run directory name for " + stem);
}

}  // namespace soma
