#pragma once
// Text helpers shared by the report pages: escaping and number formatting.
// Internal to src/report.
#include <cstdint>
#include <string>
#include <string_view>

namespace acceldse::report::detail {

// Safe inside HTML text, double-quoted attributes and SVG <text>/<title>: names come
// from user files. Control characters become spaces.
std::string escape(std::string_view text);

// Three significant digits, exponent form outside [1e-3, 1e5): for tables and ticks.
std::string num(double value);

// A pixel coordinate: one decimal, no trailing ".0" (keeps 10,000-point SVGs small).
std::string px(double value);

// An integer with thousands separators: 1,234,567.
std::string count(int64_t value);

// A value with an SI prefix chosen for it: si(0.00123, "s") == "1.23 ms".
std::string si(double value, std::string_view unit);

// value * 100 with a % sign: pct(0.8734) == "87.3%".
std::string pct(double fraction);

// The SI prefix that puts `typical` in [1, 1000): multiply a value by `factor` to show
// it in `unit` (e.g. seconds -> factor 1e3, "ms").
struct UnitScale {
  double factor = 1;
  std::string unit;
};
UnitScale si_scale(double typical, std::string_view unit);

// Shortens to `max_chars` code points, ending in "…" when cut.
std::string ellipsize(std::string_view text, size_t max_chars);

}  // namespace acceldse::report::detail
