// The dashboard server over real sockets on 127.0.0.1 with ephemeral ports: assets
// and API answer 200 with the bytes of web/static and the CSV, everything else is 4xx
// without leaking files, and published events reach an open event stream.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "required_data.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/serve/dashboard.hpp"

using namespace soma;
namespace fs = std::filesystem;

namespace {

fs::path write_csv() {
  const fs::path dir = create_unique_directory(fs::temp_directory_path(), "soma-serve-test");
  auto p = dir / "small.csv";
  write_file_atomic(p, "a,b,kind,c\n1,2.5,x,7\n3,4.5,y,8\n5,,x,9\n");
  return p;
}

struct Server {
  fs::path csv = write_csv();
  serve::Dashboard board{{.dataset = csv, .max_body_bytes = 1024}};
  Server() { board.start(); }
  ~Server() { fs::remove_all(csv.parent_path()); }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", board.port());
    c.set_read_timeout(5, 0);
    return c;
  }
};

}  // namespace

TEST(Dashboard, BindsLoopbackOnAnEphemeralPort) {
  Server s;
  EXPECT_GT(s.board.port(), 0);
  EXPECT_EQ(s.board.url(), "http://127.0.0.1:" + std::to_string(s.board.port()) + "/");
  // A second server on the same port cannot bind and says so.
  serve::Dashboard other({.port = s.board.port()});
  EXPECT_THROW(other.start(), Error);
}

TEST(Dashboard, ServesTheEmbeddedAssetsByteForByte) {
  Server s;
  auto c = s.client();
  for (const std::string name : {"index.html", "app.js", "style.css"}) {
    auto r = c.Get("/" + name);
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->status, 200) << name;
    EXPECT_EQ(r->body, read_file(fs::path(SOMA_SOURCE_DIR) / "web/static" / name)) << name;
  }
  auto root = c.Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 200);
  EXPECT_EQ(root->body, read_file(fs::path(SOMA_SOURCE_DIR) / "web/static/index.html"));
  EXPECT_NE(root->get_header_value("Content-Type").find("text/html"), std::string::npos);
}

TEST(Dashboard, DatasetApiDescribesTheCsv) {
  Server s;
  auto r = s.client().Get("/api/dataset");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["rows"], 3);
  EXPECT_EQ(j["columns"], nlohmann::json({"a", "b", "kind", "c"}));
  EXPECT_EQ(j["numeric"], nlohmann::json({"a", "b", "c"}));
  EXPECT_EQ(j["class_column"], "kind");
  EXPECT_EQ(j["classes"], nlohmann::json({"x", "y"}));
  EXPECT_EQ(j["values"]["b"], nlohmann::json::parse("[2.5, 4.5, null]"));
  EXPECT_EQ(j["values"]["kind"], nlohmann::json({"x", "y", "x"}));
}

TEST(Dashboard, NumericClassColumnGivesLabels) {
  // A t-SNE output (x,y,label) explored with --class-column label.
  auto csv = write_csv();
  serve::Dashboard board({.dataset = csv, .class_column = "c"});
  auto j = nlohmann::json::parse(board.dataset_json());
  EXPECT_EQ(j["class_column"], "c");
  EXPECT_EQ(j["classes"], nlohmann::json({"7", "8", "9"}));
  EXPECT_EQ(j["values"]["c"], nlohmann::json({"7", "8", "9"}));
  EXPECT_EQ(j["values"]["a"], nlohmann::json({1.0, 3.0, 5.0}));
  fs::remove_all(csv.parent_path());
}

TEST(Dashboard, UnknownClassColumnIsAnError) {
  auto csv = write_csv();
  EXPECT_THROW(serve::Dashboard({.dataset = csv, .class_column = "nope"}), Error);
  EXPECT_THROW(serve::Dashboard({.dataset = csv.parent_path() / "missing.csv"}), Error);
  fs::remove_all(csv.parent_path());
}

TEST(Dashboard, UnknownPathsAndTraversalAre4xxWithoutFiles) {
  Server s;
  auto c = s.client();
  for (const std::string path :
       {"/nope", "/index.htm", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../../etc/passwd", "/..%2f..%2fetc%2fpasswd", "/api/dataset/../../etc/passwd",
        "//etc/passwd", "/web/static/index.html", "/CMakeLists.txt"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_GE(r->status, 400) << path;
    EXPECT_LT(r->status, 500) << path;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << path;
  }
  auto post = c.Post("/index.html", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_GE(post->status, 400);
  EXPECT_LT(post->status, 500);
}

TEST(Dashboard, OversizedBodiesAre413) {
  Server s;
  auto c = s.client();
  auto r = c.Post("/api/dataset", std::string(64 * 1024, 'x'), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  // The server still answers afterwards.
  auto ok = s.client().Get("/api/dataset");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(Dashboard, EventStreamDeliversPublishedEvents) {
  Server s;
  s.board.publish("epoch", R"({"epoch":1,"train_loss":0.5})");  // before the page connects
  std::string received;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    auto c = s.client();
    c.Get("/api/events", [&](const char* data, size_t n) {
      received.append(data, n);
      if (received.find("\"loss\":0.25") != std::string::npos) {
        done = true;
        return false;  // enough: close the stream
      }
      return true;
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  s.board.publish("batch", R"({"epoch":1,"batch":0,"loss":0.25})");
  reader.join();
  ASSERT_TRUE(done) << received;
  EXPECT_NE(received.find("id: 0\nevent: epoch\ndata: {\"epoch\":1,\"train_loss\":0.5}\n\n"),
            std::string::npos)
      << received;
  EXPECT_NE(received.find("id: 1\nevent: batch\ndata: {\"epoch\":1,\"batch\":0,\"loss\":0.25}\n\n"),
            std::string::npos)
      << received;
  EXPECT_EQ(s.board.published(), 2);
  EXPECT_THROW(s.board.publish("batch", "{\n}"), Error);
}

TEST(Dashboard, StopEndsOpenStreams) {
  Server s;
  std::atomic<bool> finished{false};
  std::thread reader([&] {
    auto c = s.client();
    c.Get("/api/events", [&](const char*, size_t) { return true; });
    finished = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto t0 = std::chrono::steady_clock::now();
  s.board.stop();
  reader.join();
  EXPECT_TRUE(finished);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 3.0);
  EXPECT_FALSE(s.board.running());
}

TEST(Dashboard, ServesPlotlyUncompressed) {
  const fs::path plotly =
      fs::path(SOMA_SOURCE_DIR) / "web/node_modules/plotly.js-dist-min/plotly.min.js";
  SOMA_REQUIRE_DATA(fs::exists(plotly), "Plotly.js (scripts/bootstrap runs npm ci --prefix web)");
  Server s;
  auto c = s.client();
  // Browsers ask for brotli; compressing 4.8 MB per request would stall the page.
  auto r = c.Get("/plotly.min.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->has_header("Content-Encoding"));
  EXPECT_EQ(r->body.size(), fs::file_size(plotly));
}
