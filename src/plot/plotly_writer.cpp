// Interactive HTML: the figure as Plotly.js traces and layout (JSON), in one page with
// Plotly.js itself embedded, so the file opens anywhere without a network.
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
  bool left = p == LegendPosition::top_left || p == LegendPosition::bottom_left;
  bool bottom = p == LegendPosition::bottom_left || p == LegendPosition::bottom_right;
  return {{"x", left ? x0 + 0.01 : x1 - 0.01},
          {"xanchor", left ? "left" : "right"},
          {"y", bottom ? y0 + 0.01 : y1 - 0.01},
          {"yanchor", bottom ? "bottom" : "top"},
          {"bgcolor", "rgba(255,255,255,0.7)"}};
}

}  // namespace

std::string Figure::plotly_json() const {
  json data = json::array();
  json layout = {{"width", options_.width},
                 {"height", options_.height},
                 {"showlegend", true},
                 {"template", {{"layout", {{"plot_bgcolor", "#ffffff"}}}}},
                 {"annotations", json::array()}};
  if (!title.empty()) layout["title"] = {{"text", title}};
  const double gap_x = 0.08 / options_.cols, gap_y = 0.12 / options_.rows;
  const double top = title.empty() ? 1.0 : 0.94;

  for (std::size_t i = 0; i < axes_.size(); ++i) {
    const Axes& ax = axes_[i];
    const int row = static_cast<int>(i) / options_.cols, col = static_cast<int>(i) % options_.cols;
    const double x0 = static_cast<double>(col) / options_.cols + gap_x,
                 x1 = static_cast<double>(col + 1) / options_.cols - gap_x;
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
      layout[legend] = legend_at(ax.legend_position, x0, x1, y0, y1);

    auto axis = [&](const std::string& label, bool log, const std::optional<Range>& lim) {
      json a = {{"title", {{"text", label}}}, {"showgrid", ax.grid}, {"zeroline", false}};
      if (log) a["type"] = "log";
      if (lim) a["range"] = axis_range(lim, log);
      return a;
    };
    json xa = axis(ax.xlabel, ax.xlog, ax.xlim), ya = axis(ax.ylabel, ax.ylog, ax.ylim);
    if (is3d) {
      json scene = {{"domain", {{"x", {x0, x1}}, {"y", {y0, y1}}}},
                    {"xaxis", xa},
                    {"yaxis", ya},
                    {"zaxis", axis(ax.zlabel, false, ax.zlim)}};
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

std::string Figure::html() const {
  // Plotly.js is 4-5 MB; read it once per process.
  static std::mutex mutex;
  static std::string cached_path, cached;
  const fs::path path = plotly_js_path();
  std::string plotly;
  {
    std::lock_guard lock(mutex);
    if (cached_path != path.string()) cached = read_file(path), cached_path = path.string();
    plotly = cached;
  }
  // "</" inside a <script> would end it early; JSON allows the escaped form "<\/".
  std::string spec = plotly_json();
  for (std::size_t at = 0; (at = spec.find("</", at)) != std::string::npos; at += 3)
    spec.replace(at, 2, "<\\/");
  std::string page_title = title.empty() ? "soma figure" : title;
  std::string escaped;
  for (char c : page_title) {
    if (c == '<')
      escaped += "&lt;";
    else if (c == '&')
      escaped += "&amp;";
    else
      escaped += c;
  }
  std::string out;
  out.reserve(plotly.size() + spec.size() + 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  out += escaped + "</title>\n<script>\n" + plotly + "\n</script>\n</head>\n<body>\n";
  out += "<div id=\"soma-figure\"></div>\n<script>\n";
  out += "const figure = " + spec + ";\n";
  out += "Plotly.newPlot('soma-figure', figure.data, figure.layout, {displaylogo: false});\n";
  out += "</script>\n</body>\n</html>\n";
  return out;
}

namespace detail {
void write_html(const Figure& fig, const fs::path& path) { write_file_atomic(path, fig.html()); }
}  // namespace detail

}  // namespace soma::plot
