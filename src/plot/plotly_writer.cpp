// Interactive HTML: the figure as Plotly.js traces and layout (JSON), in a page that fills
// the window. Plotly.js is loaded from soma's installed copy (a page of a few kB plus its
// data) or, with Figure::embed_plotly, embedded so the file opens anywhere offline.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>

#include "plot/style.hpp"
#include "plot/writers.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"

namespace soma::plot {

namespace {
namespace fs = std::filesystem;
using nlohmann::json;

// Plotly's subplot axes are named x, x2, x3... in layout keys xaxis, xaxis2...
std::string suffix(std::size_t i) { return i == 0 ? "" : std::to_string(i + 1); }

json values(const std::vector<double>& v) {
  json out = json::array();
  for (double x : v) out.push_back(std::isfinite(x) ? json(x) : json(nullptr));
  return out;
}

json axis_range(const std::optional<Range>& r, bool log) {
  // A log axis's range is given in decades.
  if (!log) return json::array({r->lo, r->hi});
  return json::array({std::log10(r->lo), std::log10(r->hi)});
}

json colorscale(const std::string& name) {
  json scale = json::array();
  for (const auto& [pos, color] : detail::colormap_stops(name)) scale.push_back({pos, color});
  return scale;
}

json legend_at(LegendPosition p, double x0, double x1, double y0, double y1) {
  if (p == LegendPosition::outside_right)
    return {{"x", x1 + 0.01},
            {"xanchor", "left"},
            {"y", y1},
            {"yanchor", "top"},
            {"itemsizing", "constant"}};
  bool left = p == LegendPosition::top_left || p == LegendPosition::bottom_left;
  bool bottom = p == LegendPosition::bottom_left || p == LegendPosition::bottom_right;
  return {{"x", left ? x0 + 0.01 : x1 - 0.01},
          {"xanchor", left ? "left" : "right"},
          {"y", bottom ? y0 + 0.01 : y1 - 0.01},
          {"yanchor", bottom ? "bottom" : "top"},
          {"bgcolor", "rgba(255,255,255,0.7)"},
          // Legend markers at a readable size, whatever the size of the points.
          {"itemsizing", "constant"}};
}

}  // namespace

std::string Figure::plotly_json() const {
  json data = json::array();
  // No width or height: the page fills the browser window and follows its size.
  json layout = {{"autosize", true},
                 {"showlegend", true},
                 {"template", {{"layout", {{"plot_bgcolor", "#ffffff"}}}}},
                 {"annotations", json::array()}};
  if (!title.empty()) layout["title"] = {{"text", title}};
  const double gap_x = 0.08 / options_.cols, gap_y = 0.12 / options_.rows;
  const double top = title.empty() ? 1.0 : 0.94;
  // A column whose axes put a legend outside keeps room on its right for the widest one,
  // the same for every axes in it, so stacked axes keep the same width.
  std::vector<double> room(static_cast<std::size_t>(options_.cols), 0.0);
  const double panel_w = static_cast<double>(options_.width) / options_.cols,
               panel_h = static_cast<double>(options_.height) / options_.rows;
  for (std::size_t i = 0; i < axes_.size(); ++i) {
    const Axes& ax = axes_[i];
    if (!detail::has_legend_entries(ax) ||
        detail::legend_position(ax, panel_w - 90, panel_h - 70) != LegendPosition::outside_right)
      continue;
    std::size_t longest = 0;
    for (const auto& l : detail::legend_labels(ax)) longest = std::max(longest, l.size());
    double& r = room[i % static_cast<std::size_t>(options_.cols)];
    r = std::max(r, std::min(0.5 / options_.cols, (7.0 * static_cast<double>(longest) + 50) /
                                                      static_cast<double>(options_.width)));
  }

  for (std::size_t i = 0; i < axes_.size(); ++i) {
    const Axes& ax = axes_[i];
    const int row = static_cast<int>(i) / options_.cols, col = static_cast<int>(i) % options_.cols;
    const double x0 = static_cast<double>(col) / options_.cols + gap_x,
                 x1 = static_cast<double>(col + 1) / options_.cols - gap_x -
                      room[static_cast<std::size_t>(col)];
    const double y1 = top - static_cast<double>(row) * top / options_.rows - gap_y,
                 y0 = top - static_cast<double>(row + 1) * top / options_.rows + gap_y;
    const std::string sx = suffix(i), legend = "legend" + suffix(i);
    const bool is3d = ax.is_3d();

    if (!ax.title.empty())
      layout["annotations"].push_back({{"text", "<b>" + ax.title + "</b>"},
                                       {"x", (x0 + x1) / 2},
                                       {"y", y1},
                                       {"xref", "paper"},
                                       {"yref", "paper"},
                                       {"xanchor", "center"},
                                       {"yanchor", "bottom"},
                                       {"showarrow", false}});
    if (detail::has_legend_entries(ax))
      layout[legend] =
          legend_at(detail::legend_position(ax, panel_w - 90, panel_h - 70), x0, x1, y0, y1);

    auto axis = [&](const std::string& label, bool log, const std::optional<Range>& lim) {
      json a = {{"title", {{"text", label}}}, {"showgrid", ax.grid}, {"zeroline", false}};
      if (log) a["type"] = "log";
      if (lim) a["range"] = axis_range(lim, log);
      return a;
    };
    json xa = axis(ax.xlabel, ax.xlog, ax.xlim), ya = axis(ax.ylabel, ax.ylog, ax.ylim);
    if (is3d) {
      // A scene draws its tick labels inside its domain: it takes the whole cell below
      // its title, a few ticks a side, and a camera further out and lower than Plotly's
      // default (1.25, 1.25, 1.25), from which no axis is seen end-on with its tick
      // labels crowded together or cut off at the domain's edge.
      json za = axis(ax.zlabel, false, ax.zlim);
      for (json* a : {&xa, &ya, &za}) (*a)["nticks"] = 6, (*a)["tickfont"] = {{"size", 10}};
      json scene = {{"domain", {{"x", {x0 - gap_x / 2, x1 + gap_x / 2}}, {"y", {y0 - gap_y, y1}}}},
                    {"xaxis", xa},
                    {"yaxis", ya},
                    {"zaxis", za},
                    {"camera", {{"eye", {{"x", 1.7}, {"y", -1.5}, {"z", 0.7}}}}}};
      layout["scene" + sx] = scene;
    } else {
      xa["domain"] = {x0, x1};
      xa["anchor"] = "y" + sx;
      ya["domain"] = {y0, y1};
      ya["anchor"] = "x" + sx;
      layout["xaxis" + sx] = xa;
      layout["yaxis" + sx] = ya;
    }

    std::size_t color_index = 0, bar_series = 0, bar_k = 0;
    auto next_color = [&](const std::string& given) {
      return given.empty() ? detail::cycle_color(color_index++) : given;
    };
    for (const auto& s : ax.series())
      if (std::holds_alternative<BarSeries>(s)) ++bar_series;

    for (const auto& series : ax.series()) {
      json t;
      std::string label;
      if (const auto* l = std::get_if<LineSeries>(&series)) {
        label = l->opt.label;
        t = {{"type", "scatter"},
             {"mode", l->opt.markers ? "lines+markers" : "lines"},
             {"x", values(l->x)},
             {"y", values(l->y)},
             {"line",
              {{"color", next_color(l->opt.color)},
               {"width", l->opt.width},
               {"dash", l->opt.dash ? "dash" : "solid"}}}};
      } else if (const auto* p = std::get_if<ScatterSeries>(&series)) {
        if (p->opt.classes.empty()) {
          label = p->opt.label;
          t = {{"type", "scattergl"},
               {"mode", "markers"},
               {"x", values(p->x)},
               {"y", values(p->y)},
               {"marker", {{"color", next_color(p->opt.color)}, {"size", p->opt.size}}}};
        } else {
          // A trace per class: clicking a legend entry hides that class.
          for (long id : detail::class_ids(*p)) {
            std::vector<double> xs, ys;
            for (std::size_t k = 0; k < p->x.size(); ++k)
              if (std::lround(p->opt.classes.v[k]) == id)
                xs.push_back(p->x[k]), ys.push_back(p->y[k]);
            json c = {{"type", "scattergl"},
                      {"mode", "markers"},
                      {"name", detail::class_name(*p, id)},
                      {"x", values(xs)},
                      {"y", values(ys)},
                      {"marker",
                       {{"color", detail::cycle_color(static_cast<std::size_t>(id))},
                        {"size", p->opt.size}}},
                      {"xaxis", "x" + sx},
                      {"yaxis", "y" + sx},
                      {"legend", legend}};
            data.push_back(std::move(c));
          }
          continue;
        }
      } else if (const auto* h = std::get_if<HeatmapSeries>(&series)) {
        json z = json::array();
        for (std::size_t r = 0; r < h->rows; ++r)
          z.push_back(values(
              std::vector<double>(h->values.begin() + static_cast<long>(r * h->cols),
                                  h->values.begin() + static_cast<long>((r + 1) * h->cols))));
        t = {{"type", "heatmap"},
             {"z", z},
             {"colorscale", colorscale(h->opt.colormap)},
             {"showscale", h->opt.colorbar},
             {"showlegend", false}};
        if (!h->opt.x_labels.empty()) t["x"] = h->opt.x_labels;
        if (!h->opt.y_labels.empty()) t["y"] = h->opt.y_labels;
        if (h->opt.zlim) t["zmin"] = h->opt.zlim->lo, t["zmax"] = h->opt.zlim->hi;
        if (h->opt.colorbar)
          t["colorbar"] = {{"x", x1 + 0.01},
                           {"xanchor", "left"},
                           {"y", (y0 + y1) / 2},
                           {"len", y1 - y0},
                           {"title", {{"text", h->opt.label}}}};
        if (h->opt.annotate) t["texttemplate"] = "%{z:.3g}";
        if (h->opt.x_extent || h->opt.y_extent) {
          // Data coordinates, row 0 at the bottom, as in the gnuplot writer.
          const Range xe =
              h->opt.x_extent.value_or(Range{-0.5, static_cast<double>(h->cols) - 0.5});
          const Range ye =
              h->opt.y_extent.value_or(Range{-0.5, static_cast<double>(h->rows) - 0.5});
          const double dx = (xe.hi - xe.lo) / static_cast<double>(h->cols);
          const double dy = (ye.hi - ye.lo) / static_cast<double>(h->rows);
          t["x0"] = xe.lo + dx / 2, t["dx"] = dx, t["y0"] = ye.lo + dy / 2, t["dy"] = dy;
        } else if (!ax.ylim) {
          // Matrix convention as in the gnuplot writer: row 0 at the top.
          layout["yaxis" + sx]["autorange"] = "reversed";
        }
      } else if (const auto* g = std::get_if<HistSeries>(&series)) {
        label = g->opt.label;
        std::vector<double> centre, width;
        for (std::size_t k = 0; k + 1 < g->edges.size(); ++k) {
          centre.push_back((g->edges[k] + g->edges[k + 1]) / 2);
          width.push_back(g->edges[k + 1] - g->edges[k]);
        }
        t = {{"type", "bar"},
             {"x", values(centre)},
             {"y", values(g->heights)},
             {"width", values(width)},
             {"marker", {{"color", next_color(g->opt.color)}, {"line", {{"width", 0.5}}}}}};
      } else if (const auto* b = std::get_if<BarSeries>(&series)) {
        label = b->opt.label;
        std::vector<double> pos;
        for (std::size_t j = 0; j < b->values.size(); ++j)
          pos.push_back(static_cast<double>(j) + detail::bar_offset(bar_k, bar_series));
        ++bar_k;
        t = {{"type", "bar"},
             {"x", values(pos)},
             {"y", values(b->values)},
             {"width", detail::bar_width(bar_series)},
             {"hovertext", b->names},
             {"hoverinfo", "text+y"},
             {"marker", {{"color", next_color(b->opt.color)}}}};
        std::vector<double> ticks;
        for (std::size_t j = 0; j < b->names.size(); ++j) ticks.push_back(static_cast<double>(j));
        layout["xaxis" + sx]["tickvals"] = ticks;
        layout["xaxis" + sx]["ticktext"] = b->names;
      } else if (const auto* l3 = std::get_if<Line3dSeries>(&series)) {
        label = l3->opt.label;
        t = {{"type", "scatter3d"},
             {"mode", "lines"},
             {"x", values(l3->x)},
             {"y", values(l3->y)},
             {"z", values(l3->z)},
             {"scene", "scene" + sx},
             {"line", {{"color", next_color(l3->opt.color)}, {"width", l3->opt.width * 2}}}};
      }
      if (!is3d) t["xaxis"] = "x" + sx, t["yaxis"] = "y" + sx;
      if (!label.empty() && ax.legend)
        t["name"] = label, t["legend"] = legend;
      else if (!t.contains("showlegend"))
        t["showlegend"] = false;
      data.push_back(std::move(t));
    }
  }
  json fig = {{"data", data}, {"layout", layout}};
  // Labels are free text: bytes that are not UTF-8 become U+FFFD instead of failing.
  return fig.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

// "&" and "<" escaped, for text inside an HTML element.
std::string html_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

// A file:// URL of an absolute path, every byte outside [A-Za-z0-9/._~-] percent-encoded.
std::string file_url(const fs::path& path) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : fs::absolute(path).lexically_normal().string()) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '_' || c == '~' || c == '-')
      out += static_cast<char>(c);
    else
      out += '%', out += hex[c >> 4], out += hex[c & 15];
  }
  return out;
}

// Plotly.js's text, read once per process (it is 4-5 MB).
std::string plotly_source(const fs::path& path) {
  static std::mutex mutex;
  static std::string cached_path, cached;
  std::lock_guard lock(mutex);
  if (cached_path != path.string()) cached = read_file(path), cached_path = path.string();
  return cached;
}

}  // namespace

std::string Figure::html() const {
  const fs::path path = plotly_js_path();
  // "</" inside a <script> would end it early; JSON allows the escaped form "<\/".
  std::string spec = plotly_json();
  for (std::size_t at = 0; (at = spec.find("</", at)) != std::string::npos; at += 3)
    spec.replace(at, 2, "<\\/");
  const std::string url = file_url(path);
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  out += html_text(title.empty() ? "soma figure" : title) + "</title>\n";
  // The figure fills the window and follows it when resized (responsive: true below).
  out += "<style>html, body { height: 100%; margin: 0; }\n";
  out += "#soma-figure { width: 100vw; height: 100vh; }</style>\n";
  if (embed_plotly)
    out += "<script>\n" + plotly_source(path) + "\n</script>\n";
  else
    out += "<script src=\"" + url + "\"></script>\n";
  out += "</head>\n<body>\n<div id=\"soma-figure\"></div>\n<script>\n";
  out += "const figure = " + spec + ";\n";
  out += "if (typeof Plotly === 'undefined')\n";
  out += "  document.getElementById('soma-figure').textContent = " +
         nlohmann::json("Plotly.js did not load from " + url +
                        " (moved, or this soma is not installed here): save the figure again "
                        "with embed_plotly, or open it where soma is installed.")
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         ";\n";
  out += "else\n  Plotly.newPlot('soma-figure', figure.data, figure.layout, ";
  out += "{displaylogo: false, responsive: true});\n";
  out += "</script>\n</body>\n</html>\n";
  return out;
}

namespace detail {
void write_html(const Figure& fig, const fs::path& path) { write_file_atomic(path, fig.html()); }
}  // namespace detail

}  // namespace soma::plot
