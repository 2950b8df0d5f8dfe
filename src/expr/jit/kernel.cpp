// jit::Kernel: compile() runs the stages declared in compile_steps.hpp; run()
// calls the generated function with the kernel's constant pool.
#include <algorithm>
#include <bit>
#include <cstdint>

#include "expr/jit/compile_steps.hpp"
#include "expr/jit/executable_memory.hpp"

namespace soma::expr::jit {

using KernelFunction = void (*)(double* const* arrays, const double* scalars, int64_t n,
                                const void* pool);

struct Kernel::Impl {
  std::unique_ptr<ExecutableMemory> code;
  KernelFunction entry = nullptr;
  // Constants, one copy per lane, 64-byte aligned so that no read splits a cache line.
  std::vector<uint64_t> pool_storage;
  const uint64_t* pool = nullptr;
};

std::unique_ptr<Kernel> Kernel::compile(const Spec& spec) {
  validate(spec);  // a malformed spec is an error on every machine
  if (!available()) return nullptr;
  const std::vector<bool> live = live_nodes(spec);
  const Target target = best_target();
  const Emitted emitted = emit(spec, live, allocate(spec, live, target.allocatable), target);
  auto impl = std::make_unique<Impl>();
  impl->code = ExecutableMemory::create(emitted.code);
  if (!impl->code) return nullptr;
  impl->entry = std::bit_cast<KernelFunction>(impl->code->entry());
  impl->pool_storage.assign(emitted.pool.size() + 8, 0);
  const auto address = reinterpret_cast<uintptr_t>(impl->pool_storage.data());
  const size_t skip = ((64 - address % 64) % 64) / sizeof(uint64_t);
  std::copy(emitted.pool.begin(), emitted.pool.end(), impl->pool_storage.begin() + skip);
  impl->pool = impl->pool_storage.data() + skip;
  return std::unique_ptr<Kernel>(new Kernel(std::move(impl)));
}

Kernel::Kernel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Kernel::~Kernel() = default;

void Kernel::run(double* const* arrays, const double* scalars, int64_t n) const {
  if (n <= 0) return;
  impl_->entry(arrays, scalars, n, impl_->pool);
}

size_t Kernel::code_bytes() const { return impl_->code->size(); }

}  // namespace soma::expr::jit
