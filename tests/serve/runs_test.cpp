// The runs view's API (`soma dashboard runs/`): the run directories found under the
// given one, each run's history.csv as History::to_csv wrote it, new epochs seen on the
// next request, nothing read outside the directory, and a malformed history refused
// with its file, line and field in the reply instead of bringing the server down.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/serve/dashboard.hpp"
#include "soma/train/fit.hpp"

using namespace soma;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Dir {
  fs::path path = create_unique_directory(fs::temp_directory_path(), "soma-serve-runs");
  ~Dir() { fs::remove_all(path); }
  void write(const std::string& name, const std::string& text) const {
    fs::create_directories((path / name).parent_path());
    write_file_atomic(path / name, text);
  }
};

train::History history(int epochs) {
  train::History h;
  for (int e = 1; e <= epochs; ++e)
    h.epochs.push_back({.epoch = e,
                        .train_loss = 1.0 / e,
                        .valid_loss = 1.5 / e,
                        .metrics = {{"valid_accuracy", 0.5 + 0.1 * e}},
                        .seconds = 0.25 * e});
  return h;
}

struct Server {
  serve::Dashboard board;
  httplib::Client client;
  explicit Server(const fs::path& runs)
      : board(serve::DashboardOptions{.runs = runs}), client("127.0.0.1", start(board)) {
    client.set_url_encode(false);  // the paths below are sent exactly as written
  }
  static int start(serve::Dashboard& b) {
    b.start();
    return b.port();
  }
  httplib::Result get(const std::string& path) { return client.Get(path); }
};

}  // namespace

TEST(DashboardRuns, ListsEveryRunDirectoryWithItsStatus) {
  Dir d;
  d.write("fashion-1/history.csv", history(3).to_csv());
  d.write("fashion-1/status.json", R"({"status": "complete"})");
  d.write("fashion-1/model.soma", "weights");
  d.write("fashion-1/config.toml", "[train]\n");
  d.write("titanic-1/status.json", R"({"status": "running"})");  // no epoch finished yet
  d.write("sweep/lr-0.1/history.csv", history(1).to_csv());      // one level deeper
  d.write("notes/readme.txt", "not a run");
  Server s(d.path);
  auto r = s.get("/api/runs");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const auto j = json::parse(r->body);
  EXPECT_EQ(j["root"], d.path.string());
  ASSERT_EQ(j["runs"].size(), 3u);
  EXPECT_EQ(j["runs"][0]["name"], "fashion-1");
  EXPECT_EQ(j["runs"][0]["status"], "complete");
  EXPECT_EQ(j["runs"][0]["has_model"], true);
  EXPECT_EQ(j["runs"][0]["has_config"], true);
  EXPECT_EQ(j["runs"][0]["history_bytes"], history(3).to_csv().size());
  EXPECT_EQ(j["runs"][1]["name"], "sweep/lr-0.1");
  EXPECT_EQ(j["runs"][1]["status"], "");
  EXPECT_EQ(j["runs"][2]["name"], "titanic-1");
  EXPECT_EQ(j["runs"][2]["status"], "running");
  EXPECT_EQ(j["runs"][2]["history_bytes"], nullptr);
  EXPECT_EQ(j["truncated"], false);
}

TEST(DashboardRuns, HistoryHoldsTheRecordsAndGrowsWithTheRun) {
  Dir d;
  d.write("a-1/history.csv", history(2).to_csv());
  Server s(d.path);
  auto r = s.get("/api/runs/a-1/history");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = json::parse(r->body);
  EXPECT_EQ(j["columns"], json({"epoch", "train_loss", "valid_loss", "valid_accuracy", "seconds"}));
  EXPECT_EQ(j["values"]["epoch"], json({1.0, 2.0}));
  EXPECT_EQ(j["values"]["train_loss"], json({1.0, 0.5}));
  EXPECT_EQ(j["values"]["valid_loss"], json({1.5, 0.75}));
  EXPECT_EQ(j["values"]["valid_accuracy"], json({0.6, 0.7}));
  EXPECT_EQ(j["values"]["seconds"], json({0.25, 0.5}));
  // The run finishes another epoch: the next request sees it (nothing is cached).
  d.write("a-1/history.csv", history(3).to_csv());
  j = json::parse(s.get("/api/runs/a-1/history")->body);
  EXPECT_EQ(j["values"]["epoch"], json({1.0, 2.0, 3.0}));
  EXPECT_NEAR(j["values"]["train_loss"][2].get<double>(), 1.0 / 3, 1e-9);
}

TEST(DashboardRuns, NanWithoutValidationIsNull) {
  Dir d;
  d.write("r/history.csv", "epoch,train_loss,valid_loss,seconds\n1,0.5,nan,1\n");
  Server s(d.path);
  const auto j = json::parse(s.get("/api/runs/r/history")->body);
  EXPECT_EQ(j["values"]["valid_loss"], json::array({nullptr}));
}

TEST(DashboardRuns, NothingOutsideTheDirectoryIsServed) {
  Dir outside, d;
  outside.write("secret/history.csv", history(1).to_csv());
  d.write("a-1/history.csv", history(1).to_csv());
  // A symbolic link out of the directory is neither listed nor read.
  fs::create_directory_symlink(outside.path / "secret", d.path / "link");
  Server s(d.path);
  const auto list = json::parse(s.get("/api/runs")->body);
  ASSERT_EQ(list["runs"].size(), 1u);
  EXPECT_EQ(list["runs"][0]["name"], "a-1");
  const std::string rel = fs::relative(outside.path / "secret", d.path).generic_string();
  for (const std::string& name :
       std::vector<std::string>{"link", "..", "a-1/..", "a-1/../a-1", rel, "%2e%2e",
                                (outside.path / "secret").generic_string().substr(1), ".", "x"}) {
    auto r = s.get("/api/runs/" + name + "/history");
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->status, 404) << name << ": " << r->body;
    EXPECT_EQ(r->body.find("train_loss"), std::string::npos) << name;
  }
  // Other files of a run are not served at all.
  EXPECT_EQ(s.get("/api/runs/a-1/model.soma")->status, 404);
  EXPECT_EQ(s.get("/api/runs/a-1/history.csv")->status, 404);
}

TEST(DashboardRuns, MalformedHistoryIsAnErrorNamingLineAndField) {
  Dir d;
  d.write("bad-row/history.csv", "epoch,train_loss,seconds\n1,0.5,1\n2,abc,2\n");
  d.write("short-row/history.csv", "epoch,train_loss,seconds\n1,0.5\n");
  d.write("no-header/history.csv", "1,0.5,1\n");
  d.write("empty/history.csv", "");
  d.write("good/history.csv", history(1).to_csv());
  Server s(d.path);
  auto expect = [&](const std::string& run, const std::string& where, const std::string& what) {
    auto r = s.get("/api/runs/" + run + "/history");
    ASSERT_TRUE(r) << run;
    EXPECT_EQ(r->status, 422) << run;
    const std::string message = json::parse(r->body)["error"];
    EXPECT_NE(message.find((d.path / run / "history.csv").string() + ":" + where),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(what), std::string::npos) << message;
  };
  expect("bad-row", "3:2", "expected a number, found 'abc'");
  expect("short-row", "2:3", "2 fields, expected 3");
  expect("no-header", "1:1", "start with \"epoch\"");
  expect("empty", "1:1", "empty file");
  // The server still answers, and the good run is unaffected.
  EXPECT_EQ(s.get("/api/runs/good/history")->status, 200);
}

TEST(DashboardRuns, OversizedHistoryIsRefusedBeforeReading) {
  Dir d;
  d.write("big/history.csv", "epoch,train_loss\n" + std::string(17u << 20, '1'));
  Server s(d.path);
  auto r = s.get("/api/runs/big/history");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_NE(json::parse(r->body)["error"].get<std::string>().find("history.csv"),
            std::string::npos);
}

TEST(DashboardRuns, WithoutRunsTheApiSaysSoAndAFileIsRefused) {
  serve::Dashboard board;
  board.start();
  httplib::Client c("127.0.0.1", board.port());
  EXPECT_EQ(json::parse(c.Get("/api/runs")->body)["root"], nullptr);
  EXPECT_EQ(c.Get("/api/runs/a/history")->status, 404);
  Dir d;
  d.write("file.csv", "x\n");
  EXPECT_THROW(serve::Dashboard(serve::DashboardOptions{.runs = d.path / "file.csv"}), Error);
}
