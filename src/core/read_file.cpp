#include "soma/core/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "soma/core/error.hpp"
#include "soma/core/system.hpp"

namespace soma {
namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a pipe (FIFO)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Closes the descriptor on every path out, exceptions included.
class Fd {
 public:
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer before fstat could
  // refuse it; reads from regular files ignore the flag.
  explicit Fd(const std::string& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)) {
    if (fd_ < 0) throw Error(path + ": cannot open for reading: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      const int e = errno;
      ::close(fd_);
      throw Error(path + ": cannot stat: " + std::strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw Error(path + ": is " + kind_of(st.st_mode) + ", expected a file");
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
  ~Fd() { ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  std::uint64_t size() const { return size_; }

 private:
  int fd_;
  std::uint64_t size_ = 0;
};

[[noreturn]] void too_large(const std::string& path, const std::string& size, std::uint64_t cap) {
  throw Error(path + ": file is " + size + ", more than the " + std::to_string(cap) +
              " bytes allowed for this input");
}

// Reads until end of file or `limit` bytes; returns false when bytes remained.
bool read_up_to(int fd, const std::string& path, std::string& out, std::uint64_t limit) {
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(path + ": cannot read: " + std::strerror(errno));
    }
    if (n == 0) return true;
    if (out.size() + static_cast<std::uint64_t>(n) > limit) {
      out.append(buf, static_cast<std::size_t>(limit - out.size()));
      return false;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

void check_regular_file(const std::string& path) { Fd file(path); }

std::string read_file(const std::string& path, std::uint64_t max_bytes) {
  Fd file(path);
  if (max_bytes == 0) {
    check_fits_in_memory(static_cast<long double>(file.size()), path);
    max_bytes = physical_memory_bytes();
  }
  if (file.size() > max_bytes) too_large(path, std::to_string(file.size()) + " bytes", max_bytes);
  std::string out;
  // st_size is a hint only: files under /proc report 0, and a file may grow while read.
  out.reserve(static_cast<std::size_t>(file.size()));
  if (!read_up_to(file.get(), path, out, max_bytes)) too_large(path, "still growing", max_bytes);
  return out;
}

std::string read_file_head(const std::string& path, std::size_t bytes) {
  Fd file(path);
  std::string out;
  read_up_to(file.get(), path, out, bytes);
  return out;
}

}  // namespace soma
