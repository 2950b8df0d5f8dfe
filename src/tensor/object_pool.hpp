#pragma once
// A per-thread free list for the small, fixed-size blocks behind every tensor handle
// (TensorImpl and the shared_ptr control block of Storage), used through
// std::allocate_shared. A training step makes and drops dozens of these; glibc's
// per-thread cache holds only seven blocks per size, so the bursts of a backward pass
// (the whole graph freed at once) fall through to its locked arena. Here a freed block
// goes onto the current thread's list and is handed out again without a lock. A block
// freed on another thread than the one that made it simply joins that thread's list.
#include <cstddef>
#include <new>
#include <vector>

namespace soma::detail {

template <size_t Size>
class BlockPool {
 public:
  static void* get() {
#if defined(__SANITIZE_ADDRESS__)
    return ::operator new(Size);  // let AddressSanitizer see every object's lifetime
#endif
    if (List* l = list(); l && !l->blocks.empty()) {
      void* p = l->blocks.back();
      l->blocks.pop_back();
      return p;
    }
    return ::operator new(Size);
  }
  static void put(void* p) {
#if defined(__SANITIZE_ADDRESS__)
    return ::operator delete(p);
#endif
    if (List* l = list()) {
      l->blocks.push_back(p);
      return;
    }
    ::operator delete(p);
  }

 private:
  struct List {
    std::vector<void*> blocks;
    ~List() {
      for (void* p : blocks) ::operator delete(p);
    }
  };
  // Null once this thread's list is gone (thread exit or static destruction): blocks
  // released after that go straight back to the system.
  static List* list() {
    thread_local bool released = false;
    if (released) return nullptr;
    thread_local struct Holder {
      List list;
      bool* flag;
      ~Holder() { *flag = true; }
    } holder{{}, &released};
    return &holder.list;
  }
};

// Minimal allocator for std::allocate_shared: single objects from BlockPool, anything
// else (never used by allocate_shared, but allowed) from operator new.
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) {}
  T* allocate(size_t n) {
    if (n == 1) return static_cast<T*>(BlockPool<sizeof(T)>::get());
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) {
    if (n == 1)
      BlockPool<sizeof(T)>::put(p);
    else
      ::operator delete(p);
  }
  template <class U>
  bool operator==(const PoolAllocator<U>&) const {
    return true;
  }
};

}  // namespace soma::detail
