// PNG, SVG and PDF through gnuplot: the figure becomes a gnuplot script with its data in
// inline datablocks, gnuplot runs as a child process in a private temporary directory, and
// its output is copied into place atomically. Nothing is rasterised here.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "plot/external_renderer.hpp"
#include "plot/style.hpp"
#include "plot/writers.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"

namespace soma::plot {

namespace {
namespace fs = std::filesystem;
using detail::number;

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n')
      out += "\\n";
    else if (c != '\r')
      out += c;
  }
  return out + "\"";
}

std::string rgb(const std::string& color) { return "lc rgb " + quote(color); }

const char* key_position(LegendPosition p) {
  switch (p) {
    case LegendPosition::top_left:
      return "top left";
    case LegendPosition::bottom_right:
      return "bottom right";
    case LegendPosition::bottom_left:
      return "bottom left";
    case LegendPosition::outside_right:
      return "outside right top";
    case LegendPosition::best:  // resolved by detail::legend_position
    case LegendPosition::top_right:
      break;
  }
  return "top right";
}

// Datablocks must precede `set multiplot`; each gets a unique name $dN.
class Blocks {
 public:
  std::string add(const std::string& rows) {
    std::string name = "$d" + std::to_string(count_++);
    text_ += name + " << EOD\n" + rows + "EOD\n";
    return name;
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  int count_ = 0;
};

std::string columns(std::initializer_list<const std::vector<double>*> cols) {
  std::string out;
  const std::size_t n = (*cols.begin())->size();
  for (std::size_t i = 0; i < n; ++i) {
    bool first = true;
    for (const auto* c : cols) {
      if (!first) out += ' ';
      out += number((*c)[i]);
      first = false;
    }
    out += '\n';
  }
  return out;
}

std::string tics(const std::vector<std::string>& labels) {
  std::string out = "(";
  for (std::size_t i = 0; i < labels.size(); ++i)
    out += (i ? ", " : "") + quote(labels[i]) + " " + std::to_string(i);
  return out + ")";
}

std::string range(const std::optional<Range>& r) {
  return r ? "[" + number(r->lo) + ":" + number(r->hi) + "]" : "[*:*]";
}

std::string title_of(const std::string& label) {
  return label.empty() ? "notitle" : "title " + quote(label);
}

// Where one axes sits: its size in pixels (for placing the legend) and, in a column of
// stacked axes, the fixed margins (in characters) that line up their frames.
struct Panel {
  double width = 0, height = 0;
  int lmargin = -1, rmargin = -1;  // -1: gnuplot's automatic margin
};

// Gnuplot sizes each axes' margins from its own tick labels, key and colour box, so
// stacked axes sharing an x range would have frames of different widths. Each column of
// a layout with several rows gets one left and one right margin: room for tick labels
// and the y label on the left, and on the right for the widest outside key or colour box.
std::vector<Panel> panels(const Figure& fig) {
  const FigureOptions& o = fig.options();
  std::vector<Panel> out(static_cast<std::size_t>(o.rows * o.cols));
  for (int c = 0; c < o.cols; ++c) {
    int right = 3;
    for (int r = 0; r < o.rows; ++r) {
      const Axes& ax = fig.axes(r, c);
      Panel& p = out[static_cast<std::size_t>(r * o.cols + c)];
      p.width = static_cast<double>(o.width) / o.cols - 90;
      p.height = static_cast<double>(o.height) / o.rows - 70;
      if (detail::has_legend_entries(ax) &&
          detail::legend_position(ax, p.width, p.height) == LegendPosition::outside_right) {
        std::size_t longest = 0;
        for (const auto& l : detail::legend_labels(ax)) longest = std::max(longest, l.size());
        right = std::max(right, static_cast<int>(longest) + 9);
      }
      for (const auto& series : ax.series())
        if (const auto* h = std::get_if<HeatmapSeries>(&series); h && h->opt.colorbar)
          right = std::max(right, h->opt.label.empty() ? 12 : 15);
    }
    if (o.rows == 1) continue;
    for (int r = 0; r < o.rows; ++r) {
      Panel& p = out[static_cast<std::size_t>(r * o.cols + c)];
      p.lmargin = 14, p.rmargin = right;
    }
  }
  return out;
}

// One axes: its settings, then one plot (or splot) command with a clause per series.
void write_axes(const Axes& ax, const Panel& panel, Blocks& blocks, std::ostringstream& s) {
  s << "reset\n";
  if (panel.lmargin >= 0 && !ax.is_3d())
    s << "set lmargin " << panel.lmargin << "\nset rmargin " << panel.rmargin << "\n";
  s << "set title " << quote(ax.title) << "\n";
  s << "set xlabel " << quote(ax.xlabel) << "\nset ylabel " << quote(ax.ylabel) << "\n";
  if (ax.grid) s << "set grid\n";
  if (ax.xlog) s << "set logscale x\n";
  if (ax.ylog) s << "set logscale y\n";
  if (detail::has_legend_entries(ax))
    s << "set key " << key_position(detail::legend_position(ax, panel.width, panel.height))
      << " noenhanced opaque box lc rgb \"#bbbbbb\"\n";
  else
    s << "unset key\n";
  s << "set style fill solid 0.75 border\n";

  std::vector<std::string> clauses;
  std::size_t color_index = 0;
  auto next_color = [&](const std::string& given) {
    return given.empty() ? detail::cycle_color(color_index++) : given;
  };
  bool has_heatmap = false, has_boxes = false;
  std::size_t bar_series = 0, bar_k = 0;
  for (const auto& series : ax.series())
    if (std::holds_alternative<BarSeries>(series)) ++bar_series;

  for (const auto& series : ax.series()) {
    if (const auto* l = std::get_if<LineSeries>(&series)) {
      std::string name = blocks.add(columns({&l->x, &l->y}));
      clauses.push_back(name + " using 1:2 with " +
                        (l->opt.markers ? "linespoints pt 7" : "lines") + " lw " +
                        number(l->opt.width) + " " + rgb(next_color(l->opt.color)) +
                        (l->opt.dash ? " dt 2 " : " ") + title_of(l->opt.label));
    } else if (const auto* p = std::get_if<ScatterSeries>(&series)) {
      const std::string ps = " pt 7 ps " + number(p->opt.size / 8);
      if (p->opt.classes.empty()) {
        std::string name = blocks.add(columns({&p->x, &p->y}));
        const std::string color = rgb(next_color(p->opt.color));
        clauses.push_back(name + " using 1:2 with points" + ps + " " + color + " notitle");
        // The legend's marker at a readable size, as for classes below.
        if (!p->opt.label.empty())
          clauses.push_back("keyentry with points pt 7 ps " +
                            number(std::max(p->opt.size / 8, 1.5)) + " " + color + " " +
                            title_of(p->opt.label));
      } else {
        // A block per class, drawn in the class's colour. Its legend entry is a
        // keyentry with a marker of readable size: the points themselves may be dots.
        const std::string key_ps = " pt 7 ps " + number(std::max(p->opt.size / 8, 1.5));
        for (long id : detail::class_ids(*p)) {
          std::vector<double> xs, ys;
          for (std::size_t i = 0; i < p->x.size(); ++i)
            if (std::lround(p->opt.classes.v[i]) == id)
              xs.push_back(p->x[i]), ys.push_back(p->y[i]);
          std::string name = blocks.add(columns({&xs, &ys}));
          const std::string color = rgb(detail::cycle_color(static_cast<std::size_t>(id)));
          clauses.push_back(name + " using 1:2 with points" + ps + " " + color + " notitle");
          if (ax.legend)
            clauses.push_back("keyentry with points" + key_ps + " " + color + " " +
                              title_of(detail::class_name(*p, id)));
        }
      }
    } else if (const auto* h = std::get_if<HeatmapSeries>(&series)) {
      has_heatmap = true;
      std::string rows;
      double lo = INFINITY, hi = -INFINITY;
      for (std::size_t r = 0; r < h->rows; ++r) {
        for (std::size_t c = 0; c < h->cols; ++c) {
          double v = h->values[r * h->cols + c];
          if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
          rows += (c ? " " : "") + number(v);
        }
        rows += '\n';
      }
      std::string name = blocks.add(rows);
      s << "set palette defined (";
      auto stops = detail::colormap_stops(h->opt.colormap);
      for (std::size_t i = 0; i < stops.size(); ++i)
        s << (i ? ", " : "") << number(stops[i].first) << " " << quote(stops[i].second);
      s << ")\n";
      if (h->opt.zlim) s << "set cbrange " << range(h->opt.zlim) << "\n";
      if (h->opt.colorbar)
        s << "set colorbox\nset cblabel " << quote(h->opt.label) << "\n";
      else
        s << "unset colorbox\n";
      // Matrix convention: row 0 at the top, cells centred on whole numbers; with extents,
      // data coordinates with row 0 at the bottom.
      std::string coords = "1:2";
      if (h->opt.x_extent || h->opt.y_extent) {
        const Range xe = h->opt.x_extent.value_or(Range{-0.5, static_cast<double>(h->cols) - 0.5});
        const Range ye = h->opt.y_extent.value_or(Range{-0.5, static_cast<double>(h->rows) - 0.5});
        const double dx = (xe.hi - xe.lo) / static_cast<double>(h->cols);
        const double dy = (ye.hi - ye.lo) / static_cast<double>(h->rows);
        coords = "(" + number(xe.lo + dx / 2) + "+$1*" + number(dx) + "):(" +
                 number(ye.lo + dy / 2) + "+$2*" + number(dy) + ")";
        if (!ax.xlim) s << "set xrange " << range(xe) << "\n";
        if (!ax.ylim) s << "set yrange " << range(ye) << "\n";
      } else {
        if (!ax.xlim)
          s << "set xrange [-0.5:" << number(static_cast<double>(h->cols) - 0.5) << "]\n";
        if (!ax.ylim)
          s << "set yrange [" << number(static_cast<double>(h->rows) - 0.5) << ":-0.5]\n";
      }
      if (!h->opt.x_labels.empty())
        s << "set xtics " << tics(h->opt.x_labels) << " rotate by 45 right\n";
      if (!h->opt.y_labels.empty()) s << "set ytics " << tics(h->opt.y_labels) << "\n";
      s << "unset grid\n";
      clauses.push_back(name + " matrix using " + coords + ":3 with image notitle");
      if (h->opt.annotate) {
        // Dark text on the light half of the map, white on the dark half.
        double zlo = h->opt.zlim ? h->opt.zlim->lo : lo, zhi = h->opt.zlim ? h->opt.zlim->hi : hi;
        double mid = (zlo + zhi) / 2;
        bool light_high = h->opt.colormap != "coolwarm";
        clauses.push_back(name + " matrix using " + coords + ":(sprintf(\"%.3g\",$3)):($3" +
                          (light_high ? std::string(">") : std::string("<")) + number(mid) +
                          " ? 0 : 16777215) with labels tc rgb variable notitle");
      }
    } else if (const auto* g = std::get_if<HistSeries>(&series)) {
      has_boxes = true;
      std::vector<double> centre, width;
      for (std::size_t i = 0; i + 1 < g->edges.size(); ++i) {
        centre.push_back((g->edges[i] + g->edges[i + 1]) / 2);
        width.push_back(g->edges[i + 1] - g->edges[i]);
      }
      std::string name = blocks.add(columns({&centre, &g->heights, &width}));
      clauses.push_back(name + " using 1:2:3 with boxes " + rgb(next_color(g->opt.color)) + " " +
                        title_of(g->opt.label));
    } else if (const auto* b = std::get_if<BarSeries>(&series)) {
      has_boxes = true;
      if (bar_k == 0) {
        s << "set xtics " << tics(b->names) << "\n";
        if (!ax.xlim)
          s << "set xrange [-0.5:" << number(static_cast<double>(b->names.size()) - 0.5) << "]\n";
      }
      std::vector<double> pos, width(b->values.size(), detail::bar_width(bar_series));
      for (std::size_t j = 0; j < b->values.size(); ++j)
        pos.push_back(static_cast<double>(j) + detail::bar_offset(bar_k, bar_series));
      ++bar_k;
      std::string name = blocks.add(columns({&pos, &b->values, &width}));
      clauses.push_back(name + " using 1:2:3 with boxes " + rgb(next_color(b->opt.color)) + " " +
                        title_of(b->opt.label));
    } else if (const auto* t = std::get_if<Line3dSeries>(&series)) {
      std::string name = blocks.add(columns({&t->x, &t->y, &t->z}));
      clauses.push_back(name + " using 1:2:3 with lines lw " + number(t->opt.width) + " " +
                        rgb(next_color(t->opt.color)) + " " + title_of(t->opt.label));
    }
  }
  if (ax.xlim) s << "set xrange " << range(ax.xlim) << "\n";
  if (ax.ylim)
    s << "set yrange " << range(ax.ylim) << "\n";
  else if (has_boxes && !ax.ylog && !has_heatmap)
    // Bars stand on zero, with headroom above them for the key.
    s << "set yrange [*<0:]\nset offsets 0, 0, graph 0.1, 0\n";
  if (ax.is_3d()) {
    s << "set zlabel " << quote(ax.zlabel) << " rotate parallel\n";
    if (ax.zlim) s << "set zrange " << range(ax.zlim) << "\n";
    s << "set xyplane relative 0\n";
  }
  if (clauses.empty()) {
    // An empty frame keeps the layout's place; fixed ranges, as nothing can autoscale.
    if (!ax.xlim) s << "set xrange [0:1]\n";
    if (!ax.ylim) s << "set yrange [0:1]\n";
    s << "plot NaN notitle\n";
    return;
  }
  s << (ax.is_3d() ? "splot " : "plot ");
  for (std::size_t i = 0; i < clauses.size(); ++i) s << (i ? ", \\\n     " : "") << clauses[i];
  s << "\n";
}

}  // namespace

std::string Figure::gnuplot_script(const std::string& terminal, const std::string& output) const {
  std::ostringstream s;
  const int w = options_.width, h = options_.height;
  if (terminal == "png")
    s << "set terminal pngcairo size " << w << "," << h << " noenhanced font \"Sans,10\"\n";
  else if (terminal == "svg")
    s << "set terminal svg size " << w << "," << h
      << " noenhanced font \"Sans,10\" background \"#ffffff\"\n";
  else if (terminal == "pdf")
    s << "set terminal pdfcairo size " << number(w / 100.0) << "in," << number(h / 100.0)
      << "in noenhanced font \"Sans,10\"\n";
  else
    throw Error("plot: unknown gnuplot terminal '" + terminal + "' (expected png, svg or pdf)");
  s << "set encoding utf8\nset output " << quote(output) << "\n";
  s << detail::gnuplot_page(*this) << "set output\n";
  return s.str();
}

namespace detail {

std::string gnuplot_page(const Figure& fig) {
  const FigureOptions& o = fig.options();
  Blocks blocks;
  std::ostringstream body;
  const auto layout = panels(fig);
  for (int r = 0; r < o.rows; ++r)
    for (int c = 0; c < o.cols; ++c)
      write_axes(fig.axes(r, c), layout[static_cast<std::size_t>(r * o.cols + c)], blocks, body);
  std::ostringstream s;
  s << blocks.text();
  s << "set multiplot layout " << o.rows << "," << o.cols;
  if (!fig.title.empty()) s << " title " << quote(fig.title);
  s << "\n" << body.str() << "unset multiplot\n";
  return s.str();
}

void render_gnuplot(const Figure& fig, const std::string& terminal, const fs::path& path) {
  run_gnuplot([&](const std::string& output) { return fig.gnuplot_script(terminal, output); },
              terminal, path);
}

void run_gnuplot(const std::function<std::string(const std::string&)>& script_for,
                 const std::string& extension, const fs::path& path) {
  render_with(
      {.what = "plot",
       .name = "gnuplot",
       .program = program_from_env("SOMA_GNUPLOT", "gnuplot"),
       .install_hint = "install gnuplot, Debian package gnuplot-nox, or set SOMA_GNUPLOT",
       .input_name = "figure.gp"},
      extension, [&](const fs::path& output) { return script_for(output.string()); },
      [](const fs::path& script, const fs::path&) {
        return std::vector<std::string>{script.string()};
      },
      path);
}

}  // namespace detail
}  // namespace soma::plot
