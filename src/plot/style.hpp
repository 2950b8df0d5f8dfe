#pragma once
// What both writers share, so a figure looks the same in gnuplot and in Plotly:
// the colour cycle, the colour maps, number formatting and the axes' data extents.
#include <array>
#include <string>
#include <vector>

#include "soma/plot/figure.hpp"

namespace soma::plot::detail {

// matplotlib's tab10, the colours scientists already read as "series 1, 2, 3...".
std::string cycle_color(std::size_t index);

// A colour map as (position in [0,1], "#rrggbb") stops; throws soma::Error for unknown names.
std::vector<std::pair<double, std::string>> colormap_stops(const std::string& name);

// Shortest text that reads back as the same double; non-finite values print as "NaN".
std::string number(double x);

// The distinct class ids of a scatter, ascending, and the legend name of one.
std::vector<long> class_ids(const ScatterSeries& s);
std::string class_name(const ScatterSeries& s, long id);

// Labels are free text; the series an axes holds all share one kind of frame.
bool has_legend_entries(const Axes& ax);

// The legend's entries, in drawing order (a class scatter gives one per class).
std::vector<std::string> legend_labels(const Axes& ax);

// Where the legend goes: ax.legend_position, with `best` resolved to the first corner
// (top right, top left, bottom right, bottom left) whose legend-sized box no data
// crosses, else outside_right. The box is sized from the entries' number and length
// as a fraction of the axes' `width` x `height` pixels.
LegendPosition legend_position(const Axes& ax, double width, double height);

// Position of each bar group member: bar j of series k (of n) sits at j + offset(k, n).
double bar_offset(std::size_t k, std::size_t n);
double bar_width(std::size_t n);

}  // namespace soma::plot::detail
