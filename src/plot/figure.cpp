// The figure model: validation of what is added, and save() choosing a writer by extension.
#include "soma/plot/figure.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "plot/style.hpp"
#include "plot/writers.hpp"
#include "soma/core/error.hpp"

namespace soma::plot {

namespace {

void check_same_length(const char* what, const char* a, std::size_t na, const char* b,
                       std::size_t nb) {
  if (na != nb)
    throw Error(std::string("plot: ") + what + ": " + a + " has " + std::to_string(na) +
                " values but " + b + " has " + std::to_string(nb) + " (expected equal lengths)");
}

void check_not_empty(const char* what, std::size_t n) {
  if (n == 0) throw Error(std::string("plot: ") + what + ": no data points (expected at least 1)");
}

void check_color(const char* what, const std::string& color) {
  bool ok = color.empty() ||
            (color.size() == 7 && color[0] == '#' &&
             std::all_of(color.begin() + 1, color.end(), [](char c) { return std::isxdigit(c); }));
  if (!ok)
    throw Error(std::string("plot: ") + what + ": colour '" + color +
                "' is not of the form #rrggbb");
}

}  // namespace

bool Axes::is_3d() const {
  return std::any_of(series_.begin(), series_.end(),
                     [](const Series& s) { return std::holds_alternative<Line3dSeries>(s); });
}

static void check_dimension(const Axes& ax, bool adding_3d, const char* what) {
  if (ax.series().empty()) return;
  if (ax.is_3d() != adding_3d)
    throw Error(std::string("plot: ") + what + ": cannot mix 3-D and 2-D series in one axes" +
                " (expected a separate subplot)");
}

Axes& Axes::line(Values x, Values y, LineOptions options) {
  check_same_length("line", "x", x.size(), "y", y.size());
  check_not_empty("line", x.size());
  check_color("line", options.color);
  check_dimension(*this, false, "line");
  series_.push_back(LineSeries{std::move(x.v), std::move(y.v), std::move(options)});
  return *this;
}

Axes& Axes::line(Values y, LineOptions options) {
  std::vector<double> x(y.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
  return line(Values(std::move(x)), std::move(y), std::move(options));
}

Axes& Axes::scatter(Values x, Values y, ScatterOptions options) {
  check_same_length("scatter", "x", x.size(), "y", y.size());
  check_not_empty("scatter", x.size());
  check_color("scatter", options.color);
  check_dimension(*this, false, "scatter");
  if (!options.classes.empty()) {
    check_same_length("scatter", "x", x.size(), "classes", options.classes.size());
    for (std::size_t i = 0; i < options.classes.size(); ++i) {
      double c = options.classes.v[i];
      if (!(c >= 0) || c != std::floor(c) || c > 1e9)
        throw Error("plot: scatter: classes[" + std::to_string(i) + "] = " + std::to_string(c) +
                    " (expected a whole number >= 0)");
    }
  }
  if (!(options.size > 0)) throw Error("plot: scatter: marker size must be > 0");
  series_.push_back(ScatterSeries{std::move(x.v), std::move(y.v), std::move(options)});
  return *this;
}

Axes& Axes::heatmap(Values values, std::size_t rows, std::size_t cols, HeatmapOptions options) {
  if (rows == 0 || cols == 0)
    throw Error("plot: heatmap: shape " + std::to_string(rows) + "x" + std::to_string(cols) +
                " is empty (expected rows, cols >= 1)");
  if (values.size() != rows * cols)
    throw Error("plot: heatmap: " + std::to_string(values.size()) + " values for a " +
                std::to_string(rows) + "x" + std::to_string(cols) + " matrix (expected " +
                std::to_string(rows * cols) + ", row-major)");
  if (!options.x_labels.empty() && options.x_labels.size() != cols)
    throw Error("plot: heatmap: " + std::to_string(options.x_labels.size()) + " x_labels for " +
                std::to_string(cols) + " columns (expected one per column)");
  if (!options.y_labels.empty() && options.y_labels.size() != rows)
    throw Error("plot: heatmap: " + std::to_string(options.y_labels.size()) + " y_labels for " +
                std::to_string(rows) + " rows (expected one per row)");
  if (options.zlim && !(options.zlim->lo < options.zlim->hi))
    throw Error("plot: heatmap: zlim is empty (expected lo < hi)");
  if ((options.x_extent && !options.x_labels.empty()) ||
      (options.y_extent && !options.y_labels.empty()))
    throw Error("plot: heatmap: tick labels and an extent for the same axis (expected one)");
  for (const auto& [name, extent] :
       {std::pair{"x_extent", options.x_extent}, std::pair{"y_extent", options.y_extent}})
    if (extent &&
        !(extent->lo < extent->hi && std::isfinite(extent->lo) && std::isfinite(extent->hi)))
      throw Error(std::string("plot: heatmap: ") + name + " [" + detail::number(extent->lo) + ", " +
                  detail::number(extent->hi) + "] is empty (expected finite lo < hi)");
  (void)detail::colormap_stops(options.colormap);  // throws for an unknown name
  check_dimension(*this, false, "heatmap");
  series_.push_back(HeatmapSeries{std::move(values.v), rows, cols, std::move(options)});
  return *this;
}

// Bins like numpy.histogram: equal widths over the range, the last bin closed on the right.
Axes& Axes::hist(Values values, HistOptions options) {
  if (options.bins < 1 || options.bins > 100000)
    throw Error("plot: hist: bins = " + std::to_string(options.bins) + " (expected 1 to 100000)");
  check_color("hist", options.color);
  check_dimension(*this, false, "hist");
  double lo = INFINITY, hi = -INFINITY;
  if (options.range) {
    lo = options.range->lo;
    hi = options.range->hi;
    if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi))
      throw Error("plot: hist: range [" + detail::number(lo) + ", " + detail::number(hi) +
                  "] is empty (expected finite lo < hi)");
  } else {
    for (double x : values.v)
      if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
    if (!std::isfinite(lo))
      throw Error("plot: hist: no finite values among " + std::to_string(values.size()));
    if (lo == hi) lo -= 0.5, hi += 0.5;
  }
  const auto bins = static_cast<std::size_t>(options.bins);
  HistSeries s;
  s.edges.resize(bins + 1);
  for (std::size_t i = 0; i <= bins; ++i)
    s.edges[i] = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(bins);
  s.heights.assign(bins, 0.0);
  double counted = 0;
  for (double x : values.v) {
    if (!(x >= lo && x <= hi)) continue;
    auto k = static_cast<std::size_t>((x - lo) / (hi - lo) * static_cast<double>(bins));
    s.heights[std::min(k, bins - 1)] += 1;
    counted += 1;
  }
  if (options.density && counted > 0)
    for (std::size_t i = 0; i < bins; ++i) s.heights[i] /= counted * (s.edges[i + 1] - s.edges[i]);
  s.opt = std::move(options);
  series_.push_back(std::move(s));
  return *this;
}

Axes& Axes::bars(std::vector<std::string> names, Values values, BarOptions options) {
  check_same_length("bars", "names", names.size(), "values", values.size());
  check_not_empty("bars", names.size());
  check_color("bars", options.color);
  check_dimension(*this, false, "bars");
  for (const auto& s : series_)
    if (const auto* b = std::get_if<BarSeries>(&s); b && b->names != names)
      throw Error("plot: bars: grouped bars need the same names in every call");
  series_.push_back(BarSeries{std::move(names), std::move(values.v), std::move(options)});
  return *this;
}

Axes& Axes::line3d(Values x, Values y, Values z, Line3dOptions options) {
  check_same_length("line3d", "x", x.size(), "y", y.size());
  check_same_length("line3d", "x", x.size(), "z", z.size());
  check_not_empty("line3d", x.size());
  check_color("line3d", options.color);
  check_dimension(*this, true, "line3d");
  series_.push_back(Line3dSeries{std::move(x.v), std::move(y.v), std::move(z.v), options});
  return *this;
}

Figure::Figure(FigureOptions options) : title(options.title), options_(std::move(options)) {
  if (options_.rows < 1 || options_.cols < 1 || options_.rows * options_.cols > 400)
    throw Error("plot: figure layout " + std::to_string(options_.rows) + "x" +
                std::to_string(options_.cols) + " (expected 1 to 400 subplots)");
  if (options_.width < 16 || options_.height < 16 || options_.width > 20000 ||
      options_.height > 20000)
    throw Error("plot: figure size " + std::to_string(options_.width) + "x" +
                std::to_string(options_.height) + " (expected 16 to 20000 pixels a side)");
  axes_.resize(static_cast<std::size_t>(options_.rows * options_.cols));
}

Axes& Figure::axes(int row, int col) {
  return const_cast<Axes&>(static_cast<const Figure&>(*this).axes(row, col));
}

const Axes& Figure::axes(int row, int col) const {
  if (row < 0 || row >= options_.rows || col < 0 || col >= options_.cols)
    throw Error("plot: axes(" + std::to_string(row) + ", " + std::to_string(col) +
                ") outside the " + std::to_string(options_.rows) + "x" +
                std::to_string(options_.cols) + " layout");
  return axes_[static_cast<std::size_t>(row * options_.cols + col)];
}

std::vector<std::string> Figure::blemishes() const {
  std::vector<std::string> out;
  for (int r = 0; r < options_.rows; ++r)
    for (int c = 0; c < options_.cols; ++c) {
      const Axes& ax = axes(r, c);
      if (ax.series().empty() || ax.is_3d()) continue;
      bool x_named = false, y_named = false, picture = true;
      for (const auto& s : ax.series()) {
        if (std::holds_alternative<BarSeries>(s)) x_named = true;
        const auto* h = std::get_if<HeatmapSeries>(&s);
        if (h) {
          x_named = x_named || !h->opt.x_labels.empty();
          y_named = y_named || !h->opt.y_labels.empty();
        }
        // A heatmap without a colour bar is a picture (an image mosaic): its pixel
        // axes have nothing to name.
        picture = picture && h && !h->opt.colorbar;
      }
      if (picture) continue;
      // Stacked axes share an x axis named once, at the bottom: an axes below in the
      // same column with an x label and the same x limits.
      for (int below = r + 1; below < options_.rows && !x_named; ++below) {
        const Axes& b = axes(below, c);
        x_named = !b.xlabel.empty() && ax.xlim && b.xlim && ax.xlim->lo == b.xlim->lo &&
                  ax.xlim->hi == b.xlim->hi;
      }
      const std::string where = "axes (" + std::to_string(r) + ", " + std::to_string(c) + ")" +
                                (ax.title.empty() ? "" : " '" + ax.title + "'");
      if (ax.xlabel.empty() && !x_named) out.push_back(where + ": no x label");
      if (ax.ylabel.empty() && !y_named) out.push_back(where + ": no y label");
    }
  return out;
}

void Figure::save(const std::string& file) const {
  const std::filesystem::path path(file);
  if (const char* strict = std::getenv("SOMA_PLOT_STRICT"); strict && std::string(strict) == "1") {
    const auto problems = blemishes();
    if (!problems.empty()) {
      std::string list;
      for (const auto& p : problems) list += "\n  " + p;
      throw Error("plot: " + path.string() + " (SOMA_PLOT_STRICT=1):" + list);
    }
  }
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".png" || ext == ".svg" || ext == ".pdf")
    detail::render_gnuplot(*this, ext.substr(1), path);
  else if (ext == ".html" || ext == ".htm")
    detail::write_html(*this, path);
  else
    throw Error("plot: cannot write '" + path.string() + "': unknown extension '" + ext +
                "' (expected .png, .svg, .pdf or .html)");
}

}  // namespace soma::plot
