// The figure model: what adders accept and reject, and how histograms are binned.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <numeric>

#include "soma/core/error.hpp"
#include "soma/plot/figure.hpp"

namespace plot = soma::plot;

TEST(PlotFigure, ValuesConvertFromAnyNumericRange) {
  std::vector<float> f = {1.5f, 2.5f};
  std::array<int, 3> a = {1, 2, 3};
  std::vector<unsigned char> u = {7, 9};
  EXPECT_EQ(plot::Values(f).v, (std::vector<double>{1.5, 2.5}));
  EXPECT_EQ(plot::Values(a).v, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(plot::Values(u).v, (std::vector<double>{7, 9}));
  EXPECT_EQ(plot::Values({4, 5}).v, (std::vector<double>{4, 5}));
}

TEST(PlotFigure, HistogramBinsLikeNumpy) {
  // numpy.histogram([0, 1, 2, 3, 4], bins=4) -> counts [1, 1, 1, 2], edges 0..4:
  // the last bin is closed on the right.
  plot::Axes ax;
  ax.hist({0, 1, 2, 3, 4}, {.bins = 4});
  const auto& h = std::get<plot::HistSeries>(ax.series().at(0));
  EXPECT_EQ(h.edges, (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(h.heights, (std::vector<double>{1, 1, 1, 2}));
}

TEST(PlotFigure, HistogramDensityHasUnitArea) {
  std::vector<double> v;
  for (int i = 0; i < 1000; ++i) v.push_back(std::sin(i * 0.37) * 3 + 0.01 * i);
  plot::Axes ax;
  ax.hist(v, {.bins = 17, .density = true});
  const auto& h = std::get<plot::HistSeries>(ax.series().at(0));
  double area = 0;
  for (std::size_t i = 0; i < h.heights.size(); ++i)
    area += h.heights[i] * (h.edges[i + 1] - h.edges[i]);
  EXPECT_NEAR(area, 1.0, 1e-12);
}

TEST(PlotFigure, HistogramRangeDropsOutsideValues) {
  plot::Axes ax;
  ax.hist({-5, 0.5, 1.5, 1.7, 9}, {.bins = 2, .range = plot::Range{0, 2}});
  const auto& h = std::get<plot::HistSeries>(ax.series().at(0));
  EXPECT_EQ(h.heights, (std::vector<double>{1, 2}));
}

TEST(PlotFigure, HistogramOfOneRepeatedValueGetsAUnitWideRange) {
  plot::Axes ax;
  ax.hist({3, 3, 3}, {.bins = 1});
  const auto& h = std::get<plot::HistSeries>(ax.series().at(0));
  EXPECT_EQ(h.edges, (std::vector<double>{2.5, 3.5}));
  EXPECT_EQ(h.heights, (std::vector<double>{3}));
}

TEST(PlotFigure, LineWithoutXCountsFromZero) {
  plot::Axes ax;
  ax.line({5, 6, 7});
  const auto& l = std::get<plot::LineSeries>(ax.series().at(0));
  EXPECT_EQ(l.x, (std::vector<double>{0, 1, 2}));
}

TEST(PlotFigure, BadInputThrowsNamingWhatWasExpected) {
  plot::Axes ax;
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const soma::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] {
              ax.line({1, 2, 3}, {1, 2});
            }).find("x has 3 values but y has 2"),
            std::string::npos);
  EXPECT_NE(message([&] { ax.heatmap({1, 2, 3}, 2, 2); }).find("expected 4"), std::string::npos);
  EXPECT_NE(message([&] {
              ax.scatter({1, 2}, {1, 2}, {.classes = {0, 1.5}});
            }).find("classes[1]"),
            std::string::npos);
  EXPECT_NE(message([&] { ax.hist({1, 2}, {.bins = 0}); }).find("bins = 0"), std::string::npos);
  EXPECT_NE(message([&] { ax.hist({NAN}, {}); }).find("no finite values"), std::string::npos);
  EXPECT_NE(message([&] { ax.bars({"a"}, {1, 2}); }).find("names has 1"), std::string::npos);
  EXPECT_NE(message([&] { ax.line({1}, {1}, {.color = "red"}); }).find("#rrggbb"),
            std::string::npos);
  EXPECT_NE(message([&] { ax.heatmap({1}, 1, 1, {.colormap = "jet"}); }).find("unknown colormap"),
            std::string::npos);
  EXPECT_NE(message([&] {
              ax.line(std::vector<double>{}, std::vector<double>{});
            }).find("no data points"),
            std::string::npos);

  EXPECT_NE(message([&] {
              ax.heatmap({1, 2}, 1, 2, {.x_extent = plot::Range{3, 3}});
            }).find("x_extent [3, 3] is empty"),
            std::string::npos);
  EXPECT_NE(message([&] {
              ax.heatmap({1, 2}, 1, 2, {.x_labels = {"a", "b"}, .x_extent = plot::Range{0, 1}});
            }).find("tick labels and an extent"),
            std::string::npos);

  plot::Axes ax3;
  ax3.line3d({1, 2}, {1, 2}, {1, 2});
  EXPECT_NE(message([&] { ax3.line({1}, {1}); }).find("cannot mix 3-D and 2-D"), std::string::npos);

  plot::Figure fig({.rows = 2, .cols = 3});
  EXPECT_NE(message([&] { fig.axes(2, 0); }).find("outside the 2x3 layout"), std::string::npos);
  EXPECT_NE(message([&] { fig.save("figure.jpg"); }).find("expected .png, .svg, .pdf or .html"),
            std::string::npos);
  EXPECT_THROW(plot::Figure({.rows = 0}), soma::Error);
  EXPECT_THROW(plot::Figure({.width = 2}), soma::Error);
}

TEST(PlotFigure, SubplotsAreAddressedRowMajor) {
  plot::Figure fig({.rows = 2, .cols = 2});
  fig.axes(1, 0).title = "bottom left";
  EXPECT_EQ(fig.axes(1, 0).title, "bottom left");
  EXPECT_EQ(fig.axes(0, 1).title, "");
}
