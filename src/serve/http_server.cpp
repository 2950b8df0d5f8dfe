// serve/http_server.hpp: the listening socket, the connection limit and the threads.
#include "serve/http_server.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "serve/connection.hpp"
#include "soma/core/error.hpp"

namespace soma::serve::detail {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// File descriptors kept free for everything else the process opens (its data files,
// the power monitor's sensors) while the server is at its limit.
constexpr size_t kSpareFiles = 128;
// 503s written at once; beyond them a connection is closed without one.
constexpr size_t kMaxRefusing = 64;

// Each connection is a file descriptor. Many systems start processes with a soft limit
// of 1024, far below the hard one: raise it as far as the connection limit needs (Go's
// runtime does the same for every program), and keep the limit below what is left.
size_t connection_limit_for(size_t wanted) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return wanted;
  const rlim_t need = static_cast<rlim_t>(wanted + kSpareFiles);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ? need : std::min(need, rl.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  if (rl.rlim_cur == RLIM_INFINITY) return wanted;
  const size_t files = static_cast<size_t>(rl.rlim_cur);
  return std::min(wanted, files > 2 * kSpareFiles ? files - kSpareFiles : files / 2);
}

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  Responder responder;
  EventLog& log;
  int port = 0;
  size_t limit = 0;
  bool running = false;

  // Made by start(), destroyed by stop() in the order that stop() explains.
  std::unique_ptr<asio::io_context> io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<asio::thread_pool> workers;
  std::shared_ptr<ServerShared> shared;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::steady_timer> retry;
  std::vector<std::thread> threads;

  Impl(ServerOptions o, Responder r, EventLog& l)
      : options(std::move(o)), responder(std::move(r)), log(l) {}

  void accept();
};

void HttpServer::Impl::accept() {
  // Each connection gets its own strand: its handlers never run at once, while the
  // I/O threads serve different connections in parallel.
  acceptor->async_accept(asio::make_strand(*io), [this](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of file descriptors (or another transient error): the client waits in the
      // backlog; spinning on accept would take a whole core.
      retry->expires_after(std::chrono::milliseconds(50));
      retry->async_wait([this](error_code e) {
        if (!e) accept();
      });
      return;
    }
    if (shared->open.load() < limit) {
      ++shared->open;
      serve_connection(shared, std::move(socket));
    } else if (shared->refusing.load() < kMaxRefusing) {
      ++shared->refusing;
      refuse_connection(shared, std::move(socket));
    }  // else the socket closes here
    accept();
  });
}

HttpServer::HttpServer(ServerOptions options, Responder responder, EventLog& log)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(responder), log)) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  auto& m = *impl_;
  if (m.running) return;
  const auto& o = m.options;
  m.io = std::make_unique<asio::io_context>(o.io_threads);
  m.acceptor = std::make_unique<tcp::acceptor>(*m.io);
  m.retry = std::make_unique<asio::steady_timer>(*m.io);
  const std::string where = o.bind + ":" + std::to_string(o.port);
  error_code ec;
  // A name such as "localhost" is resolved, as cpp-httplib did; the first address wins.
  tcp::resolver resolver(*m.io);
  const auto found = resolver.resolve(o.bind, std::to_string(o.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || found.empty()) {
    m.acceptor.reset();
    m.retry.reset();
    m.io.reset();
    throw Error("dashboard: cannot listen on " + where + ": " + (ec ? ec.message() : "no address"));
  }
  const tcp::endpoint endpoint = found.begin()->endpoint();
  // SO_REUSEADDR only (no SO_REUSEPORT): a restarted dashboard can take its port back
  // from connections in TIME_WAIT, but a second one on a busy port is an error.
  m.acceptor->open(endpoint.protocol(), ec);
  if (!ec) m.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) m.acceptor->bind(endpoint, ec);
  if (!ec) m.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    m.acceptor.reset();
    m.retry.reset();
    m.io.reset();
    throw Error("dashboard: cannot listen on " + where + ": " + ec.message());
  }
  m.port = m.acceptor->local_endpoint().port();
  m.limit = connection_limit_for(o.max_connections);
  m.workers = std::make_unique<asio::thread_pool>(static_cast<size_t>(o.worker_threads));
  m.shared = std::make_shared<ServerShared>(o, m.responder, m.log, HostPolicy(o.bind, m.port),
                                            m.workers->get_executor());
  m.work.emplace(m.io->get_executor());
  m.accept();
  for (int i = 0; i < std::max(1, o.io_threads); ++i) m.threads.emplace_back([&m] { m.io->run(); });
  m.running = true;
}

void HttpServer::stop() {
  auto& m = *impl_;
  if (!m.running) return;
  // Nothing runs after this: the I/O threads leave their loop and are joined, the
  // workers finish the reply they are building (its completion only queues).
  m.io->stop();
  for (auto& t : m.threads) t.join();
  m.threads.clear();
  m.workers->stop();
  m.workers->join();
  // After this no publish() can reach a connection; then everything the connections
  // hold is destroyed before the io_context their sockets and timers belong to.
  m.log.drop_waiters();
  m.workers.reset();
  m.work.reset();
  m.retry.reset();
  m.acceptor.reset();
  m.io.reset();  // destroys the queued handlers, and with them the connections
  m.shared.reset();
  m.running = false;
}

int HttpServer::port() const { return impl_->port; }
size_t HttpServer::connection_limit() const { return impl_->limit; }

}  // namespace soma::serve::detail
