// PNG, SVG and PDF files made by gnuplot: present, well formed, the requested size,
// and gnuplot's failures reported as soma::Error.
#include <gtest/gtest.h>
#ifdef SOMA_HAVE_LIBXML2
#include <libxml/parser.h>
#include <libxml/tree.h>
#endif

#include <cmath>
#include <fstream>
#include <regex>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/plot/figure.hpp"
#include "test_util.hpp"

namespace plot = soma::plot;
namespace fs = std::filesystem;
using plot_test::ScopedEnv;
using plot_test::ScratchDir;

namespace {

// Every kind of series, in a 2x3 layout with log axes, limits and legends.
plot::Figure every_kind(int width, int height) {
  plot::Figure fig({.rows = 2, .cols = 3, .width = width, .height = height, .title = "all kinds"});
  std::vector<double> x, y1, y2, z;
  for (int i = 1; i <= 50; ++i) {
    x.push_back(i);
    y1.push_back(1.0 / i);
    y2.push_back(2.0 / i + 0.01);
    z.push_back(i * 0.1);
  }
  auto& a = fig.axes(0, 0);
  a.title = "loss";
  a.xlabel = "epoch";
  a.ylabel = "loss \"quoted\" \\ back_slash";
  a.ylog = true;
  a.xlim = plot::Range{1, 50};
  a.line(x, y1, {.label = "train"});
  a.line(x, y2, {.label = "test", .dash = true, .markers = true});

  auto& b = fig.axes(0, 1);
  b.title = "embedding";
  std::vector<double> sx, sy, cls;
  for (int i = 0; i < 300; ++i) {
    sx.push_back(std::cos(i * 0.1) * (1 + i % 3));
    sy.push_back(std::sin(i * 0.1) * (1 + i % 3));
    cls.push_back(i % 3);
  }
  b.scatter(sx, sy, {.classes = cls, .class_names = {"zero", "one", "two"}});
  b.legend_position = plot::LegendPosition::bottom_left;

  fig.axes(0, 2).heatmap(
      {1, 2, 3, 4, 5, 6}, 2, 3,
      {.x_labels = {"a", "b", "c"}, .y_labels = {"r0", "r1"}, .annotate = true, .label = "count"});
  fig.axes(1, 0).hist(sx, {.bins = 20, .label = "x"});
  fig.axes(1, 1).bars({"cpu", "gpu"}, {3, 5}, {.label = "2025"}).bars({"cpu", "gpu"}, {4, 1});
  fig.axes(1, 2).line3d(x, y1, z, {.label = "path"});
  fig.axes(1, 2).zlabel = "z";
  return fig;
}

uint32_t big_endian(const std::string& s, std::size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
}

}  // namespace

TEST(PlotGnuplot, PngHasSignatureAndRequestedSize) {
  ScratchDir dir;
  const fs::path out = dir.path / "all.png";
  every_kind(900, 640).save(out);
  const std::string png = soma::read_file(out);
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(big_endian(png, 16), 900u);
  EXPECT_EQ(big_endian(png, 20), 640u);
  // Written atomically: nothing but the figure is left in the directory.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);
}

TEST(PlotGnuplot, SvgParsesAsXmlWithTheRequestedSizeAndText) {
  ScratchDir dir;
  const fs::path out = dir.path / "all.svg";
  every_kind(800, 600).save(out);
  const std::string svg = soma::read_file(out);
  // Titles, class names and quoted labels arrive as text (XML-escaped by gnuplot).
  EXPECT_NE(svg.find("embedding"), std::string::npos);
  EXPECT_NE(svg.find("two"), std::string::npos);
  EXPECT_NE(svg.find("back_slash"), std::string::npos);
#ifndef SOMA_HAVE_LIBXML2
  GTEST_SKIP() << "built without libxml2 (Debian libxml2-dev): XML well-formedness not checked";
#else
  xmlDocPtr doc = xmlReadMemory(svg.data(), static_cast<int>(svg.size()), "all.svg", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  ASSERT_NE(doc, nullptr) << "gnuplot's SVG is not well-formed XML";
  xmlNodePtr root = xmlDocGetRootElement(doc);
  ASSERT_NE(root, nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(root->name), "svg");
  auto attribute = [&](const char* name) {
    xmlChar* v = xmlGetProp(root, reinterpret_cast<const xmlChar*>(name));
    std::string s = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return s;
  };
  EXPECT_EQ(attribute("width"), "800");
  EXPECT_EQ(attribute("height"), "600");
  xmlFreeDoc(doc);
#endif
}

TEST(PlotGnuplot, PdfHasHeaderTrailerAndPageSize) {
  ScratchDir dir;
  const fs::path out = dir.path / "all.pdf";
  every_kind(800, 500).save(out);
  const std::string pdf = soma::read_file(out);
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  EXPECT_NE(pdf.find("%%EOF", pdf.size() - 16), std::string::npos);
  // 800 x 500 pixels at 100 per inch: 8 x 5 inches = 576 x 360 points.
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(pdf, m, std::regex(R"(/MediaBox \[ *0 0 ([0-9.]+) ([0-9.]+) *\])")));
  EXPECT_NEAR(std::stod(m[1]), 576, 0.5);
  EXPECT_NEAR(std::stod(m[2]), 360, 0.5);
}

TEST(PlotGnuplot, ScriptHoldsTheDataAndSettings) {
  plot::Figure fig;
  auto& ax = fig.axes();
  ax.xlog = true;
  ax.xlim = plot::Range{0.5, 200};
  ax.line({1, 10, 100}, {0.25, 3.125, 7}, {.label = "a"});
  const std::string s = fig.gnuplot_script("png", "/tmp/x.png");
  EXPECT_NE(s.find("1 0.25\n10 3.125\n100 7\n"), std::string::npos) << s;
  EXPECT_NE(s.find("set logscale x"), std::string::npos);
  EXPECT_NE(s.find("set xrange [0.5:200]"), std::string::npos);
  EXPECT_NE(s.find("size 800,600"), std::string::npos);
}

TEST(PlotGnuplot, HeatmapWithExtentsIsDrawnInDataCoordinates) {
  // 2 rows x 4 columns over x in [10, 30], y in [100, 140]: cells 5 wide and 20 high,
  // the first cell centred on (12.5, 110), and the ranges the extents themselves.
  plot::Figure fig;
  auto& ax = fig.axes();
  ax.heatmap({1, 2, 3, 4, 5, 6, 7, 8}, 2, 4,
             {.x_extent = plot::Range{10, 30}, .y_extent = plot::Range{100, 140}});
  ax.scatter({17.5}, {130}, {.label = "minimum"});
  const std::string s = fig.gnuplot_script("png", "/tmp/x.png");
  EXPECT_NE(s.find("matrix using (12.5+$1*5):(110+$2*20):3 with image"), std::string::npos) << s;
  EXPECT_NE(s.find("set xrange [10:30]"), std::string::npos);
  EXPECT_NE(s.find("set yrange [100:140]"), std::string::npos);
  ScratchDir dir;
  fig.save(dir.path / "extent.png");
  EXPECT_EQ(soma::read_file(dir.path / "extent.png").substr(1, 3), "PNG");
}

TEST(PlotGnuplot, EmptyAxesStillRender) {
  ScratchDir dir;
  plot::Figure fig({.rows = 1, .cols = 2, .width = 300, .height = 200});
  fig.axes(0, 1).line({1, 2});
  fig.save(dir.path / "half.png");
  EXPECT_EQ(big_endian(soma::read_file(dir.path / "half.png"), 16), 300u);
}

TEST(PlotGnuplot, OverwritesAnExistingFile) {
  ScratchDir dir;
  soma::write_file_atomic(dir.path / "f.png", "old");
  plot::Figure fig({.width = 200, .height = 100});
  fig.axes().line({1, 2, 3});
  fig.save(dir.path / "f.png");
  EXPECT_EQ(soma::read_file(dir.path / "f.png").substr(1, 3), "PNG");
}

TEST(PlotGnuplot, MissingGnuplotIsASomaError) {
  ScratchDir dir;
  ScopedEnv no_override("SOMA_GNUPLOT", std::nullopt);
  ScopedEnv empty_path("PATH", "");
  plot::Figure fig;
  fig.axes().line({1, 2, 3});
  try {
    fig.save(dir.path / "f.png");
    FAIL() << "expected soma::Error";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("gnuplot"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir.path / "f.png"));
}

TEST(PlotGnuplot, FailingGnuplotReportsItsStderr) {
  ScratchDir dir;
  const fs::path fake = dir.path / "fake-gnuplot";
  soma::write_file_atomic(fake, "#!/bin/sh\necho 'line 3: unrecognized plot type' >&2\nexit 1\n");
  fs::permissions(fake, fs::perms::owner_all);
  ScopedEnv gnuplot("SOMA_GNUPLOT", fake.string());
  plot::Figure fig;
  fig.axes().line({1, 2, 3});
  try {
    fig.save(dir.path / "f.svg");
    FAIL() << "expected soma::Error";
  } catch (const soma::Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("exit status 1"), std::string::npos) << what;
    EXPECT_NE(what.find("unrecognized plot type"), std::string::npos) << what;
  }
  EXPECT_FALSE(fs::exists(dir.path / "f.svg"));
}

TEST(PlotGnuplot, GnuplotThatWritesNothingIsAnError) {
  ScratchDir dir;
  ScopedEnv gnuplot("SOMA_GNUPLOT", "true");
  plot::Figure fig;
  fig.axes().line({1, 2, 3});
  EXPECT_THROW(fig.save(dir.path / "f.pdf"), soma::Error);
}
