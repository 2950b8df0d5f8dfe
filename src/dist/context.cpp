#include "soma/dist/context.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <thread>
#include <type_traits>

#include "soma/core/error.hpp"

#ifdef SOMA_HAVE_MPI
// The C API only: OpenMPI's deprecated C++ bindings do not compile warning-free.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace soma::dist {

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return (*end == '\0' && n > 0 && n < (1 << 24)) ? static_cast<int>(n) : fallback;
}

}  // namespace

bool built_with_mpi() {
#ifdef SOMA_HAVE_MPI
  return true;
#else
  return false;
#endif
}

std::string mpi_library() {
#ifdef SOMA_HAVE_MPI
  // One of the few MPI calls allowed before MPI_Init.
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  if (MPI_Get_library_version(text, &len) != MPI_SUCCESS) return "MPI";
  std::string s(text, static_cast<size_t>(len));
  const auto cut = s.find_first_of(",\n");
  return cut == std::string::npos ? s : s.substr(0, cut);
#else
  return "";
#endif
}

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name)) return true;
  return false;
}

#ifdef SOMA_HAVE_MPI
struct Context::Requests {
  std::vector<MPI_Request> slots;
  std::vector<int> free;
  int add(MPI_Request r) {
    if (!free.empty()) {
      const int i = free.back();
      free.pop_back();
      slots[static_cast<size_t>(i)] = r;
      return i;
    }
    slots.push_back(r);
    return static_cast<int>(slots.size()) - 1;
  }
};

namespace {
// An MPI call that failed ends the job: its error is no state the ranks can agree on.
void check(const Context& ctx, int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  ctx.abort(std::string(call) + " failed: " + std::string(text, static_cast<size_t>(len)));
}
}  // namespace
#else
struct Context::Requests {};
#endif

Context::Context(ContextOptions options)
    : options_(options), requests_(std::make_unique<Requests>()) {
  if (!(options_.timeout_seconds > 0))
    throw Error("dist: timeout_seconds must be positive, got " +
                std::to_string(options_.timeout_seconds));
#ifdef SOMA_HAVE_MPI
  if (!launched_by_mpi()) return;
  int already = 0;
  MPI_Initialized(&already);
  if (already) throw Error("dist: MPI is already initialised (one dist::Context at a time)");
  // Only the thread that made the context calls MPI; soma's worker threads never do.
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    throw Error("dist: MPI_Init_thread failed");
  initialised_ = true;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  local_size_ = env_int("OMPI_COMM_WORLD_LOCAL_SIZE", 1);
#endif
}

Context::~Context() {
#ifdef SOMA_HAVE_MPI
  if (initialised_) MPI_Finalize();
#endif
}

void Context::abort(const std::string& message) const {
  std::fprintf(stderr, "soma: error: rank %d of %d: %s\n", rank_, size_, message.c_str());
  std::fflush(stderr);
#ifdef SOMA_HAVE_MPI
  if (initialised_) MPI_Abort(MPI_COMM_WORLD, 1);
#endif
  std::exit(1);
}

void Context::allgather(const std::vector<double>& send, std::vector<double>& recv,
                        const char* what) const {
  recv.resize(send.size() * static_cast<size_t>(size_));
  if (size_ == 1) {
    recv = send;
    return;
  }
#ifdef SOMA_HAVE_MPI
  MPI_Request r;
  check(*this,
        MPI_Iallgather(send.data(), static_cast<int>(send.size()), MPI_DOUBLE, recv.data(),
                       static_cast<int>(send.size()), MPI_DOUBLE, MPI_COMM_WORLD, &r),
        "MPI_Iallgather");
  wait(requests_->add(r), what);
#else
  (void)what;
#endif
}

// allgatherv for one element type: the counts first, so that every rank can size its
// buffer, then the values; each wait is bounded by the context's timeout.
template <class T>
void Context::allgatherv_of(const std::vector<T>& send, std::vector<T>& recv,
                            std::vector<int>& counts, const char* what) const {
  counts.assign(static_cast<size_t>(size_), 0);
  if (send.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    abort(std::string(what) + ": " + std::to_string(send.size()) +
          " values are more than one MPI message holds");
  if (size_ == 1) {
    counts[0] = static_cast<int>(send.size());
    recv = send;
    return;
  }
#ifdef SOMA_HAVE_MPI
  std::vector<double> mine{static_cast<double>(send.size())}, all;
  allgather(mine, all, what);
  std::vector<int> displs(counts.size(), 0);
  int64_t total = 0;
  for (size_t r = 0; r < counts.size(); ++r) {
    counts[r] = static_cast<int>(all[r]);
    displs[r] = static_cast<int>(total);
    total += counts[r];
    if (total > std::numeric_limits<int>::max())
      abort(std::string(what) + ": more values than one MPI message holds");
  }
  recv.resize(static_cast<size_t>(total));
  const MPI_Datatype type = std::is_same_v<T, double> ? MPI_DOUBLE : MPI_INT32_T;
  MPI_Request r;
  check(*this,
        MPI_Iallgatherv(send.data(), static_cast<int>(send.size()), type, recv.data(),
                        counts.data(), displs.data(), type, MPI_COMM_WORLD, &r),
        "MPI_Iallgatherv");
  wait(requests_->add(r), what);
#endif
}

void Context::allgatherv(const std::vector<int32_t>& send, std::vector<int32_t>& recv,
                         std::vector<int>& counts, const char* what) const {
  allgatherv_of(send, recv, counts, what);
}

void Context::allgatherv(const std::vector<double>& send, std::vector<double>& recv,
                         std::vector<int>& counts, const char* what) const {
  allgatherv_of(send, recv, counts, what);
}

int next_slot(int slot, int64_t longest) {
  // 2^24 values (64 MB) per rank at most: longer messages take the second collective.
  constexpr int64_t kMaxSlot = int64_t{1} << 24;
  const int64_t need = std::max<int64_t>(longest, 0) + 1;  // the length, then the values
  int64_t room = kMinSlot;
  while (room < 2 * need && room < kMaxSlot) room *= 2;
  if (need > slot || need * 8 < slot) return static_cast<int>(room);
  return slot;
}

int Context::allgather_slots(const std::vector<int32_t>& send, std::vector<int32_t>& recv,
                             std::vector<int>& counts, int& slot, const char* what) const {
  counts.assign(static_cast<size_t>(size_), 0);
  // Lengths travel as int32, and a rank's whole message must fit one MPI count.
  if (send.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    abort(std::string(what) + ": " + std::to_string(send.size()) +
          " values are more than one MPI message holds");
  if (slot < 1 || slot > (1 << 24))
    abort(std::string(what) + ": slot of " + std::to_string(slot) + " values (expected 1 to 2^24)");
  if (size_ == 1) {
    counts[0] = static_cast<int>(send.size());
    recv = send;
    return 0;
  }
  int collectives = 0;
#ifdef SOMA_HAVE_MPI
  const auto width = static_cast<size_t>(slot);
  const size_t fits = std::min(send.size(), width - 1);
  std::vector<int32_t> mine(width, 0), slots(width * static_cast<size_t>(size_));
  mine[0] = static_cast<int32_t>(send.size());
  std::copy(send.begin(), send.begin() + static_cast<std::ptrdiff_t>(fits), mine.begin() + 1);
  MPI_Request r;
  check(*this,
        MPI_Iallgather(mine.data(), slot, MPI_INT32_T, slots.data(), slot, MPI_INT32_T,
                       MPI_COMM_WORLD, &r),
        "MPI_Iallgather");
  wait(requests_->add(r), what);
  ++collectives;
  // What did not fit each slot: counts and displacements of the second collective.
  std::vector<int> rest(counts.size(), 0), displs(counts.size(), 0);
  int64_t total = 0, rest_total = 0, longest = 0;
  for (size_t q = 0; q < counts.size(); ++q) {
    const int32_t n = slots[q * width];
    if (n < 0)
      abort(std::string(what) + ": rank " + std::to_string(q) + " sent a length of " +
            std::to_string(n));
    counts[q] = n;
    longest = std::max<int64_t>(longest, n);
    rest[q] = std::max(0, n - (slot - 1));
    displs[q] = static_cast<int>(rest_total);
    total += n;
    rest_total += rest[q];
    if (total > std::numeric_limits<int>::max())
      abort(std::string(what) + ": more values than one MPI message holds");
  }
  std::vector<int32_t> tail(static_cast<size_t>(rest_total));
  if (rest_total > 0) {
    const size_t own = static_cast<size_t>(rank_);
    check(*this,
          MPI_Iallgatherv(send.data() + fits, rest[own], MPI_INT32_T, tail.data(), rest.data(),
                          displs.data(), MPI_INT32_T, MPI_COMM_WORLD, &r),
          "MPI_Iallgatherv");
    wait(requests_->add(r), what);
    ++collectives;
  }
  // Rank after rank: the part in its slot, then the rest.
  recv.resize(static_cast<size_t>(total));
  auto at = recv.begin();
  for (size_t q = 0; q < counts.size(); ++q) {
    const auto head = static_cast<std::ptrdiff_t>(counts[q] - rest[q]);
    const auto from = slots.begin() + static_cast<std::ptrdiff_t>(q * width + 1);
    at = std::copy(from, from + head, at);
    const auto extra = tail.begin() + displs[q];
    at = std::copy(extra, extra + rest[q], at);
  }
  slot = next_slot(slot, longest);
#else
  (void)what;
#endif
  return collectives;
}

int Context::start_alltoallv(const float* send, const std::vector<int>& send_counts,
                             const std::vector<int>& send_displs, float* recv,
                             const std::vector<int>& recv_counts,
                             const std::vector<int>& recv_displs) const {
#ifdef SOMA_HAVE_MPI
  MPI_Request r;
  check(*this,
        MPI_Ialltoallv(send, send_counts.data(), send_displs.data(), MPI_FLOAT, recv,
                       recv_counts.data(), recv_displs.data(), MPI_FLOAT, MPI_COMM_WORLD, &r),
        "MPI_Ialltoallv");
  return requests_->add(r);
#else
  (void)send, (void)send_counts, (void)send_displs, (void)recv, (void)recv_counts,
      (void)recv_displs;
  throw Error("dist: collectives need a soma built with MPI");
#endif
}

int Context::start_allgatherv(float* recv, const std::vector<int>& recv_counts,
                              const std::vector<int>& recv_displs) const {
#ifdef SOMA_HAVE_MPI
  MPI_Request r;
  check(*this,
        MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, recv, recv_counts.data(),
                        recv_displs.data(), MPI_FLOAT, MPI_COMM_WORLD, &r),
        "MPI_Iallgatherv");
  return requests_->add(r);
#else
  (void)recv, (void)recv_counts, (void)recv_displs;
  throw Error("dist: collectives need a soma built with MPI");
#endif
}

// Polls the request (a non-blocking collective progresses inside MPI calls), yielding
// and then sleeping between polls once it has waited a while, so that a rank waiting
// for a slower one leaves the cores to it; past the timeout the job ends.
void Context::wait(int request, const char* what) const {
#ifdef SOMA_HAVE_MPI
  using Clock = std::chrono::steady_clock;
  MPI_Request& r = requests_->slots.at(static_cast<size_t>(request));
  const auto start = Clock::now();
  const auto limit = std::chrono::duration<double>(options_.timeout_seconds);
  for (int polls = 0;; ++polls) {
    int done = 0;
    check(*this, MPI_Test(&r, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done) break;
    const auto waited = Clock::now() - start;
    if (waited > limit) {
      char text[256];
      std::snprintf(text, sizeof text,
                    "no answer from the other ranks within %g s during %s: a rank died or "
                    "hangs; ending the job",
                    options_.timeout_seconds, what);
      abort(text);
    }
    // Busy for the first millisecond: the others are usually about to arrive, and a
    // process that sleeps waits for the scheduler to wake it after they did, which on a
    // busy machine took milliseconds per collective (the spike exchange of COBA-40k on
    // 2 ranks, once per 15 steps, spent 30-40 % of the run so; 10-25 % polling). Then
    // yielding the core while staying runnable, so that a rank sharing it can catch up;
    // past 5 ms sleeping: a rank that far behind is descheduled or working.
    using std::chrono::microseconds, std::chrono::milliseconds;
    if (waited < milliseconds(1) || polls < 200) continue;
    if (waited < milliseconds(5))
      std::this_thread::yield();
    else
      std::this_thread::sleep_for(microseconds(waited < milliseconds(100) ? 20 : 500));
  }
  requests_->free.push_back(request);
#else
  (void)request, (void)what;
#endif
}

}  // namespace soma::dist
