// serve/event_log.hpp: the published frames and the streams waiting for the next one.
#include "serve/event_log.hpp"

#include <algorithm>

namespace soma::serve::detail {

void EventLog::publish(const std::string& topic, const std::string& json) {
  std::lock_guard lock(mutex_);
  const int64_t id = first_id_ + static_cast<int64_t>(events_.size());
  events_.push_back("id: " + std::to_string(id) + "\nevent: " + topic + "\ndata: " + json + "\n\n");
  while (events_.size() > max_events_) {
    events_.pop_front();
    ++first_id_;
  }
  // Woken under the lock so that drop_waiters() returning means no wake is under way
  // (the server tears its executors down after it); wake() only posts.
  for (const auto& w : waiters_)
    if (auto waiter = w.lock()) {
      waiter->registered_ = false;
      waiter->wake();
    }
  waiters_.clear();
}

bool EventLog::read(int64_t& cursor, std::string& out, size_t max_bytes,
                    const std::shared_ptr<Waiter>& waiter) {
  std::lock_guard lock(mutex_);
  if (cursor < first_id_) cursor = first_id_;  // older events were dropped
  const int64_t next = first_id_ + static_cast<int64_t>(events_.size());
  if (cursor >= next) {
    if (!waiter->registered_) {
      waiter->registered_ = true;
      waiters_.push_back(waiter);
      // Without publishes, pages that came and went would pile up here (and keep their
      // streams' memory through the weak pointers): sweep them out, amortised O(1).
      if (waiters_.size() >= sweep_at_) {
        std::erase_if(waiters_, [](const auto& w) { return w.expired(); });
        sweep_at_ = std::max<size_t>(64, 2 * waiters_.size());
      }
    }
    return false;
  }
  const size_t start = out.size();
  for (; cursor < next && (out.size() == start || out.size() - start < max_bytes); ++cursor)
    out += events_[static_cast<size_t>(cursor - first_id_)];
  return true;
}

void EventLog::drop_waiters() {
  std::lock_guard lock(mutex_);
  waiters_.clear();
}

int64_t EventLog::next_id() const {
  std::lock_guard lock(mutex_);
  return first_id_ + static_cast<int64_t>(events_.size());
}

}  // namespace soma::serve::detail
