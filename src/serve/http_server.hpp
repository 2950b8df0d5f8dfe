#pragma once
// The dashboard's HTTP/1.1 server: Boost.Asio, event-driven, so an open event stream
// costs a socket and a few hundred bytes instead of a thread (cpp-httplib's fixed pool of
// 8 threads was held by 8 open /api/events pages and the 9th request waited forever).
//
//   * N I/O threads run every connection; replies are built (routes, compression) on
//     a separate pool of workers, so a large dataset's JSON never stalls the streams.
//   * Slow clients are timed out: a whole request (headers and body) must arrive within
//     `request_timeout` of the connection opening or of the previous reply (this is the
//     header read timeout and the keep-alive idle timeout); any write that makes no
//     progress for `write_timeout` (a page that stopped reading its stream) closes it.
//   * At most `max_connections` are open; the next ones get 503 and are closed.
//   * Requests whose Host is not one of the dashboard's names get 403 (host_check.hpp).
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "serve/event_log.hpp"
#include "serve/routes.hpp"

namespace soma::serve::detail {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 0;  // 0: any free port
  size_t max_body_bytes = 64 * 1024;
  size_t max_connections = 4096;
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds write_timeout{30000};
  std::chrono::milliseconds ping_interval{1000};  // a comment line on idle event streams
  std::chrono::milliseconds stream_interval{50};  // events gathered per stream write
  int io_threads = 2;
  int worker_threads = 2;
};

// The reply to a request; called on a worker thread, possibly on several at once.
using Responder = std::function<Reply(const Request&)>;

class HttpServer {
 public:
  // `log` feeds /api/events replies and must outlive the server.
  HttpServer(ServerOptions options, Responder responder, EventLog& log);
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the threads; soma::Error when the address cannot be bound.
  void start();
  // Closes every connection and the listening socket and joins the threads; idempotent.
  void stop();
  int port() const;
  // The connection limit in force: max_connections, or less where the process may
  // not open that many files (see start()).
  size_t connection_limit() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace soma::serve::detail
