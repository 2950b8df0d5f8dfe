#pragma once
// The published events as server-sent-event frames, shared by every open stream.
//
// Streams do not get a queue each: a stream keeps a cursor (the number of the next
// event it has to send) and copies frames from here when its socket can take them, so a
// thousand viewers cost one copy of the events plus a cursor each, and a slow viewer
// never makes the server hold more. A stream with nothing to send registers itself as a
// waiter and is woken once by the next publish().
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace soma::serve::detail {

class EventLog {
 public:
  // Told once, from the publishing thread with the log's lock held, that events arrived:
  // it must only schedule work (post to its executor), never call back into the log.
  class Waiter {
   public:
    virtual ~Waiter() = default;
    virtual void wake() = 0;

   private:
    friend class EventLog;
    bool registered_ = false;  // guarded by the log's mutex
  };

  explicit EventLog(size_t max_events) : max_events_(max_events) {}

  // Appends one frame "id: N\nevent: topic\ndata: json\n\n" and wakes the waiters.
  void publish(const std::string& topic, const std::string& json);
  // Copies the frames from `cursor` on (at least one, then whole frames up to about
  // `max_bytes`) to `out` and advances the cursor past them; a cursor before the oldest
  // kept event moves to it. With nothing to copy, registers `waiter` (once) and returns
  // false.
  bool read(int64_t& cursor, std::string& out, size_t max_bytes,
            const std::shared_ptr<Waiter>& waiter);
  // Forgets every registered waiter (the server that owns them is going away).
  void drop_waiters();
  int64_t next_id() const;

 private:
  mutable std::mutex mutex_;
  size_t max_events_;
  std::deque<std::string> events_;
  int64_t first_id_ = 0;  // the number of events_.front()
  std::vector<std::weak_ptr<Waiter>> waiters_;
  size_t sweep_at_ = 64;  // waiters_ is cleared of closed streams when it reaches this
};

}  // namespace soma::serve::detail
