#include "report/svg.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "report/text.h"

namespace acceldse::report::detail {

double Scale::operator()(double v) const {
  double t = log ? (std::log10(v) - std::log10(d0)) / (std::log10(d1) - std::log10(d0)) : (v - d0) / (d1 - d0);
  return r0 + t * (r1 - r0);
}

// Linear ticks at multiples of 1, 2 or 5 x 10^k, about five of them.
static std::vector<double> linear_ticks(double d0, double d1) {
  double raw = (d1 - d0) / 5;
  if (!(raw > 0)) return {d0};
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double norm = raw / mag;
  double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  std::vector<double> out;
  for (double t = std::ceil(d0 / step - 1e-9) * step; t <= d1 + step * 1e-9; t += step) {
    out.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  }
  return out;
}

// Log ticks at decades (with 2 and 5 when the axis spans few decades; every k-th
// decade when it spans many) so labels never crowd.
static std::vector<double> log_ticks(double d0, double d1) {
  int lo = static_cast<int>(std::floor(std::log10(d0)));
  int hi = static_cast<int>(std::ceil(std::log10(d1)));
  int decades = hi - lo;
  std::vector<double> mantissas = decades <= 2 ? std::vector<double>{1, 2, 5} : std::vector<double>{1};
  int every = std::max(1, (decades + 7) / 8);
  std::vector<double> out;
  for (int e = lo; e <= hi; ++e) {
    if ((e - lo) % every != 0) continue;
    for (double m : mantissas) {
      double t = m * std::pow(10.0, e);
      if (t >= d0 * (1 - 1e-9) && t <= d1 * (1 + 1e-9)) out.push_back(t);
    }
  }
  return out;
}

std::vector<double> Scale::ticks() const { return log ? log_ticks(d0, d1) : linear_ticks(d0, d1); }

Scale fit_scale(const std::vector<double>& values, double r0, double r1, ScaleOptions opts) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  Scale s;
  s.r0 = r0;
  s.r1 = r1;
  if (lo > hi) return s;  // no data: [0, 1]
  if (opts.allow_log && lo > 0 && hi / lo >= opts.log_ratio) {
    double widen = std::pow(hi / lo, opts.pad);
    s.log = true;
    s.d0 = lo / widen;
    s.d1 = hi * widen;
    return s;
  }
  if (opts.include_zero) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
  }
  if (hi == lo) {
    double half = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= half;
    hi += half;
    if (opts.include_zero && lo < 0 && hi - half >= 0) lo = 0;
  } else {
    double pad = (hi - lo) * opts.pad;
    if (!(opts.include_zero && lo == 0)) lo -= pad;
    if (!(opts.include_zero && hi == 0)) hi += pad;
  }
  // Round outward to tick multiples so the frame ends on labelled values.
  std::vector<double> t = linear_ticks(lo, hi);
  double step = t.size() >= 2 ? t[1] - t[0] : 0;
  if (step > 0) {
    lo = std::floor(lo / step + 1e-9) * step;
    hi = std::ceil(hi / step - 1e-9) * step;
  }
  s.d0 = lo;
  s.d1 = hi;
  return s;
}

std::string sequential_colour(double t) {
  // Viridis sampled at ten points, interpolated linearly in RGB.
  static constexpr std::array<std::array<int, 3>, 10> kStops = {{
      {68, 1, 84},
      {72, 40, 120},
      {62, 73, 137},
      {49, 104, 142},
      {38, 130, 142},
      {31, 158, 137},
      {53, 183, 121},
      {110, 206, 88},
      {181, 222, 43},
      {253, 231, 37},
  }};
  if (!std::isfinite(t)) t = 0;
  t = std::clamp(t, 0.0, 1.0) * (kStops.size() - 1);
  size_t i = std::min(static_cast<size_t>(t), kStops.size() - 2);
  double f = t - static_cast<double>(i);
  std::array<int, 3> c{};
  for (size_t k = 0; k < 3; ++k) {
    c[k] = static_cast<int>(std::lround(kStops[i][k] + f * (kStops[i + 1][k] - kStops[i][k])));
  }
  return fmt::format("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
}

std::string category_colour(size_t index) {
  static constexpr std::array<const char*, 10> kPalette = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                                           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return kPalette[index % kPalette.size()];
}

std::string text_colour_on(std::string_view background) {
  unsigned r = 0, g = 0, b = 0;
  if (background.size() == 7) {
    std::sscanf(std::string(background.substr(1)).c_str(), "%02x%02x%02x", &r, &g, &b);
  }
  double luma = 0.299 * r + 0.587 * g + 0.114 * b;
  return luma > 140 ? "#000" : "#fff";
}

Svg::Svg(std::string_view kind, Box box, std::string_view extra_attributes)
    : kind_(kind), extra_(extra_attributes), box_(box) {}

void Svg::title(std::string_view text) {
  body += fmt::format(R"(<text class="ttl" x="{}" y="18">{}</text>)", px(box_.x0()), escape(text));
}

void Svg::x_axis(const Scale& s, std::string_view label, bool grid) {
  const Box& b = box_;
  for (double t : s.ticks()) {
    std::string x = px(s(t));
    if (grid)
      body += fmt::format(R"(<line class="gr" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>)", x, px(b.y0()), px(b.y1()));
    body += fmt::format(R"(<text class="tx" x="{}" y="{}">{}</text>)", x, px(b.y1() + 16), num(t));
  }
  body += fmt::format(R"(<line class="ax" x1="{0}" x2="{1}" y1="{2}" y2="{2}"/>)", px(b.x0()), px(b.x1()), px(b.y1()));
  body += fmt::format(R"(<text class="al" x="{}" y="{}">{}{}</text>)", px((b.x0() + b.x1()) / 2), px(b.height - 8),
                      escape(label), s.log ? " — log scale" : "");
}

void Svg::y_axis(const Scale& s, std::string_view label, bool grid) {
  const Box& b = box_;
  for (double t : s.ticks()) {
    std::string y = px(s(t));
    if (grid)
      body += fmt::format(R"(<line class="gr" x1="{0}" x2="{1}" y1="{2}" y2="{2}"/>)", px(b.x0()), px(b.x1()), y);
    body += fmt::format(R"(<text class="ty" x="{}" y="{}">{}</text>)", px(b.x0() - 6), px(s(t) + 4), num(t));
  }
  body += fmt::format(R"(<line class="ax" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>)", px(b.x0()), px(b.y0()), px(b.y1()));
  double mid = (b.y0() + b.y1()) / 2;
  body += fmt::format(R"~(<text class="al" transform="translate(14,{}) rotate(-90)">{}{}</text>)~", px(mid),
                      escape(label), s.log ? " — log" : "");
}

double Svg::band_axis_margin(const std::vector<std::string>& labels) {
  size_t longest = 1;
  for (const auto& l : labels) longest = std::max(longest, ellipsize(l, kBandLabelChars).size());
  // A 45° label of n characters drops about 0.71 * 6.2 px per character; then the axis title.
  return 44 + 4.4 * static_cast<double>(std::min(longest, kBandLabelChars + 2));
}

void Svg::band_axis(const std::vector<std::string>& labels, double band_x0, double band_w, std::string_view label) {
  const Box& b = box_;
  // 45° labels of 11-px text need ~16 px between them; thin them out when bands are narrower.
  size_t every = band_w >= 16 ? 1 : static_cast<size_t>(std::ceil(16 / std::max(band_w, 0.01)));
  for (size_t i = 0; i < labels.size(); i += every) {
    double x = band_x0 + (static_cast<double>(i) + 0.5) * band_w;
    body += fmt::format(R"~(<text class="tb" transform="translate({},{}) rotate(-45)">{}</text>)~", px(x + 3),
                        px(b.y1() + 10), escape(ellipsize(labels[i], kBandLabelChars)));
  }
  body += fmt::format(R"(<line class="ax" x1="{0}" x2="{1}" y1="{2}" y2="{2}"/>)", px(b.x0()), px(b.x1()), px(b.y1()));
  if (!label.empty()) {
    std::string text = std::string(label) + (every > 1 ? fmt::format(" (one label per {} bars)", every) : "");
    body += fmt::format(R"(<text class="al" x="{}" y="{}">{}</text>)", px((b.x0() + b.x1()) / 2), px(b.height - 6),
                        escape(text));
  }
}

void Svg::legend(const std::vector<std::pair<std::string, std::string>>& name_colour, bool own_line) {
  constexpr double kCharW = 6.8;  // 11-px sans-serif, generous so entries never touch
  std::vector<double> widths;
  double total = 0;
  for (const auto& [name, colour] : name_colour) {
    widths.push_back(kCharW * static_cast<double>(ellipsize(name, 28).size()) + 26);
    total += widths.back();
  }
  double x = own_line ? box_.x0() : box_.x1() - total;
  double y = own_line ? 38 : box_.y0() - 12;
  body += "<g class=\"legend\">";
  for (size_t i = 0; i < name_colour.size(); ++i) {
    body += fmt::format(
        R"(<rect class="sw" x="{}" y="{}" width="10" height="10" fill="{}"/><text class="lgt" x="{}" y="{}">{}</text>)",
        px(x), px(y - 9), name_colour[i].second, px(x + 14), px(y), escape(ellipsize(name_colour[i].first, 28)));
    x += widths[i];
  }
  body += "</g>";
}

void Svg::colour_bar(const Scale& s, std::string_view label, double offset) {
  const Box& b = box_;
  double x = b.x1() + offset, w = 12;
  constexpr int kSteps = 40;
  double h = (b.y1() - b.y0()) / kSteps;
  for (int i = 0; i < kSteps; ++i) {
    double t = (i + 0.5) / kSteps;  // bottom (low) to top (high)
    body += fmt::format(R"(<rect class="cb" x="{}" y="{}" width="{}" height="{}" fill="{}"/>)", px(x),
                        px(b.y1() - (i + 1) * h), px(w), px(h + 0.6), sequential_colour(t));
  }
  Scale pos = s;  // same domain, pixel range along the bar
  pos.r0 = b.y1();
  pos.r1 = b.y0();
  for (double t : s.ticks()) {
    body += fmt::format(R"(<text class="cbt" x="{}" y="{}">{}</text>)", px(x + w + 4), px(pos(t) + 4), num(t));
  }
  body += fmt::format(R"~(<text class="al" transform="translate({},{}) rotate(-90)">{}{}</text>)~", px(x + w + 48),
                      px((b.y0() + b.y1()) / 2), escape(label), s.log ? " — log" : "");
}

std::string Svg::str() const {
  return fmt::format(R"(<svg class="plot" data-kind="{}" viewBox="0 0 {} {}" width="{}" height="{}" role="img"{}{}>)",
                     kind_, px(box_.width), px(box_.height), px(box_.width), px(box_.height), extra_.empty() ? "" : " ",
                     extra_) +
         body + "</svg>";
}

}  // namespace acceldse::report::detail
