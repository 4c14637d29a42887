#pragma once
// Counting plotted elements in a report's HTML (or in the DOM Chromium dumps).
#include <string>
#include <string_view>
#include <vector>

namespace acceldse::report::testing {

inline size_t occurrences(std::string_view hay, std::string_view needle) {
  size_t n = 0;
  for (size_t pos = hay.find(needle); pos != std::string_view::npos; pos = hay.find(needle, pos + needle.size())) ++n;
  return n;
}

// The markup of every <svg class="plot" data-kind="KIND" ...>...</svg>, in page order.
inline std::vector<std::string_view> plots(std::string_view html, std::string_view kind) {
  std::vector<std::string_view> out;
  std::string open = "<svg class=\"plot\" data-kind=\"" + std::string(kind) + "\"";
  for (size_t pos = html.find(open); pos != std::string_view::npos; pos = html.find(open, pos + 1)) {
    size_t end = html.find("</svg>", pos);
    out.push_back(html.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
  }
  return out;
}

// Points, bars and heat-map cells by class: `class="pt"` and `class="pt pareto"` both count as points.
inline size_t points(std::string_view svg) { return occurrences(svg, "<circle class=\"pt"); }
inline size_t points_with(std::string_view svg, std::string_view cls) {
  return occurrences(svg, "<circle class=\"pt " + std::string(cls) + "\"");
}
inline size_t bars(std::string_view svg) { return occurrences(svg, "<rect class=\"bar"); }
inline size_t cells(std::string_view svg) { return occurrences(svg, "<rect class=\"cell"); }

}  // namespace acceldse::report::testing
