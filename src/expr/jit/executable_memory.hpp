#pragma once
// Pages holding generated machine code. Written while read-write, then switched to
// read-execute before the first call: never writable and executable at once, so a
// stray write cannot become code and hardened kernels (W^X policies) accept it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace soma::expr::jit {

class ExecutableMemory {
 public:
  // nullptr where the system refuses executable pages (SELinux execmem, PaX...).
  static std::unique_ptr<ExecutableMemory> create(const std::vector<uint8_t>& code);
  ~ExecutableMemory();
  ExecutableMemory(const ExecutableMemory&) = delete;
  ExecutableMemory& operator=(const ExecutableMemory&) = delete;

  const void* entry() const { return base_; }
  size_t size() const { return size_; }

 private:
  ExecutableMemory(void* base, size_t mapped, size_t size)
      : base_(base), mapped_(mapped), size_(size) {}
  void* base_;
  size_t mapped_;  // whole pages
  size_t size_;    // code bytes
};

}  // namespace soma::expr::jit
