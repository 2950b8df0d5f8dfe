// What the dashboard's server does with clients that are many, slow, too many or not
// the dashboard's own page: each over real sockets on 127.0.0.1 (issue 13: eight open
// event streams used to hold every thread of cpp-httplib's pool, and the ninth request
// waited forever).
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "raw_client.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/serve/dashboard.hpp"

using namespace soma;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string events_request(int port, const std::string& extra = "") {
  return "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n" + extra +
         "\r\n";
}

// Opens `n` event streams and waits for each one's head.
std::vector<int> open_streams(int port, int n) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    const int fd = test::connect_loopback(port);
    EXPECT_GE(fd, 0);
    EXPECT_TRUE(test::send_all(fd, events_request(port)));
    fds.push_back(fd);
  }
  for (int fd : fds)
    EXPECT_NE(test::read_for(fd, 2000ms, nullptr, "\r\n\r\n").find("text/event-stream"),
              std::string::npos);
  return fds;
}

void close_all(const std::vector<int>& fds) {
  for (int fd : fds) ::close(fd);
}

}  // namespace

TEST(DashboardServer, OpenEventStreamsDoNotHoldOtherRequests) {
  serve::Dashboard board;
  board.start();
  const auto streams = open_streams(board.port(), 64);
  httplib::Client c("127.0.0.1", board.port());
  c.set_read_timeout(5, 0);
  const auto t0 = Clock::now();
  auto r = c.Get("/api/dataset");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(seconds_since(t0), 1.0);
  // Every stream still gets what is published.
  board.publish("epoch", R"({"epoch":1})");
  const std::string frame = "event: epoch\ndata: {\"epoch\":1}";
  for (int fd : streams)
    EXPECT_NE(test::read_for(fd, 2000ms, nullptr, frame).find(frame), std::string::npos);
  close_all(streams);
}

TEST(DashboardServer, ResumesAfterLastEventId) {
  serve::Dashboard board;
  board.start();
  for (int i = 0; i < 4; ++i) board.publish("batch", "{\"n\":" + std::to_string(i) + "}");
  const int fd = test::connect_loopback(board.port());
  ASSERT_TRUE(test::send_all(fd, events_request(board.port(), "Last-Event-ID: 1\r\n")));
  const std::string got = test::read_for(fd, 2000ms, nullptr, "id: 3\n");
  ::close(fd);
  EXPECT_NE(got.find("Cache-Control: no-cache\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << got;
  EXPECT_EQ(got.find("id: 1\n"), std::string::npos) << got;
  EXPECT_NE(got.find("id: 2\nevent: batch\ndata: {\"n\":2}\n\n"), std::string::npos) << got;
  EXPECT_NE(got.find("id: 3\n"), std::string::npos) << got;
}

TEST(DashboardServer, SlowHeaderClientsAreTimedOut) {
  serve::Dashboard board({.request_timeout = 500ms});
  board.start();
  // Twenty clients that send one header line every 100 ms and never finish.
  std::vector<int> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(test::connect_loopback(board.port()));
    ASSERT_TRUE(test::send_all(slow.back(), "GET / HTTP/1.1\r\n"));
  }
  const auto t0 = Clock::now();
  std::vector<bool> closed(slow.size(), false);
  size_t n_closed = 0;
  while (n_closed < slow.size() && seconds_since(t0) < 5) {
    for (size_t i = 0; i < slow.size(); ++i) {
      if (closed[i]) continue;
      if (!test::send_all(slow[i], "X-Slow: " + std::to_string(i) + "\r\n")) {
        closed[i] = true;
      } else {
        bool eof = false;
        test::read_for(slow[i], 1ms, &eof);
        closed[i] = eof;
      }
      n_closed += closed[i];
    }
    // Meanwhile the page is answered at once.
    httplib::Client c("127.0.0.1", board.port());
    c.set_read_timeout(2, 0);
    const auto g0 = Clock::now();
    auto r = c.Get("/");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_LT(seconds_since(g0), 0.5);
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(n_closed, slow.size()) << "slow-header clients still open after 5 s";
  EXPECT_LT(seconds_since(t0), 3.0);
  close_all(slow);
}

TEST(DashboardServer, IdleConnectionsAreClosed) {
  serve::Dashboard board({.request_timeout = 300ms});
  board.start();
  const int fd = test::connect_loopback(board.port());
  bool closed = false;
  const auto t0 = Clock::now();
  test::read_for(fd, 3000ms, &closed);
  ::close(fd);
  EXPECT_TRUE(closed);
  EXPECT_LT(seconds_since(t0), 2.0);
}

TEST(DashboardServer, ForeignHostIs403) {
  serve::Dashboard board;
  board.start();
  const std::string port = std::to_string(board.port());
  auto get = [&](const std::string& host) {
    httplib::Client c("127.0.0.1", board.port());
    c.set_read_timeout(5, 0);
    auto r = c.Get("/api/dataset", {{"Host", host}});
    return r ? r->status : -1;
  };
  EXPECT_EQ(get("127.0.0.1:" + port), 200);
  EXPECT_EQ(get("localhost:" + port), 200);
  EXPECT_EQ(get("[::1]:" + port), 200);
  EXPECT_EQ(get("rebind.attacker.example:" + port), 403);
  EXPECT_EQ(get("127.0.0.1:1"), 403);
  // No Host at all (HTTP/1.0 allows it; a browser always sends one).
  const int fd = test::connect_loopback(board.port());
  ASSERT_TRUE(test::send_all(fd, "GET /api/dataset HTTP/1.0\r\n\r\n"));
  const std::string got = test::read_for(fd, 2000ms);
  ::close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 403 ", 0), 0u) << got;
}

TEST(DashboardServer, ConnectionsBeyondTheLimitGet503) {
  serve::Dashboard board({.max_connections = 4});
  board.start();
  ASSERT_EQ(board.connection_limit(), 4u);
  auto streams = open_streams(board.port(), 4);
  {
    httplib::Client c("127.0.0.1", board.port());
    c.set_read_timeout(5, 0);
    auto r = c.Get("/");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  }
  // A place frees when a page closes.
  ::close(streams.back());
  streams.pop_back();
  int status = -1;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(20ms);
    httplib::Client c("127.0.0.1", board.port());
    c.set_read_timeout(5, 0);
    auto r = c.Get("/");
    status = r ? r->status : -1;
  }
  EXPECT_EQ(status, 200);
  close_all(streams);
}

TEST(DashboardServer, KeepsTheRepliesHeaders) {
  serve::Dashboard board;
  board.start();
  const std::string index =
      read_file(std::filesystem::path(SOMA_SOURCE_DIR) / "web/static/index.html");
  for (const std::string enc : {"br", "gzip"}) {
    httplib::Client c("127.0.0.1", board.port());
    c.set_read_timeout(5, 0);
    auto r = c.Get("/", {{"Accept-Encoding", enc}});
    ASSERT_TRUE(r) << enc;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Encoding"), enc);
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(r->body, index) << enc;  // httplib decompresses
  }
  httplib::Client c("127.0.0.1", board.port());
  c.set_keep_alive(true);  // else it asks for Connection: close
  auto plain = c.Get("/api/dataset");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->has_header("Content-Encoding"));
  EXPECT_EQ(plain->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(plain->get_header_value("Keep-Alive").rfind("timeout=5, max=", 0), 0u);
  auto head = c.Head("/api/dataset");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), std::to_string(plain->body.size()));
}

// stop() while a run publishes to open streams: the streams end, nothing is woken after
// the server is gone (the sanitizer build checks the teardown), and a restart serves.
TEST(DashboardServer, StopsWhileARunPublishes) {
  serve::Dashboard board;
  for (int round = 0; round < 3; ++round) {
    board.start();
    const auto streams = open_streams(board.port(), 20);
    std::atomic<bool> training{true};
    std::thread trainer([&] {
      while (training) board.publish("batch", R"({"loss":0.5})");
    });
    std::this_thread::sleep_for(50ms);
    board.stop();
    training = false;
    trainer.join();
    for (int fd : streams) {
      bool closed = false;
      while (!closed && !test::read_for(fd, 2000ms, &closed).empty()) {
      }
      EXPECT_TRUE(closed);
    }
    close_all(streams);
  }
}
