#pragma once
// Reading a whole input file, the one way every reader does it: only regular files (a
// directory is not an empty file, and /dev/zero or a FIFO may never end), and never more
// bytes than the caller's cap or this machine's memory.
#include <cstdint>
#include <string>

namespace soma {

// Throws soma::Error "PATH: is a directory, expected a file" (or "... is a character
// device ...", or the reason it cannot be opened) unless `path` names a regular file.
void check_regular_file(const std::string& path);

// Reads a whole regular file. `max_bytes` caps its size (0: this machine's memory); a
// larger file, or one that grows past the cap while it is read, is a soma::Error naming
// the path, its size and the cap.
std::string read_file(const std::string& path, std::uint64_t max_bytes = 0);

// The first `bytes` bytes of a regular file (fewer when it is shorter): enough to sniff a
// format without reading the rest.
std::string read_file_head(const std::string& path, std::size_t bytes);

}  // namespace soma
