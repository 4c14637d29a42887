#pragma once
// Reusable chart shapes shared by several pages: vertical bar charts (stacked or
// grouped, signed values, per-category markers) and horizontal 100 % stacked bars.
// Every bar is a <rect class="bar ...">; zero and missing values draw nothing.
// Internal to src/report.
#include <cmath>
#include <string>
#include <vector>

#include "report/svg.h"

namespace acceldse::report::detail {

struct Series {
  std::string name;            // legend entry
  std::string colour;          // "#rrggbb"
  std::string css;             // extra class on each bar, e.g. "compute"
  std::vector<double> values;  // one per category; NaN = missing
};

struct BarChart {
  std::string kind;  // data-kind
  std::string title;
  std::string x_label, y_label;  // y_label includes the unit
  std::vector<std::string> categories;
  std::vector<std::string> tooltips;  // per category, optional (plain text)
  std::vector<Series> series;
  bool stacked = true;          // false: grouped side by side
  double y_max = NAN;           // fixed top of the axis (e.g. 100 for %)
  std::vector<double> markers;  // per category, a tick at this value (NaN = none)
  std::string marker_label;     // legend entry for the markers
  bool value_labels = false;    // print each bar's value above it
  double width = 1000, height = 360;
};

std::string bar_chart(const BarChart& chart);

struct Segment {
  std::string name;     // legend entry; equal names share a colour
  double value = 0;     // fraction of the row (rows may sum to < 1; the rest is grey)
  std::string tooltip;  // plain text
};
struct StackRow {
  std::string label;
  std::vector<Segment> segments;
};

// One horizontal bar per row, each segment's width proportional to its value, the
// row scaled to 1 (shares; a row summing to less than 1 leaves the rest grey) or, with
// normalise_each_row, to its own sum (breakdowns into components).
std::string stacked_rows(const std::string& kind, const std::string& title, const std::vector<StackRow>& rows,
                         bool normalise_each_row, const std::string& axis_label);

}  // namespace acceldse::report::detail
