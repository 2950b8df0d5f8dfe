#include "expr/jit/executable_memory.hpp"

#include <cstring>

#if defined(__unix__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace soma::expr::jit {

#if defined(__unix__)

std::unique_ptr<ExecutableMemory> ExecutableMemory::create(const std::vector<uint8_t>& code) {
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t mapped = (code.size() + page - 1) / page * page;
  if (mapped == 0) return nullptr;
  void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  std::memcpy(p, code.data(), code.size());
  if (mprotect(p, mapped, PROT_READ | PROT_EXEC) != 0) {
    munmap(p, mapped);
    return nullptr;
  }
  // x86 keeps instruction fetch coherent with stores, so no cache flush is needed.
  return std::unique_ptr<ExecutableMemory>(new ExecutableMemory(p, mapped, code.size()));
}

ExecutableMemory::~ExecutableMemory() { munmap(base_, mapped_); }

#else

std::unique_ptr<ExecutableMemory> ExecutableMemory::create(const std::vector<uint8_t>&) {
  return nullptr;
}
ExecutableMemory::~ExecutableMemory() = default;

#endif

}  // namespace soma::expr::jit
