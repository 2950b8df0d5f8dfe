// The spike-raster and embedding APIs: the CSV read back as the page needs it, in the
// file's order, and bad files refused naming file, line and what was expected.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/serve/dashboard.hpp"

using namespace soma;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Dir {
  fs::path path = create_unique_directory(fs::temp_directory_path(), "soma-serve-views");
  ~Dir() { fs::remove_all(path); }
  fs::path write(const std::string& name, const std::string& text) const {
    write_file_atomic(path / name, text);
    return path / name;
  }
};

std::string message(const serve::DashboardOptions& o) {
  try {
    serve::Dashboard board(o);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(DashboardViews, SpikesApiHoldsTheMonitorsColumns) {
  Dir d;
  // As `soma snn run` writes a spike monitor: neuron, time in seconds.
  const auto csv = d.write("spikes.csv", "i,t\n2,0.0015\n0,0.002\n7,0.0125\n2,0.03\n");
  serve::Dashboard board({.spikes = csv});
  board.start();
  httplib::Client c("127.0.0.1", board.port());
  auto r = c.Get("/api/spikes");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Content-Type").find("application/json"), std::string::npos);
  auto j = json::parse(r->body);
  EXPECT_EQ(j["path"], csv.string());
  EXPECT_EQ(j["rows"], 4);
  EXPECT_EQ(j["i"], json({2.0, 0.0, 7.0, 2.0}));
  EXPECT_EQ(j["t"], json({0.0015, 0.002, 0.0125, 0.03}));
  EXPECT_EQ(j["neurons"], 8.0);  // indices 0..7
  EXPECT_EQ(j["t_max"], 0.03);
  // Without files the APIs say so rather than 404, so the page can explain.
  EXPECT_EQ(json::parse(c.Get("/api/embedding")->body)["path"], nullptr);
}

TEST(DashboardViews, SpikeGroupsColourTheRaster) {
  Dir d;
  // As `soma example coba --plot` writes its spikes: a group per neuron population.
  const auto csv = d.write("coba.csv",
                           "i,t,group\n5,0.001,inhibitory\n1,0.002,excitatory\n"
                           "6,0.004,inhibitory\n0,0.004,excitatory\n");
  auto j = json::parse(serve::Dashboard({.spikes = csv}).spikes_json());
  EXPECT_EQ(j["groups"], json({"inhibitory", "excitatory"}));
  EXPECT_EQ(j["group"], json({0, 1, 0, 1}));
  EXPECT_EQ(j["i"], json({5.0, 1.0, 6.0, 0.0}));
  // Without the column: no groups, one colour.
  auto plain =
      json::parse(serve::Dashboard({.spikes = d.write("plain.csv", "i,t\n1,0.5\n")}).spikes_json());
  EXPECT_EQ(plain["groups"], json::array());
}

TEST(DashboardViews, EmbeddingApiOrdersNumericClassesNumerically) {
  Dir d;
  const auto csv = d.write("emb.csv", "x,y,label\n1.5,-2,10\n0.25,3,2\n-1,0.5,10\n4,4,0\n");
  serve::Dashboard board({.embedding = csv});
  auto j = json::parse(board.embedding_json());
  EXPECT_EQ(j["rows"], 4);
  EXPECT_EQ(j["x"], json({1.5, 0.25, -1.0, 4.0}));
  EXPECT_EQ(j["y"], json({-2.0, 3.0, 0.5, 4.0}));
  EXPECT_EQ(j["labels"], json({"10", "2", "10", "0"}));
  EXPECT_EQ(j["classes"], json({"0", "2", "10"}));  // not "0", "10", "2"
  EXPECT_EQ(json::parse(board.spikes_json())["path"], nullptr);
}

TEST(DashboardViews, EmbeddingWithoutLabelsOrWithTextLabels) {
  Dir d;
  auto plain = json::parse(
      serve::Dashboard({.embedding = d.write("a.csv", "x,y\n1,2\n3,4\n")}).embedding_json());
  EXPECT_EQ(plain["labels"], nullptr);
  EXPECT_EQ(plain["classes"], json::array());
  auto text = json::parse(
      serve::Dashboard({.embedding = d.write("b.csv", "x,y,label\n1,2,dog\n3,4,cat\n5,6,dog\n")})
          .embedding_json());
  EXPECT_EQ(text["classes"], json({"cat", "dog"}));
}

TEST(DashboardViews, BadFilesAreErrorsNamingWhere) {
  Dir d;
  EXPECT_NE(message({.spikes = d.write("s1.csv", "neuron,t\n1,0.1\n")})
                .find("s1.csv: no column 'i' (expected a spike monitor's i,t)"),
            std::string::npos);
  EXPECT_NE(message({.spikes = d.write("s2.csv", "i,t\n1,0.1\n-3,0.2\n")})
                .find("s2.csv:3:1: neuron index must be an integer >= 0"),
            std::string::npos);
  EXPECT_NE(message({.spikes = d.write("s3.csv", "i,t\n1.5,0.1\n")}).find("s3.csv:2:1"),
            std::string::npos);
  // Text where a number belongs: the CSV reader's own position.
  EXPECT_NE(message({.spikes = d.write("s4.csv", "i,t\n1,0.1\n2,soon\n")}).find("s4.csv:3"),
            std::string::npos);
  EXPECT_NE(message({.embedding = d.write("e1.csv", "a,b\n1,2\n")})
                .find("e1.csv: no column 'x' (expected an embedding's x,y[,label])"),
            std::string::npos);
  EXPECT_NE(message({.embedding = d.path / "missing.csv"}).find("missing.csv"), std::string::npos);
}
