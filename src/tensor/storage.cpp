// The caching allocator behind every tensor's storage.
#include <sys/mman.h>

#include <bit>
#include <cstdlib>
#include <new>
#include <vector>

#include "impl.hpp"

namespace soma {
namespace {

// Size classes: four per power of two above 64 bytes, so rounding wastes at most 25%.
constexpr int kClasses = 4 * 64;

int size_class_of(size_t bytes, size_t* rounded) {
  if (bytes <= 64) {
    *rounded = 64;
    return 0;
  }
  const int e = 63 - std::countl_zero(static_cast<uint64_t>(bytes - 1));  // 2^e < bytes <= 2^(e+1)
  const size_t step = size_t{1} << (e - 1);                               // quarter of 2^(e+1)
  const size_t quarters = (bytes - (size_t{1} << e) + step - 1) / step;   // 1..2
  // Classes within (2^e, 2^(e+1)]: 2^e + step*q for q = 1, 2 (two per power is plenty).
  *rounded = (size_t{1} << e) + step * quarters;
  return 2 * e + static_cast<int>(quarters) - 1;
}

// One cache per thread, so the hot path takes no lock: a block freed on another
// thread than the one that made it simply joins that thread's lists.
struct Cache {
  std::vector<void*> free[kClasses];
  ~Cache() {
    for (auto& list : free)
      for (void* p : list) std::free(p);
  }
};

// Set once a thread's cache is gone (thread exit, or static destruction on the main
// thread): tensors that die later go straight back to the system.
thread_local bool t_cache_released = false;

Cache* cache() {
  if (t_cache_released) return nullptr;
  thread_local struct Holder {
    Cache cache;
    ~Holder() { t_cache_released = true; }
  } holder;
  return &holder.cache;
}

// Blocks of 4 MiB and more (data sets, a batch's activations) are 2 MiB-aligned and asked
// to be backed by transparent huge pages: the first touch of each 4 KiB page costs a fault
// of about 11 µs on this kind of virtual machine, so a 188 MB data set cost half a second
// of faults; with 2 MiB pages that is 512 times fewer faults. Where the kernel does not
// offer huge pages (THP "never") madvise fails harmlessly and ordinary pages are used.
constexpr size_t kHugePage = size_t{2} << 20;

void* allocate(size_t rounded) {
  if (rounded >= 2 * kHugePage) {
    const size_t size = (rounded + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, size);
    if (p) (void)madvise(p, size, MADV_HUGEPAGE);
    return p;
  }
  return std::aligned_alloc(64, (rounded + 63) / 64 * 64);
}

}  // namespace

Storage::Storage(size_t bytes) {
  size_t rounded = 0;
  size_class = size_class_of(bytes, &rounded);
  nbytes = bytes;
  if (Cache* c = cache(); c && !c->free[size_class].empty()) {
    data = c->free[size_class].back();
    c->free[size_class].pop_back();
    return;
  }
  data = allocate(rounded);
  if (!data) throw std::bad_alloc();
}

Storage::~Storage() {
  if (Cache* c = cache()) {
    c->free[size_class].push_back(data);
  } else {
    std::free(data);
  }
}

}  // namespace soma
