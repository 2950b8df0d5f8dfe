#pragma once
// Files are written atomically: into a temporary file beside the target, flushed
// to disk, then renamed over it. A run killed at any moment leaves either the old
// file or the new one, never a truncated one.
#include <string>
#include <string_view>

#include "soma/core/read_file.hpp"  // read_file, which used to live here

namespace soma {

// Writes `content` to `path` atomically; throws soma::Error if it cannot.
void write_file_atomic(const std::string& path, std::string_view content);

// The same for output produced piece by piece (a trajectory streamed as it is computed,
// so it never has to fit in memory): write() appends, commit() flushes and renames into
// place; destroyed without commit() (an error, an exception) the temporary is removed.
class AtomicWriter {
 public:
  explicit AtomicWriter(const std::string& path);
  ~AtomicWriter();
  AtomicWriter(const AtomicWriter&) = delete;
  AtomicWriter& operator=(const AtomicWriter&) = delete;

  void write(std::string_view text);
  void commit();

 private:
  void flush();
  void write_all(std::string_view text);

  std::string path_;
  std::string temporary_, buffer_;
  int fd_ = -1;
};

// Creates a new directory `parent/stem-N` (N counting up from 1, or a timestamp
// stem) that did not exist before; never reuses an existing one.
std::string create_unique_directory(const std::string& parent, const std::string& stem);

}  // namespace soma
