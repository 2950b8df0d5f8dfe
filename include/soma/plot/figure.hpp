#pragma once
// One figure model, written by file extension: .png, .svg and .pdf through gnuplot
// (a real plotting engine run as a child process; soma never rasterises by hand) and
// .html as an interactive page (Plotly.js) that fills the browser window.
//
//   #include <soma/plot/figure.hpp>
//   namespace plot = soma::plot;
//
//   plot::Figure fig({.rows = 1, .cols = 2, .width = 1000, .height = 400});
//   auto& loss = fig.axes(0, 0);
//   loss.title = "Loss";
//   loss.xlabel = "epoch";
//   loss.ylog = true;
//   loss.line(epochs, train_loss, {.label = "train"});
//   loss.line(epochs, test_loss, {.label = "test", .dash = true});
//
//   auto& emb = fig.axes(0, 1);
//   emb.title = "t-SNE";
//   emb.scatter(x, y, {.classes = labels, .class_names = {"T-shirt", "Trouser", ...}});
//
//   fig.save("training.png");   // or .svg, .pdf, .html
//
// Other series: heatmap(values, rows, cols, {.colorbar = true}) for a row-major matrix,
// hist(values, {.bins = 30}), bars(names, values), line3d(x, y, z). Every data argument
// takes any numeric range (std::vector<float>, std::vector<int>, std::array, {1, 2, 3}).
//
// gnuplot is found on PATH (or at $SOMA_GNUPLOT); Plotly.js at $SOMA_PLOTLY_JS, else in
// the source tree's web/node_modules (run `npm ci --prefix web` once), else beside an
// installed soma in share/soma/plotly.min.js. A missing tool throws soma::Error saying so.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace soma::plot {

namespace detail {
using std::begin;
using std::end;
// A range of numbers: what begin/end (members, arrays, or found by ADL) walk over gives
// arithmetic values. Spelled without <ranges> (~0.1 s of every includer's compile time
// with GCC 12, bench/headers); <vector> declares std::begin and std::end.
template <class R>
concept ArithmeticRange = requires(const R& r) {
  begin(r) != end(r);
  requires std::is_arithmetic_v<std::remove_cvref_t<decltype(*begin(r))>>;
};
}  // namespace detail

// Numbers to plot, copied from any range of arithmetic values.
struct Values {
  std::vector<double> v;

  Values() = default;
  Values(std::vector<double> values) : v(std::move(values)) {}
  Values(std::initializer_list<double> values) : v(values) {}
  template <detail::ArithmeticRange R>
  requires(!std::is_same_v<std::remove_cvref_t<R>, std::vector<double>>) Values(const R& values) {
    for (const auto& x : values) v.push_back(static_cast<double>(x));
  }
  std::size_t size() const { return v.size(); }
  bool empty() const { return v.empty(); }
};

// A closed interval for an axis; on a log axis both ends must be positive.
struct Range {
  double lo = 0, hi = 1;
};

// Colours are "#rrggbb"; empty means "next colour of the axes' cycle" (matplotlib's tab10).

struct LineOptions {
  std::string label{};  // legend entry; empty: not in the legend
  std::string color{};
  double width = 1.5;
  bool dash = false;
  bool markers = false;
};

struct ScatterOptions {
  std::string label{};
  // Per-point class (integer-valued, >= 0): each class gets its own colour and legend entry.
  Values classes{};
  std::vector<std::string> class_names{};  // name of class k; absent names print as k
  std::string color{};                     // ignored when classes are given
  double size = 4;                         // marker size in pixels
};

struct HeatmapOptions {
  bool colorbar = true;
  std::string colormap = "viridis";                 // "viridis", "gray", "coolwarm"
  std::vector<std::string> x_labels{}, y_labels{};  // tick labels of columns / rows
  bool annotate = false;                            // print each cell's value in it
  std::optional<Range> zlim{};                      // colour scale limits; default data min..max
  std::string label{};                              // colour bar title
  // The data ranges the columns / rows span (cell c covers lo + c*(hi-lo)/cols onward).
  // With them the map is drawn in data coordinates, row 0 at the bottom, so other series
  // (the minimum of a loss landscape) can be drawn over it; without them it is a matrix,
  // row 0 at the top, cells centred on whole numbers.
  std::optional<Range> x_extent{}, y_extent{};
};

struct HistOptions {
  int bins = 30;
  std::optional<Range> range{};  // default: data min..max
  bool density = false;          // normalise so the bars' area is 1
  std::string label{};
  std::string color{};
};

struct BarOptions {
  std::string label{};  // several bars() calls on one axes draw grouped bars
  std::string color{};
};

struct Line3dOptions {
  std::string label{};
  std::string color{};
  double width = 1.5;
};

// The series an Axes holds, in drawing order; histograms are stored already binned.
struct LineSeries {
  std::vector<double> x{}, y{};
  LineOptions opt{};
};
struct ScatterSeries {
  std::vector<double> x{}, y{};
  ScatterOptions opt{};
};
struct HeatmapSeries {
  std::vector<double> values{};  // row-major rows x cols
  std::size_t rows = 0, cols = 0;
  HeatmapOptions opt{};
};
struct HistSeries {
  std::vector<double> edges{}, heights{};  // edges.size() == heights.size() + 1
  HistOptions opt{};
};
struct BarSeries {
  std::vector<std::string> names{};
  std::vector<double> values{};
  BarOptions opt{};
};
struct Line3dSeries {
  std::vector<double> x{}, y{}, z{};
  Line3dOptions opt{};
};
using Series =
    std::variant<LineSeries, ScatterSeries, HeatmapSeries, HistSeries, BarSeries, Line3dSeries>;

// `best` (the default) puts the legend in the first corner, of top right, top left, bottom
// right and bottom left, that no line or point of the axes crosses, and outside to the
// right of the axes when every corner holds data; `outside_right` always puts it there.
enum class LegendPosition { best, top_right, top_left, bottom_right, bottom_left, outside_right };

class Axes {
 public:
  std::string title{}, xlabel{}, ylabel{}, zlabel{};
  std::optional<Range> xlim{}, ylim{}, zlim{};
  bool xlog = false, ylog = false;
  bool grid = true;
  bool legend = true;  // shown when a series has a label
  LegendPosition legend_position = LegendPosition::best;

  // Each adder checks its input (equal lengths, finite bins...) and throws soma::Error.
  Axes& line(Values x, Values y, LineOptions options = {});
  Axes& line(Values y, LineOptions options = {});  // x = 0, 1, 2, ...
  Axes& scatter(Values x, Values y, ScatterOptions options = {});
  Axes& heatmap(Values values, std::size_t rows, std::size_t cols, HeatmapOptions options = {});
  Axes& hist(Values values, HistOptions options = {});
  Axes& bars(std::vector<std::string> names, Values values, BarOptions options = {});
  Axes& line3d(Values x, Values y, Values z, Line3dOptions options = {});

  const std::vector<Series>& series() const { return series_; }
  // True once a 3-D series was added: the axes is drawn as a 3-D scene.
  bool is_3d() const;

 private:
  std::vector<Series> series_{};
};

struct FigureOptions {
  int rows = 1, cols = 1;
  int width = 800, height = 600;  // pixels (PDF: 1/100 inch each)
  std::string title{};            // over all subplots
};

class Figure {
 public:
  explicit Figure(FigureOptions options = {});

  // The subplot at (row, col), counted from the top left; throws soma::Error out of range.
  Axes& axes(int row = 0, int col = 0);
  const Axes& axes(int row, int col) const;
  const FigureOptions& options() const { return options_; }
  std::string title{};  // starts as options.title

  // Writes by extension: .png .svg .pdf (gnuplot) or .html (Plotly.js), atomically.
  // With SOMA_PLOT_STRICT=1 in the environment it first throws soma::Error listing
  // blemishes() instead, if there are any: the example tests set it.
  void save(const std::string& path) const;

  // What makes the figure hard to read, one line per problem ("axes (0, 1) 'loss': no y
  // label"); empty when none. Checked: every 2-D axes that holds a series names its x and
  // y axes, except where bar or heatmap tick labels name them already, where an axes
  // below it with the same x limits names the shared x axis, and in pictures (heatmaps
  // without a colour bar).
  std::vector<std::string> blemishes() const;

  // How an .html page gets Plotly.js (4-5 MB): false (the default) loads it from where
  // soma installed it (plotly_js_path(), as a file:// URL), so the page is a few kB plus
  // its data but opens only where that soma is; true embeds it, so the page opens
  // anywhere without a network.
  bool embed_plotly = false;

  // The texts the writers produce, for callers that embed them elsewhere (the dashboard).
  // `terminal` is "png", "svg" or "pdf"; `output` the file gnuplot writes.
  std::string gnuplot_script(const std::string& terminal, const std::string& output) const;
  std::string plotly_json() const;  // {"data": [...], "layout": {...}}
  std::string html() const;         // a whole page that fills the window (see embed_plotly)

 private:
  FigureOptions options_;
  std::vector<Axes> axes_;
};

// Where Plotly.js is read from (see the top of this file); throws soma::Error when absent.
std::string plotly_js_path();

}  // namespace soma::plot
