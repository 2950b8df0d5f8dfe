#pragma once
// dist::Context: the MPI job this process belongs to, or a job of one rank.
//
//   dist::Context ctx;                 // MPI_Init under mpirun, nothing otherwise
//   if (ctx.rank() == 0) save(...);    // one rank writes
//
// A process that was not launched by mpirun (no OMPI_COMM_WORLD_SIZE, PMI_SIZE or
// PMIX_RANK in its environment), or a soma built without MPI, is rank 0 of 1 and never
// touches MPI, so everything works as without it. At most one Context exists at a time;
// its destructor finalises MPI.
//
// Every collective here waits at most timeout_seconds: a rank that died or hangs ends
// the whole job (MPI_Abort) with a message naming the collective, never a silent hang.
// MPI errors are returned (MPI_ERRORS_RETURN) and end the job the same way.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "soma/core/std_memory.hpp"

namespace soma::dist {

// Whether this soma was built with MPI (CMake found OpenMPI; SOMA_MPI ON).
bool built_with_mpi();
// The MPI library's own name for itself ("Open MPI v4.1.4, ..."'s first line), or "".
std::string mpi_library();
// Whether the environment says mpirun (or another MPI launcher) started this process.
bool launched_by_mpi();

struct ContextOptions {
  double timeout_seconds = 300;  // the longest a collective waits for the other ranks
};

// The slot of allgather_slots after a call whose longest message had `longest` values:
// room for twice that (a power of two, at least kMinSlot values, the length included),
// grown where it did not fit and shrunk where it is over 8 times what was needed, so that
// a message that grows slowly fits again for a while and a burst does not keep the slots
// large for the rest of a run.
constexpr int kMinSlot = 16;
int next_slot(int slot, int64_t longest);

class Context {
 public:
  explicit Context(ContextOptions options = {});
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool distributed() const { return size_ > 1; }
  // Ranks on this machine (OMPI_COMM_WORLD_LOCAL_SIZE), to share its cores among them.
  int local_size() const { return local_size_; }
  double timeout_seconds() const { return options_.timeout_seconds; }

  // Ends every rank of the job, printing "soma: error: rank R of N: MESSAGE" on stderr.
  // With one rank it prints the same and exits with status 1.
  [[noreturn]] void abort(const std::string& message) const;

  // Each rank gives `send` (the same count everywhere); every rank gets all of them in
  // rank order: recv[r * send.size() + i] = rank r's send[i].
  void allgather(const std::vector<double>& send, std::vector<double>& recv,
                 const char* what) const;

  // Each rank gives `send` (any count); every rank gets all of them one after another in
  // rank order, and counts[r], how many came from rank r (the spike exchange of a
  // network split between ranks: soma/snn/ranks.hpp). Two collectives: the counts, then
  // the values.
  void allgatherv(const std::vector<int32_t>& send, std::vector<int32_t>& recv,
                  std::vector<int>& counts, const char* what) const;
  void allgatherv(const std::vector<double>& send, std::vector<double>& recv,
                  std::vector<int>& counts, const char* what) const;

  // The same as allgatherv(send, ...) in one collective where it can: every rank sends a
  // slot of `slot` values (the same number on every rank), its message's length first,
  // then as much of the message as fits, with one MPI_Allgather. Only where a message
  // outgrew its slot does a second collective (MPI_Allgatherv of the rest, whose counts
  // the first one brought) follow. Then every rank sets `slot` to next_slot(slot, the
  // longest message), the same on every rank since each saw every length. Returns the
  // collectives it took: 1, 2 where a message did not fit, 0 on one rank. (The spike
  // exchange of a network split between ranks: its messages vary from call to call, and
  // an allgatherv would need the counts first, a collective of its own each time.)
  int allgather_slots(const std::vector<int32_t>& send, std::vector<int32_t>& recv,
                      std::vector<int>& counts, int& slot, const char* what) const;

  // Non-blocking float collectives for the gradient exchange: start_* posts one, wait()
  // completes it within the timeout. Counts and displacements are in floats. Requests
  // are indices into this context's table; wait() frees them.
  int start_alltoallv(const float* send, const std::vector<int>& send_counts,
                      const std::vector<int>& send_displs, float* recv,
                      const std::vector<int>& recv_counts,
                      const std::vector<int>& recv_displs) const;
  // In place: this rank's part is already at recv + recv_displs[rank].
  int start_allgatherv(float* recv, const std::vector<int>& recv_counts,
                       const std::vector<int>& recv_displs) const;
  void wait(int request, const char* what) const;

 private:
  ContextOptions options_;
  int rank_ = 0, size_ = 1, local_size_ = 1;
  bool initialised_ = false;  // MPI_Init was called by this context
  template <class T>
  void allgatherv_of(const std::vector<T>& send, std::vector<T>& recv, std::vector<int>& counts,
                     const char* what) const;
  struct Requests;  // the MPI requests in flight (none without MPI)
  std::unique_ptr<Requests> requests_;
};

// Runs fn(ctx) in this process's job: under mpirun an error on any rank ends the whole
// job with its message (the other ranks would otherwise wait for it until the timeout);
// with one rank the error is rethrown as it is. What every MPI-aware example's run() does.
template <class F>
void run_on_ranks(F&& fn) {
  const Context ctx;
  try {
    fn(ctx);
  } catch (const std::exception& e) {
    if (ctx.distributed()) ctx.abort(e.what());
    throw;
  }
}

}  // namespace soma::dist
