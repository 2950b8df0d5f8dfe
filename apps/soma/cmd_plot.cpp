// soma plot: draw columns of a CSV file (a header line, then rows) as a figure, e.g. the
// samples of `soma power --csv` or a training log:
//
//   soma plot power.csv -o power.html                     every column against the first
//   soma plot log.csv --x epoch --y loss --ylog -o loss.png
//   soma plot emb.csv --kind scatter --x x --y y --classes label -o emb.svg
//   soma plot runs/cnn-20261207-100000-1/history.csv -o history.png
//
// A training history (columns epoch and train_loss, as `soma train` writes them) without
// --y draws its losses in one panel and its other metrics in a second, and leaves the
// seconds each epoch took out (name them with --y to see them).
#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>

#include "history_plot.hpp"
#include "registry.hpp"
#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/plot/figure.hpp"

namespace {

namespace plot = soma::plot;

struct Options {
  std::string input, output, kind = "line", title, xlabel, ylabel;
  std::string x, classes;
  std::vector<std::string> y;
  bool xlog = false, ylog = false;
  int bins = 30, width = 800, height = 600;
};

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> columns;
  std::vector<std::size_t> line_of_row;  // 1-based source line of each row, for errors
};

// One CSV record: commas separate fields; a field in double quotes may hold commas and "".
std::vector<std::string> split_record(const std::string& line, const std::string& input,
                                      std::size_t line_no) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
        fields.back() += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        fields.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  if (quoted)
    throw soma::error_at(input, static_cast<int64_t>(line_no), 0,
                         "unterminated quoted field (expected a closing \")");
  return fields;
}

Table read_csv(const std::string& path) {
  std::istringstream in(soma::read_file(path));
  Table t;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r" || line[0] == '#') continue;
    auto fields = split_record(line, path, line_no);
    if (t.header.empty()) {
      t.header = fields;
      t.columns.resize(fields.size());
      continue;
    }
    if (fields.size() != t.header.size())
      throw soma::error_at(path, static_cast<int64_t>(line_no), 0,
                           std::to_string(fields.size()) + " fields (expected " +
                               std::to_string(t.header.size()) + " as in the header)");
    for (std::size_t c = 0; c < fields.size(); ++c) t.columns[c].push_back(fields[c]);
    t.line_of_row.push_back(line_no);
  }
  if (t.header.empty()) throw soma::Error(path + ": empty (expected a header line and rows)");
  if (t.line_of_row.empty()) throw soma::Error(path + ": a header but no rows");
  return t;
}

std::size_t column_index(const Table& t, const std::string& name, const std::string& path) {
  auto it = std::find(t.header.begin(), t.header.end(), name);
  if (it != t.header.end()) return static_cast<std::size_t>(it - t.header.begin());
  std::string names;
  for (const auto& h : t.header) names += (names.empty() ? "" : ", ") + h;
  throw soma::Error(path + ": no column '" + name + "' (columns: " + names + ")");
}

// A column as numbers; an empty field is a gap (NaN).
std::vector<double> numbers(const Table& t, std::size_t col, const std::string& path) {
  std::vector<double> out;
  for (std::size_t r = 0; r < t.columns[col].size(); ++r) {
    const std::string& s = t.columns[col][r];
    if (s.empty()) {
      out.push_back(NAN);
      continue;
    }
    std::size_t used = 0;
    double v = NAN;
    try {
      v = std::stod(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    while (used < s.size() && s[used] == ' ') ++used;
    if (used != s.size())
      throw soma::error_at(path, static_cast<int64_t>(t.line_of_row[r]),
                           static_cast<int64_t>(col + 1),
                           "'" + s + "' in column '" + t.header[col] + "' is not a number");
    out.push_back(v);
  }
  return out;
}

// A training history without --y: losses above, metrics below, on one epoch axis.
void plot_history(const Options& o, const Table& t) {
  std::vector<std::vector<double>> columns;
  for (std::size_t c = 0; c < t.header.size(); ++c) columns.push_back(numbers(t, c, o.input));
  const auto curves = soma::cli::history_curves(t.header, columns);
  const int rows = curves.metrics.empty() ? 1 : 2;
  plot::Figure fig({.rows = rows, .width = o.width, .height = o.height, .title = o.title});
  for (int r = 0; r < rows; ++r) fig.axes(r, 0).xlog = o.xlog;
  auto& losses = fig.axes(0, 0);
  losses.ylog = o.ylog;
  soma::cli::draw_losses(losses, curves);
  if (rows == 2) soma::cli::draw_metrics(fig.axes(1, 0), curves);
  for (int r = 0; r < rows; ++r)
    if (!o.xlabel.empty()) fig.axes(r, 0).xlabel = o.xlabel;
  if (!o.ylabel.empty()) losses.ylabel = o.ylabel;
  fig.save(o.output);
  soma::cli::wrote(o.output);
}

void run(const Options& o) {
  const Table t = read_csv(o.input);
  if (o.kind == "line" && o.y.empty() && (o.x.empty() || o.x == "epoch") &&
      soma::cli::is_history_header(t.header))
    return plot_history(o, t);
  plot::Figure fig({.width = o.width, .height = o.height, .title = ""});
  auto& ax = fig.axes();
  ax.title = o.title;
  ax.xlog = o.xlog;
  ax.ylog = o.ylog;

  const std::size_t xcol = o.x.empty() ? 0 : column_index(t, o.x, o.input);
  std::vector<std::size_t> ycols;
  for (const auto& name : o.y) ycols.push_back(column_index(t, name, o.input));
  if (ycols.empty())
    for (std::size_t c = 0; c < t.header.size(); ++c)
      if (c != xcol || o.kind == "hist") ycols.push_back(c);
  if (ycols.empty()) throw soma::Error(o.input + ": only one column; name a --y column");
  ax.xlabel = o.xlabel.empty() && o.kind != "hist" ? t.header[xcol] : o.xlabel;
  ax.ylabel =
      o.ylabel.empty() && ycols.size() == 1 && o.kind != "hist" ? t.header[ycols[0]] : o.ylabel;

  if (o.kind == "line" || o.kind == "scatter") {
    const auto xs = numbers(t, xcol, o.input);
    for (std::size_t c : ycols) {
      const std::string label = ycols.size() > 1 ? t.header[c] : "";
      if (o.kind == "line") {
        ax.line(xs, numbers(t, c, o.input), {.label = label});
      } else {
        plot::ScatterOptions so{.label = label};
        if (!o.classes.empty())
          so.classes = numbers(t, column_index(t, o.classes, o.input), o.input);
        ax.scatter(xs, numbers(t, c, o.input), so);
      }
    }
  } else if (o.kind == "hist") {
    ax.ylabel = o.ylabel.empty() ? "count" : o.ylabel;
    for (std::size_t c : ycols)
      ax.hist(numbers(t, c, o.input),
              {.bins = o.bins, .label = ycols.size() > 1 ? t.header[c] : ""});
  } else if (o.kind == "bars") {
    for (std::size_t c : ycols)
      ax.bars(t.columns[xcol], numbers(t, c, o.input),
              {.label = ycols.size() > 1 ? t.header[c] : ""});
  } else {
    throw soma::Error("plot: --kind " + o.kind + " (expected line, scatter, hist or bars)");
  }
  fig.save(o.output);
  soma::cli::wrote(o.output);
}

soma::cli::CommandRegistrar reg(
    "plot", "Plot columns of a CSV file as PNG, SVG, PDF or interactive HTML", [](CLI::App& app) {
      auto o = std::make_shared<Options>();
      app.add_option("input", o->input, "CSV file with a header line")->required();
      app.add_option("-o,--output", o->output, "Figure to write: .png .svg .pdf or .html")
          ->required();
      app.add_option("--kind", o->kind, "line, scatter, hist or bars")->capture_default_str();
      app.add_option("--x", o->x, "Column for x (default: the first; bars: the names)");
      app.add_option("--y", o->y,
                     "Columns to plot (default: all others; a training history: losses and "
                     "metrics in two panels, without its seconds)");
      app.add_option("--classes", o->classes, "Scatter: column of integer class labels")
          ->default_str("none");
      app.add_option("--title", o->title, "Figure title")->default_str("none");
      app.add_option("--xlabel", o->xlabel, "x axis label (default: the x column's name)");
      app.add_option("--ylabel", o->ylabel, "y axis label")
          ->default_str("the y column's name if there is one; hist: count");
      app.add_flag("--xlog", o->xlog, "Logarithmic x axis");
      app.add_flag("--ylog", o->ylog, "Logarithmic y axis");
      app.add_option("--bins", o->bins, "Histogram bins")->capture_default_str();
      app.add_option("--width", o->width, "Width in pixels")->capture_default_str();
      app.add_option("--height", o->height, "Height in pixels")->capture_default_str();
      app.callback([o] { run(*o); });
    });

}  // namespace
