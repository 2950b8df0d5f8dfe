// serve/connection.hpp: a connection's requests, replies and event stream.
#include "serve/connection.hpp"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdio>
#include <exception>
#include <functional>
#include <optional>
#include <vector>

namespace soma::serve::detail {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

constexpr size_t kHeaderLimit = 16 * 1024;
// A reply goes out in slices, each under its own write deadline, so a large body to a
// slow but live reader is not cut off while one that stopped reading is.
constexpr size_t kSlice = 256 * 1024;
constexpr size_t kStreamChunk = 64 * 1024;  // event frames copied per write at most
constexpr int kMaxRequests = 100;           // per connection (the Keep-Alive max)

std::string status_line(int status) {
  return "HTTP/1.1 " + std::to_string(status) + " " +
         std::string(http::obsolete_reason(static_cast<http::status>(status))) + "\r\n";
}

// A reply ready for the wire: the head, and the body unless it is an event stream.
struct Outgoing {
  std::string head{};
  std::shared_ptr<const std::string> body = std::make_shared<const std::string>();
  std::optional<int64_t> events_from{};  // then the event stream follows the head
  bool close = false;                    // the head has no length: only closing ends it
};

// Header names in cpp-httplib's (sorted) order, as the dashboard has always sent them.
Outgoing plain(int status, const std::string& type, std::shared_ptr<const std::string> body,
               Encoding encoding, bool head, std::optional<int> keep_alive_left, int timeout_s) {
  std::string h = status_line(status);
  if (!keep_alive_left) h += "Connection: close\r\n";
  if (encoding != Encoding::identity)
    h += std::string("Content-Encoding: ") + encoding_name(encoding) + "\r\n";
  h += "Content-Length: " + std::to_string(body->size()) + "\r\n";
  h += "Content-Type: " + type + "\r\n";
  if (keep_alive_left)
    h += "Keep-Alive: timeout=" + std::to_string(timeout_s) +
         ", max=" + std::to_string(*keep_alive_left) + "\r\n";
  h += "\r\n";
  return {.head = std::move(h), .body = head ? std::make_shared<const std::string>() : body};
}

Outgoing error_reply(int status, std::string text) {
  return plain(status, "text/plain", std::make_shared<const std::string>(std::move(text)),
               Encoding::identity, false, std::nullopt, 0);
}

class Connection final : public std::enable_shared_from_this<Connection>, public EventLog::Waiter {
 public:
  Connection(std::shared_ptr<ServerShared> shared, tcp::socket socket)
      : shared_(std::move(shared)),
        socket_(std::move(socket)),
        executor_(socket_.get_executor()),
        deadline_(executor_),
        ping_(executor_) {}
  ~Connection() { --shared_->open; }

  void start() {
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);  // event frames are small writes
    read_request();
  }

  // From the publishing thread: only schedules, on this connection's strand.
  void wake() override {
    asio::post(executor_, [self = shared_from_this()] {
      if (self->waiting_) self->ping_.cancel();
    });
  }

 private:
  std::shared_ptr<ServerShared> shared_;
  tcp::socket socket_;
  const tcp::socket::executor_type executor_;  // a strand: one handler at a time
  asio::steady_timer deadline_;                // closes the socket when it expires
  asio::steady_timer ping_;                    // an idle event stream's next ping
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  int requests_ = 0;
  bool keep_alive_ = false;
  Outgoing out_;
  size_t sent_ = 0;
  int64_t cursor_ = 0;  // the next event this stream sends
  bool waiting_ = false;
  std::string frame_;
  char scratch_[512];

  // The socket is closed when `d` passes before disarm(): a pending read or write then
  // ends with an error and the connection goes away. A wait that expired just as its
  // operation completed may still run after the next arm(); it finds the new expiry
  // in the future (or none) and leaves the socket alone.
  void arm(std::chrono::milliseconds d) {
    deadline_.expires_after(d);
    deadline_.async_wait([weak = weak_from_this()](error_code ec) {
      const auto self = weak.lock();
      if (ec || !self || self->deadline_.expiry() > asio::steady_timer::clock_type::now()) return;
      error_code ignored;
      self->socket_.close(ignored);
    });
  }
  void disarm() { deadline_.expires_at(asio::steady_timer::time_point::max()); }

  void read_request() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(shared_->options.max_body_bytes);
    arm(shared_->options.request_timeout);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, size_t) { self->on_request(ec); });
  }

  void on_request(error_code ec) {
    disarm();
    if (ec) {
      if (ec == http::error::body_limit) return finish(error_reply(413, "413\n"));
      if (ec == http::error::header_limit) return finish(error_reply(431, "431\n"));
      // A malformed request gets 400; a closed, reset or timed-out connection nothing.
      if (ec.category() == make_error_code(http::error::bad_target).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message)
        return finish(error_reply(400, "400\n"));
      return;
    }
    auto& req = parser_->get();
    ++requests_;
    keep_alive_ = req.keep_alive() && requests_ < kMaxRequests;
    const auto hosts = req.equal_range(http::field::host);
    if (std::distance(hosts.first, hosts.second) != 1 ||
        !shared_->hosts.allows({hosts.first->value().data(), hosts.first->value().size()})) {
      keep_alive_ = false;
      return finish(
          error_reply(403, "forbidden: the Host header is not this dashboard's address\n"));
    }
    Request r{.method = std::string(req.method_string()),
              .path = decode_path({req.target().data(), req.target().size()})};
    if (const auto id = req.find("Last-Event-ID"); id != req.end())
      r.last_event_id = std::string(id->value());
    std::string accept(req[http::field::accept_encoding]);
    parser_.reset();
    const std::optional<int> left =
        keep_alive_ ? std::optional<int>(kMaxRequests - requests_) : std::nullopt;
    asio::post(shared_->workers, [self = shared_from_this(), r = std::move(r),
                                  accept = std::move(accept), left]() mutable {
      Outgoing out = self->build(r, accept, left);
      asio::post(self->executor_,
                 [self, out = std::move(out)]() mutable { self->send(std::move(out)); });
    });
  }

  // On a worker: the routes' reply, compressed as the client accepts.
  Outgoing build(const Request& r, const std::string& accept, std::optional<int> left) const {
    Reply reply;
    try {
      reply = shared_->responder(r);
    } catch (const std::exception&) {
      reply = {.status = 500, .body = "internal error\n"};
    }
    const bool head = r.method == "HEAD";
    if (reply.events_from) {
      std::string h = status_line(200);
      h += "Cache-Control: no-cache\r\nContent-Type: text/event-stream\r\n";
      h +=
          "Keep-Alive: timeout=" + std::to_string(shared_->options.request_timeout.count() / 1000) +
          ", max=" + std::to_string(left.value_or(0)) + "\r\nTransfer-Encoding: chunked\r\n\r\n";
      if (head) return {.head = std::move(h), .close = true};
      return {.head = std::move(h), .events_from = *reply.events_from};
    }
    // A HEAD reply describes the uncompressed body, as cpp-httplib's did.
    Encoding e = head ? Encoding::identity : choose_encoding(accept, reply.content_type);
    auto body = std::make_shared<const std::string>(std::move(reply.body));
    if (e != Encoding::identity) {
      try {
        body = reply.status == 200 ? shared_->compressed(r.path, e, *body)
                                   : std::make_shared<const std::string>(compress(e, *body));
      } catch (const std::exception&) {
        e = Encoding::identity;  // sent as it is
      }
    }
    return plain(reply.status, reply.content_type, std::move(body), e, head, left,
                 static_cast<int>(shared_->options.request_timeout.count() / 1000));
  }

  void send(Outgoing out) {
    out_ = std::move(out);
    sent_ = 0;
    if (out_.events_from) {
      cursor_ = *out_.events_from;
      // A stream lives long: give back what reading the request took.
      buffer_ = boost::beast::flat_buffer();
      watch_close();
    }
    write_slice();
  }

  // The head with the body's first slice, then the rest slice by slice.
  void write_slice() {
    const std::string& head = out_.head;
    const std::string& body = *out_.body;
    if (sent_ == head.size() + body.size()) return after_reply();
    std::vector<asio::const_buffer> parts;
    if (sent_ < head.size())
      parts.push_back(asio::buffer(head.data() + sent_, head.size() - sent_));
    const size_t from = sent_ > head.size() ? sent_ - head.size() : 0;
    if (from < body.size())
      parts.push_back(asio::buffer(body.data() + from, std::min(kSlice, body.size() - from)));
    arm(shared_->options.write_timeout);
    asio::async_write(socket_, parts, [self = shared_from_this()](error_code ec, size_t written) {
      self->disarm();
      if (ec) return;
      self->sent_ += written;
      self->write_slice();
    });
  }

  void after_reply() {
    if (out_.events_from) return pump();
    if (keep_alive_ && !out_.close) return read_request();
    linger_close();
  }

  void finish(Outgoing out) {
    keep_alive_ = false;
    send(std::move(out));
  }

  // Closing with the client's bytes unread would reset the connection, and the reset
  // can destroy the reply before the client reads it: stop sending, read until the
  // client closes (or a short deadline), then close.
  void linger_close() {
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    arm(std::min(shared_->options.request_timeout, std::chrono::milliseconds(2000)));
    drain();
  }
  void drain() {
    socket_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](error_code ec, size_t) {
                              if (!ec) self->drain();
                            });
  }

  // A page that closes its stream frees its place now, not at the next failed write.
  // Whatever else a client sends on a stream is read and dropped.
  void watch_close() {
    socket_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](error_code ec, size_t) {
                              if (!ec) return self->watch_close();
                              error_code ignored;
                              self->socket_.close(ignored);
                              self->ping_.cancel();
                            });
  }

  // The event stream: frames from the cursor on, or a ping after a quiet interval.
  void pump() {
    std::string payload;
    if (!shared_->log.read(cursor_, payload, kStreamChunk, shared_from_this())) {
      waiting_ = true;
      ping_.expires_after(shared_->options.ping_interval);
      ping_.async_wait([self = shared_from_this()](error_code ec) { self->on_ping(ec); });
      return;
    }
    write_chunk(payload, true);
  }

  void on_ping(error_code ec) {
    waiting_ = false;
    if (!socket_.is_open()) return;
    if (ec) return pump();  // woken: events arrived
    write_chunk(": ping\n\n", false);
  }

  // After events, the stream rests for `stream_interval` before it looks again: what
  // was published meanwhile goes out in one write. A run publishing every few
  // milliseconds then costs each viewer a write per interval, not one per event, and a
  // thousand viewers stay a few thousand writes a second.
  void write_chunk(const std::string& payload, bool events) {
    char size[32];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", payload.size());
    frame_.assign(size, static_cast<size_t>(n));
    frame_ += payload;
    frame_ += "\r\n";
    arm(shared_->options.write_timeout);
    asio::async_write(socket_, asio::buffer(frame_),
                      [self = shared_from_this(), events](error_code ec, size_t) {
                        self->disarm();
                        if (ec) return;
                        if (!events) return self->pump();
                        self->ping_.expires_after(self->shared_->options.stream_interval);
                        self->ping_.async_wait([self](error_code e) {
                          if (!e) self->pump();
                        });
                      });
  }
};

// The 503 for a connection beyond the limit: written without reading the request, then
// closed the same careful way as a reply.
class Refusal final : public std::enable_shared_from_this<Refusal> {
 public:
  Refusal(std::shared_ptr<ServerShared> shared, tcp::socket socket)
      : shared_(std::move(shared)), socket_(std::move(socket)), deadline_(socket_.get_executor()) {}
  ~Refusal() { --shared_->refusing; }

  void start() {
    static const std::string busy = [] {
      const std::string text = "server busy: too many connections\n";
      return status_line(503) +
             "Connection: close\r\nContent-Length: " + std::to_string(text.size()) +
             "\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n\r\n" + text;
    }();
    deadline_.expires_after(std::chrono::seconds(2));
    deadline_.async_wait([weak = weak_from_this()](error_code ec) {
      if (auto self = weak.lock(); self && !ec) {
        error_code ignored;
        self->socket_.close(ignored);
      }
    });
    asio::async_write(socket_, asio::buffer(busy),
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (ec) return;
                        error_code ignored;
                        self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
                        self->drain();
                      });
  }

 private:
  std::shared_ptr<ServerShared> shared_;
  tcp::socket socket_;
  asio::steady_timer deadline_;
  char scratch_[1024];

  void drain() {
    socket_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](error_code ec, size_t) {
                              if (!ec)
                                self->drain();
                              else
                                self->deadline_.cancel();
                            });
  }
};

}  // namespace

std::shared_ptr<const std::string> ServerShared::compressed(const std::string& path, Encoding e,
                                                            const std::string& body) {
  const size_t hash = std::hash<std::string>{}(body);
  const std::string key = path + "\n" + encoding_name(e);
  {
    std::lock_guard lock(cache_mutex_);
    if (const auto it = cache_.find(key); it != cache_.end() && it->second.hash == hash)
      return it->second.body;
  }
  // Compressed outside the lock: two first requests may both compress; neither waits.
  auto out = std::make_shared<const std::string>(compress(e, body));
  std::lock_guard lock(cache_mutex_);
  cache_[key] = {hash, out};
  return out;
}

void serve_connection(std::shared_ptr<ServerShared> shared, tcp::socket socket) {
  std::make_shared<Connection>(std::move(shared), std::move(socket))->start();
}

void refuse_connection(std::shared_ptr<ServerShared> shared, tcp::socket socket) {
  std::make_shared<Refusal>(std::move(shared), std::move(socket))->start();
}

}  // namespace soma::serve::detail
