#pragma once
// Files are written atomically: into a temporary file beside the target, flushed
// to disk, then renamed over it. A run killed at any moment leaves either the old
// file or the new one, never a truncated one.
#include <filesystem>
#include <string>
#include <string_view>

namespace soma {

// Writes `content` to `path` atomically; throws soma::Error if it cannot.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Reads a whole file; throws soma::Error naming the path if it cannot.
std::string read_file(const std::filesystem::path& path);

// Creates a new directory `parent/stem-N` (N counting up from 1, or a timestamp
// stem) that did not exist before; never reuses an existing one.
std::filesystem::path create_unique_directory(const std::filesystem::path& parent,
                                              const std::string& stem);

}  // namespace soma
