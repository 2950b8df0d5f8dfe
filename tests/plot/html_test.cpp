// Interactive HTML: one page holding the data, the layout and Plotly.js itself.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "required_data.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/plot/figure.hpp"
#include "test_util.hpp"

namespace plot = soma::plot;
namespace fs = std::filesystem;
using plot_test::ScopedEnv;
using plot_test::ScratchDir;

namespace {
plot::Figure small_figure() {
  plot::Figure fig({.rows = 1, .cols = 2, .width = 700, .height = 300, .title = "demo"});
  auto& a = fig.axes(0, 0);
  a.xlog = true;
  a.xlim = plot::Range{1, 1000};
  a.line({1, 10, 100}, {3.14159, 2.71828, 1.41421}, {.label = "constants"});
  fig.axes(0, 1).scatter({0.5, 1.5, 2.5}, {9.25, 8.125, 7.0625},
                         {.classes = {0, 1, 1}, .class_names = {"cats", "dogs"}});
  return fig;
}
}  // namespace

TEST(PlotHtml, JsonHoldsTracesAxesAndLogRanges) {
  auto spec = nlohmann::json::parse(small_figure().plotly_json());
  const auto& data = spec.at("data");
  ASSERT_EQ(data.size(), 3u);  // the line, then one trace per class
  EXPECT_EQ(data[0]["y"], nlohmann::json({3.14159, 2.71828, 1.41421}));
  EXPECT_EQ(data[0]["name"], "constants");
  EXPECT_EQ(data[1]["name"], "cats");
  EXPECT_EQ(data[2]["name"], "dogs");
  EXPECT_EQ(data[2]["y"], nlohmann::json({8.125, 7.0625}));
  EXPECT_EQ(data[2]["xaxis"], "x2");
  const auto& layout = spec.at("layout");
  EXPECT_EQ(layout["xaxis"]["type"], "log");
  // A log axis's range is in decades: 1..1000 -> 0..3.
  EXPECT_DOUBLE_EQ(layout["xaxis"]["range"][0].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(layout["xaxis"]["range"][1].get<double>(), 3.0);
  // The page fills the window: no fixed size.
  EXPECT_EQ(layout["autosize"], true);
  EXPECT_FALSE(layout.contains("width"));
  // Side-by-side subplots do not overlap.
  EXPECT_LT(layout["xaxis"]["domain"][1].get<double>(),
            layout["xaxis2"]["domain"][0].get<double>());
}

TEST(PlotHtml, HeatmapExtentsBecomeCellOriginAndStep) {
  plot::Figure fig;
  fig.axes().heatmap({1, 2, 3, 4, 5, 6, 7, 8}, 2, 4,
                     {.x_extent = plot::Range{10, 30}, .y_extent = plot::Range{100, 140}});
  auto spec = nlohmann::json::parse(fig.plotly_json());
  const auto& t = spec["data"][0];
  EXPECT_DOUBLE_EQ(t["x0"].get<double>(), 12.5);
  EXPECT_DOUBLE_EQ(t["dx"].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(t["y0"].get<double>(), 110.0);
  EXPECT_DOUBLE_EQ(t["dy"].get<double>(), 20.0);
  // Data coordinates: y grows upward, unlike the matrix convention.
  EXPECT_FALSE(spec["layout"]["yaxis"].contains("autorange"));
}

TEST(PlotHtml, NonFiniteValuesBecomeGaps) {
  plot::Figure fig;
  fig.axes().line({1, 2, 3}, {1, NAN, 3});
  auto spec = nlohmann::json::parse(fig.plotly_json());
  EXPECT_TRUE(spec["data"][0]["y"][1].is_null());
}

TEST(PlotHtml, PageEmbedsPlotlyAndTheData) {
  ScratchDir dir;
  // A stand-in Plotly.js: the test checks embedding without needing npm.
  const fs::path js = dir.path / "plotly.min.js";
  soma::write_file_atomic(js, "/* stand-in plotly.js */ window.Plotly = {newPlot() {}};");
  ScopedEnv env("SOMA_PLOTLY_JS", js.string());
  auto fig = small_figure();
  fig.embed_plotly = true;
  fig.axes(0, 0).title = "evil </script><script>alert(1)</script>";
  const fs::path out = dir.path / "fig.html";
  fig.save(out);
  const std::string html = soma::read_file(out);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("stand-in plotly.js"), std::string::npos);
  EXPECT_NE(html.find("3.14159"), std::string::npos);
  EXPECT_NE(html.find("7.0625"), std::string::npos);
  EXPECT_NE(html.find("Plotly.newPlot"), std::string::npos);
  // Only the page's own two scripts close: a label cannot end a script early.
  std::size_t closes = 0;
  for (std::size_t at = 0; (at = html.find("</script>", at)) != std::string::npos; ++at) ++closes;
  EXPECT_EQ(closes, 2u);
  EXPECT_NE(html.find("alert(1)<\\/script>"), std::string::npos);
}

TEST(PlotHtml, RealPlotlyFromNpmIsEmbedded) {
  std::filesystem::path path;
  std::string missing;
  try {
    path = plot::plotly_js_path();
  } catch (const soma::Error& e) {
    missing = e.what();
  }
  SOMA_REQUIRE_DATA(missing.empty(), "Plotly.js (" << missing << ")");
  ScratchDir dir;
  auto fig = small_figure();
  fig.embed_plotly = true;
  fig.save(dir.path / "fig.html");
  const std::string html = soma::read_file(dir.path / "fig.html");
  EXPECT_NE(html.find("plotly.js v"), std::string::npos);
  EXPECT_GT(html.size(), fs::file_size(path));
  EXPECT_NE(html.find("2.71828"), std::string::npos);
}

TEST(PlotHtml, PageLinksInstalledPlotlyAndFillsTheWindow) {
  ScratchDir dir;
  // A path with a space and a '#', which a URL must encode.
  const fs::path js = dir.path / "a b#c" / "plotly.min.js";
  fs::create_directories(js.parent_path());
  soma::write_file_atomic(js, "/* stand-in plotly.js */ window.Plotly = {newPlot() {}};");
  ScopedEnv env("SOMA_PLOTLY_JS", js.string());
  const fs::path out = dir.path / "fig.html";
  small_figure().save(out);
  const std::string html = soma::read_file(out);
  EXPECT_EQ(html.find("stand-in plotly.js"), std::string::npos);
  const std::string src =
      "<script src=\"file://" + (dir.path / "a%20b%23c").string() + "/plotly.min.js\"></script>";
  EXPECT_NE(html.find(src), std::string::npos) << html.substr(0, 600);
  EXPECT_NE(html.find("7.0625"), std::string::npos);
  EXPECT_NE(html.find("responsive: true"), std::string::npos);
  EXPECT_NE(html.find("height: 100vh"), std::string::npos);
  // The page says why it is empty when the linked file is gone.
  EXPECT_NE(html.find("Plotly.js did not load"), std::string::npos);
  EXPECT_LT(html.size(), 8000u);
}

TEST(PlotHtml, SmallMarkersKeepReadableLegendMarkers) {
  auto spec = nlohmann::json::parse(small_figure().plotly_json());
  // The class scatter of axes 2 has its own legend, with constant-size markers.
  EXPECT_EQ(spec["layout"]["legend2"]["itemsizing"], "constant");
}

TEST(PlotHtml, MissingPlotlyOverrideIsASomaError) {
  ScopedEnv env("SOMA_PLOTLY_JS", "/nonexistent/plotly.min.js");
  ScratchDir dir;
  EXPECT_THROW(small_figure().save(dir.path / "fig.html"), soma::Error);
  EXPECT_FALSE(fs::exists(dir.path / "fig.html"));
}

TEST(PlotHtml, LabelsThatAreNotUtf8AreReplacedNotFatal) {
  plot::Figure fig;
  fig.axes().line({1, 2}, {3, 4}, {.label = "bad \xff byte"});
  auto spec = nlohmann::json::parse(fig.plotly_json());
  EXPECT_EQ(spec["data"][0]["name"], "bad \xEF\xBF\xBD byte");
}
