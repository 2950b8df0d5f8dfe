#include "soma/core/system.hpp"

#include <unistd.h>

#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "soma/core/error.hpp"

namespace soma {

int64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      int64_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
    std::string rest;
    std::getline(status, rest);
  }
  return 0;
}

uint64_t physical_memory_bytes() {
  static const uint64_t bytes = [] {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page)
                                 : std::numeric_limits<uint64_t>::max();
  }();
  return bytes;
}

namespace {
std::string gigabytes(long double bytes) {
  std::ostringstream s;
  s.precision(3);
  s << bytes / 1e9L << " GB";
  return s.str();
}
}  // namespace

void check_fits_in_memory(long double bytes, const std::string& what) {
  const auto limit = static_cast<long double>(physical_memory_bytes());
  if (bytes > limit)
    throw Error(what + " needs " + gigabytes(bytes) + ", more than this machine's " +
                gigabytes(limit) + " of memory");
}

}  // namespace soma
