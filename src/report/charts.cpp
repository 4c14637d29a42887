#include "report/charts.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "report/text.h"

namespace acceldse::report::detail {

namespace {

bool usable(double v) { return std::isfinite(v) && v != 0; }

// The y scale of a bar chart: always includes zero, covers stacked sums or single
// values and the markers, never logarithmic (bar lengths must stay proportional).
Scale bar_scale(const BarChart& c, const Box& box) {
  std::vector<double> extent;
  for (size_t i = 0; i < c.categories.size(); ++i) {
    double pos = 0, neg = 0;
    for (const Series& s : c.series) {
      double v = i < s.values.size() ? s.values[i] : NAN;
      if (!usable(v)) continue;
      if (c.stacked) {
        (v > 0 ? pos : neg) += v;
      } else {
        extent.push_back(v);
      }
    }
    extent.push_back(pos);
    extent.push_back(neg);
    if (i < c.markers.size()) extent.push_back(c.markers[i]);
  }
  if (std::isfinite(c.y_max)) extent.push_back(c.y_max);
  ScaleOptions opts;
  opts.allow_log = false;
  opts.include_zero = true;
  opts.pad = std::isfinite(c.y_max) ? 0 : 0.04;
  Scale s = fit_scale(extent, box.y1(), box.y0(), opts);
  if (std::isfinite(c.y_max) && s.d1 > c.y_max && s.d0 >= 0) s.d1 = c.y_max;
  return s;
}

std::string bar_tooltip(const BarChart& c, size_t i, const Series& s, double v) {
  std::string head = i < c.tooltips.size() && !c.tooltips[i].empty() ? c.tooltips[i] : c.categories[i];
  return head + "\n" + s.name + ": " + num(v);
}

}  // namespace

std::string bar_chart(const BarChart& c) {
  Box box;
  box.width = c.width;
  box.height = c.height;
  box.top = 40;
  box.bottom = Svg::band_axis_margin(c.categories);
  Svg svg(c.kind, box, fmt::format("data-bars=\"{}\"", c.categories.size()));
  svg.title(c.title);
  Scale y = bar_scale(c, box);
  svg.y_axis(y, c.y_label);
  double n = static_cast<double>(std::max<size_t>(c.categories.size(), 1));
  double band = (box.x1() - box.x0()) / n;
  // Narrow bars for few categories: a 300-px-wide bar reads as a block, not a bar.
  double bar_w = std::min(band * (band >= 4 ? 0.8 : 0.95), 64.0);
  size_t groups = c.stacked ? 1 : std::max<size_t>(c.series.size(), 1);
  double sub_w = bar_w / static_cast<double>(groups);
  double zero = y(std::clamp(0.0, y.d0, y.d1));
  for (size_t i = 0; i < c.categories.size(); ++i) {
    double x = box.x0() + static_cast<double>(i) * band + (band - bar_w) / 2;
    double pos = 0, neg = 0;
    for (size_t k = 0; k < c.series.size(); ++k) {
      const Series& s = c.series[k];
      double v = i < s.values.size() ? s.values[i] : NAN;
      if (c.value_labels && v == 0 && band >= 24) {  // no bar to see, but the value is known
        svg.body += fmt::format(R"(<text class="vl" x="{}" y="{}">0</text>)", px(x + bar_w / 2), px(zero - 3));
      }
      if (!usable(v)) continue;
      double base = c.stacked ? (v > 0 ? pos : neg) : 0;
      double top = base + v;
      if (c.stacked) (v > 0 ? pos : neg) = top;
      double ya = y(base), yb = y(top);
      double bx = c.stacked ? x : x + static_cast<double>(k) * sub_w;
      svg.body += fmt::format(
          R"(<rect class="bar{}{}" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>)",
          s.css.empty() ? "" : " ", s.css, px(bx), px(std::min(ya, yb)), px(std::max(sub_w, 0.4)),
          px(std::max(std::fabs(ya - yb), 0.3)), s.colour, escape(bar_tooltip(c, i, s, v)));
      if (c.value_labels && band >= 24) {
        double ty = v > 0 ? yb - 3 : yb + 11;
        svg.body += fmt::format(R"(<text class="vl" x="{}" y="{}">{}</text>)", px(bx + sub_w / 2), px(ty), num(v));
      }
    }
    if (i < c.markers.size() && std::isfinite(c.markers[i])) {
      double ym = y(c.markers[i]);
      svg.body += fmt::format(R"(<line class="mk" x1="{0}" x2="{1}" y1="{2}" y2="{2}"><title>{3}: {4}</title></line>)",
                              px(x - 1), px(x + bar_w + 1), px(ym), escape(c.marker_label), num(c.markers[i]));
    }
  }
  if (y.d0 < 0)
    svg.body += fmt::format(R"(<line class="zero" x1="{0}" x2="{1}" y1="{2}" y2="{2}"/>)", px(box.x0()), px(box.x1()),
                            px(zero));
  svg.band_axis(c.categories, box.x0(), band, c.x_label);
  std::vector<std::pair<std::string, std::string>> legend;
  if (c.series.size() > 1) {
    for (const Series& s : c.series) {
      if (std::any_of(s.values.begin(), s.values.end(), usable))
        legend.emplace_back(s.name, s.colour);  // no empty entries
    }
  }
  if (!c.markers.empty() && !c.marker_label.empty()) legend.emplace_back(c.marker_label, "#000000");
  if (!legend.empty()) svg.legend(legend);
  return svg.str();
}

std::string stacked_rows(const std::string& kind, const std::string& title, const std::vector<StackRow>& rows,
                         bool normalise_each_row, const std::string& axis_label) {
  constexpr double kRowH = 28, kGap = 12;
  Box box;
  box.width = 1000;
  box.left = 150;
  box.top = 50;  // title, then the legend on its own line
  box.bottom = 44;
  box.height = box.top + box.bottom + static_cast<double>(rows.size()) * (kRowH + kGap);
  Svg svg(kind, box);
  svg.title(title);
  std::map<std::string, size_t> colour_of;  // equal names, equal colours, first-seen order
  std::vector<std::pair<std::string, std::string>> legend;
  double w = box.x1() - box.x0();
  for (size_t r = 0; r < rows.size(); ++r) {
    const StackRow& row = rows[r];
    double y = box.y0() + static_cast<double>(r) * (kRowH + kGap);
    double sum = 0;
    for (const Segment& s : row.segments) sum += std::max(s.value, 0.0);
    double total = normalise_each_row ? sum : std::max(sum, 1.0);
    svg.body += fmt::format(R"(<text class="ty" x="{}" y="{}">{}</text>)", px(box.x0() - 8), px(y + kRowH / 2 + 4),
                            escape(ellipsize(row.label, 22)));
    if (!(total > 0)) continue;
    double x = box.x0();
    for (const Segment& s : row.segments) {
      if (!(s.value > 0)) continue;
      auto [it, added] = colour_of.emplace(s.name, colour_of.size());
      std::string colour = category_colour(it->second);
      if (added) legend.emplace_back(s.name, colour);
      double sw = w * s.value / total;
      svg.body +=
          fmt::format(R"(<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>)",
                      px(x), px(y), px(sw), px(kRowH), colour, escape(s.tooltip));
      std::string text = ellipsize(s.name, 18) + " " + pct(s.value / total);
      if (sw >= 7.0 * static_cast<double>(text.size())) {
        svg.body += fmt::format(R"(<text class="ct" x="{}" y="{}" fill="{}">{}</text>)", px(x + sw / 2),
                                px(y + kRowH / 2 + 4), text_colour_on(colour), escape(text));
      }
      x += sw;
    }
    if (x < box.x1() - 0.5) {
      svg.body +=
          fmt::format(R"(<rect class="rest" x="{}" y="{}" width="{}" height="{}"><title>unused {}</title></rect>)",
                      px(x), px(y), px(box.x1() - x), px(kRowH), pct((box.x1() - x) / w));
    }
  }
  Scale s{0, 100, box.x0(), box.x1(), false};
  svg.x_axis(s, axis_label, false);
  if (!legend.empty()) svg.legend(legend, true);
  return svg.str();
}

}  // namespace acceldse::report::detail
