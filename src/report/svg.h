#pragma once
// Minimal SVG plotting: scales with "nice" ticks (linear or log), axes with unit
// labels, colour maps, and a builder that wraps a plot in
// <svg class="plot" data-kind="...">. Internal to src/report.
#include <string>
#include <string_view>
#include <vector>

namespace acceldse::report::detail {

// Maps a data interval onto a pixel interval, linearly or logarithmically.
struct Scale {
  double d0 = 0, d1 = 1;  // domain (display units)
  double r0 = 0, r1 = 1;  // range (pixels)
  bool log = false;
  double operator()(double v) const;
  std::vector<double> ticks() const;  // tick positions inside the domain
};

struct ScaleOptions {
  bool allow_log = true;      // switch to log when all values are positive and span
  double log_ratio = 20;      // at least this max/min ratio (more than ~1.3 decades)
  bool include_zero = false;  // linear domain starts at 0 (bar charts)
  double pad = 0.04;          // fraction of the range added on each side (not at zero)
};

// A scale whose domain covers `values` (non-finite ones ignored; non-positive ones
// disable log). An empty input gives the domain [0, 1].
Scale fit_scale(const std::vector<double>& values, double r0, double r1, ScaleOptions opts = {});

// The plotting rectangle inside an SVG of width x height.
struct Box {
  double width = 960, height = 400;
  double left = 72, right = 24, top = 34, bottom = 52;
  double x0() const { return left; }
  double x1() const { return width - right; }
  double y0() const { return top; }  // top edge of the plot area
  double y1() const { return height - bottom; }
};

// Viridis-like sequential colour for t in [0, 1], as "#rrggbb".
std::string sequential_colour(double t);
// A qualitative palette of 10 distinguishable colours, cycling.
std::string category_colour(size_t index);
// Black or white, whichever reads better on `background` ("#rrggbb").
std::string text_colour_on(std::string_view background);

// Builds one plot. Elements are appended to `body` by the chart code; str() wraps them.
class Svg {
 public:
  // kind: data-kind attribute (pareto, layers, ...); extra: more attributes, already escaped.
  Svg(std::string_view kind, Box box, std::string_view extra_attributes = "");
  std::string body;
  const Box& box() const { return box_; }

  void title(std::string_view text);  // heading inside the plot, escaped
  void x_axis(const Scale& s, std::string_view label, bool grid = true);
  void y_axis(const Scale& s, std::string_view label, bool grid = true);
  // Tick labels at band centres for categorical x axes, rotated 45° and cut to
  // kBandLabelChars; thins labels to fit. band_axis_margin() is the bottom margin they need.
  static constexpr size_t kBandLabelChars = 18;
  static double band_axis_margin(const std::vector<std::string>& labels);
  void band_axis(const std::vector<std::string>& labels, double band_x0, double band_w, std::string_view label);
  // Legend of coloured swatches above the plot area: right-aligned (few entries,
  // beside the title) or left-aligned on its own line under the title (many entries).
  void legend(const std::vector<std::pair<std::string, std::string>>& name_colour, bool own_line = false);
  // Vertical colour bar at the right edge: `s` maps values to [0, 1] colour positions.
  // `offset`: gap between the plot area and the bar.
  void colour_bar(const Scale& s, std::string_view label, double offset = 14);
  std::string str() const;

 private:
  std::string kind_, extra_;
  Box box_;
};

}  // namespace acceldse::report::detail
