#pragma once
// One accepted connection of the dashboard's server (http_server.hpp): requests read
// under a deadline, replies written by slices under a deadline, and /api/events
// streamed from the EventLog by cursor. Only http_server.cpp and connection.cpp see it.
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "serve/compress.hpp"
#include "serve/event_log.hpp"
#include "serve/host_check.hpp"
#include "serve/http_server.hpp"

namespace soma::serve::detail {

// What every connection reads, owned by the server and alive until its last
// connection is gone.
struct ServerShared {
  ServerOptions options;
  Responder responder;
  EventLog& log;
  HostPolicy hosts;
  // Where replies are built. The pool belongs to the server, which joins it before any
  // connection can outlive it (a pool cannot be destroyed from one of its own threads).
  boost::asio::thread_pool::executor_type workers;
  std::atomic<size_t> open{0};      // connections counted against the limit
  std::atomic<size_t> refusing{0};  // 503s being written

  ServerShared(ServerOptions o, Responder r, EventLog& l, HostPolicy h,
               boost::asio::thread_pool::executor_type w)
      : options(std::move(o)), responder(std::move(r)), log(l), hosts(std::move(h)), workers(w) {}

  // A 200 reply's body in an encoding, compressed once: the dashboard's replies are
  // the same for every request to a path, and brotli at its best quality takes a while.
  std::shared_ptr<const std::string> compressed(const std::string& path, Encoding e,
                                                const std::string& body);

 private:
  struct Cached {
    size_t hash;  // of the body it was made from: a changed body is compressed again
    std::shared_ptr<const std::string> body;
  };
  std::mutex cache_mutex_;
  std::unordered_map<std::string, Cached> cache_;
};

// Serves the connection until it closes; it holds one of the `ServerShared::open`
// places, taken by the caller and given back when the connection is destroyed.
void serve_connection(std::shared_ptr<ServerShared> shared, boost::asio::ip::tcp::socket socket);

// Answers 503 and closes: the server is at its connection limit. Holds one of the
// `refusing` places, taken by the caller.
void refuse_connection(std::shared_ptr<ServerShared> shared, boost::asio::ip::tcp::socket socket);

}  // namespace soma::serve::detail
