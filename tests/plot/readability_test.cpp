// What keeps a figure readable: axis labels that reach the output, legends placed where
// no data is drawn (or outside the axes), stacked axes with frames that line up, legend
// markers of readable size, and the blemish check the example tests run with.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/plot/figure.hpp"
#include "test_util.hpp"

namespace plot = soma::plot;
namespace fs = std::filesystem;
using plot_test::ScopedEnv;
using plot_test::ScratchDir;

namespace {

std::string key_line(const plot::Figure& fig) {
  const std::string s = fig.gnuplot_script("svg", "/tmp/x.svg");
  std::smatch m;
  return std::regex_search(s, m, std::regex("set key ([a-z ]+?) noenhanced")) ? m[1].str() : "";
}

// A 20 x 20 grid of points filling the axes: no corner is free.
plot::Figure filled_square(int rows) {
  plot::Figure fig({.rows = rows, .cols = 1, .width = 800, .height = 300 * rows});
  std::vector<double> x, y, cls;
  for (int i = 0; i < 400; ++i) x.push_back(i % 20), y.push_back(i / 20), cls.push_back(i % 3);
  fig.axes(0, 0).scatter(x, y, {.classes = cls, .class_names = {"alpha", "beta", "gamma"}});
  return fig;
}

}  // namespace

TEST(PlotReadability, SvgHoldsTheAxisLabels) {
  ScratchDir dir;
  plot::Figure fig({.width = 500, .height = 400});
  auto& ax = fig.axes();
  ax.xlabel = "membrane time (ms)";
  ax.ylabel = "potential xyzzy";
  ax.line({1, 2, 3}, {4, 5, 7});
  fig.save(dir.path / "labels.svg");
  const std::string svg = soma::read_file(dir.path / "labels.svg");
  EXPECT_NE(svg.find("membrane time (ms)"), std::string::npos);
  EXPECT_NE(svg.find("potential xyzzy"), std::string::npos);
}

TEST(PlotReadability, BestLegendCornerIsOneNoDataCrosses) {
  // Falling like a loss: the top right is free.
  plot::Figure falling;
  falling.axes().line({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {9, 5, 3, 2, 1.5, 1.2, 1.1, 1, 1, 1},
                      {.label = "loss"});
  EXPECT_EQ(key_line(falling), "top right");
  // Rising like an accuracy: the top right is crossed, the top left is free.
  plot::Figure rising;
  rising.axes().line({0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
                     {0.1, 0.5, 0.7, 0.8, 0.85, 0.9, 0.92, 0.93, 0.94, 0.95},
                     {.label = "accuracy"});
  EXPECT_EQ(key_line(rising), "top left");
  // A valley crosses both top corners; the first free one then is the bottom right.
  plot::Figure valley;
  std::vector<double> x, y;
  for (int i = 0; i <= 10; ++i) x.push_back(i), y.push_back((i - 5) * (i - 5));
  valley.axes().line(x, y, {.label = "(x - 5)^2"});
  EXPECT_EQ(key_line(valley), "bottom right");
  // Data everywhere: outside, to the right.
  EXPECT_EQ(key_line(filled_square(1)), "outside right top");
  // A position given is kept.
  plot::Figure given = filled_square(1);
  given.axes().legend_position = plot::LegendPosition::bottom_left;
  EXPECT_EQ(key_line(given), "bottom left");
}

TEST(PlotReadability, PlotlyLegendOutsideLeavesRoomBesideTheAxes) {
  const auto spec = nlohmann::json::parse(filled_square(1).plotly_json());
  const double right = spec["layout"]["xaxis"]["domain"][1].get<double>();
  EXPECT_GT(spec["layout"]["legend"]["x"].get<double>(), right);
  EXPECT_EQ(spec["layout"]["legend"]["xanchor"], "left");
  EXPECT_LT(right, 0.9);
}

TEST(PlotReadability, StackedAxesShareTheirMargins) {
  // A raster with its legend outside above a rate without one: both frames get the same
  // left and right margins, wide enough on the right for the legend.
  plot::Figure fig = filled_square(2);
  fig.axes(1, 0).line({0, 19}, {1, 2});
  const std::string s = fig.gnuplot_script("png", "/tmp/x.png");
  std::set<std::string> left, right;
  const std::regex margin("set ([lr])margin (\\d+)");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), margin); it != std::sregex_iterator();
       ++it)
    ((*it)[1] == "l" ? left : right).insert((*it)[2]);
  ASSERT_EQ(left.size(), 1u) << s;
  ASSERT_EQ(right.size(), 1u) << s;
  // "gamma" (5 characters) and the key's sample and padding.
  EXPECT_GE(std::stoi(*right.begin()), 5 + 9);
  // One row: gnuplot's own margins.
  EXPECT_EQ(filled_square(1).gnuplot_script("png", "/tmp/x.png").find("margin"), std::string::npos);
}

TEST(PlotReadability, SmallMarkersGetReadableLegendMarkers) {
  plot::Figure fig;
  fig.axes().scatter({1, 2, 3}, {1, 2, 3}, {.classes = {0, 1, 1}, .size = 1});
  const std::string s = fig.gnuplot_script("png", "/tmp/x.png");
  // The points are drawn without a title at their own size...
  EXPECT_NE(s.find("with points pt 7 ps 0.125 lc rgb \"#1f77b4\" notitle"), std::string::npos) << s;
  // ...and the legend shows a marker of at least 1.5 times the default.
  EXPECT_NE(s.find("keyentry with points pt 7 ps 1.5 lc rgb \"#1f77b4\" title \"0\""),
            std::string::npos)
      << s;
  ScratchDir dir;
  fig.save(dir.path / "key.png");  // gnuplot accepts it
}

TEST(PlotReadability, BlemishesNameUnlabelledAxes) {
  plot::Figure fig({.rows = 1, .cols = 3});
  auto& a = fig.axes(0, 0);
  a.title = "accuracy";
  a.xlabel = "epoch";
  a.line({1, 2, 3});
  fig.axes(0, 1).bars({"a", "b"}, {1, 2}, {});  // the bar names label x
  fig.axes(0, 1).ylabel = "count";
  // Axes 2 is empty: nothing to label.
  const auto problems = fig.blemishes();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "axes (0, 0) 'accuracy': no y label");
  a.ylabel = "accuracy";
  EXPECT_TRUE(fig.blemishes().empty());
}

TEST(PlotReadability, StrictSaveRefusesBlemishes) {
  ScratchDir dir;
  plot::Figure fig;
  fig.axes().line({1, 2, 3});
  {
    ScopedEnv strict("SOMA_PLOT_STRICT", "1");
    try {
      fig.save(dir.path / "f.svg");
      FAIL() << "expected soma::Error";
    } catch (const soma::Error& e) {
      EXPECT_NE(std::string(e.what()).find("axes (0, 0): no x label"), std::string::npos)
          << e.what();
    }
    EXPECT_FALSE(fs::exists(dir.path / "f.svg"));
  }
  fig.save(dir.path / "f.svg");  // without SOMA_PLOT_STRICT it is drawn
  EXPECT_TRUE(fs::exists(dir.path / "f.svg"));
}

TEST(PlotReadability, SharedXAxisAndPicturesNeedNoLabelOfTheirOwn) {
  plot::Figure fig({.rows = 2, .cols = 2});
  for (int r = 0; r < 2; ++r) {
    auto& ax = fig.axes(r, 0);
    ax.ylabel = "v";
    ax.xlim = plot::Range{0, 10};
    ax.line({1, 2, 3});
  }
  fig.axes(1, 0).xlabel = "t (ms)";  // names the column's shared x axis
  fig.axes(0, 1).heatmap({0, 1, 1, 0}, 2, 2, {.colorbar = false});  // a picture
  EXPECT_TRUE(fig.blemishes().empty());
  // Different limits: not one shared axis.
  fig.axes(0, 0).xlim = plot::Range{0, 5};
  ASSERT_EQ(fig.blemishes().size(), 1u);
  EXPECT_EQ(fig.blemishes()[0], "axes (0, 0): no x label");
  // A colour bar makes a heatmap a chart whose axes mean something.
  fig.axes(0, 0).xlim = plot::Range{0, 10};
  fig.axes(1, 1).heatmap({0, 1, 1, 0}, 2, 2);
  EXPECT_EQ(fig.blemishes().size(), 2u);
}
