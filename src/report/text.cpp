#include "report/text.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace acceldse::report::detail {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters are invalid in HTML/XML text; a space keeps words apart.
        out += (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') ? ' ' : c;
    }
  }
  return out;
}

// Drops trailing zeros of a fixed/general representation ("1.50" -> "1.5").
static std::string trim_zeros(std::string s) {
  if (s.find('.') == std::string::npos || s.find('e') != std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string num(double value) {
  if (!std::isfinite(value)) return "n/a";
  if (value == 0) return "0";
  double mag = std::fabs(value);
  if (mag >= 1e5 || mag < 1e-3) {
    // "1.2e6" reads better on an axis than "1.2e+06".
    int exp = static_cast<int>(std::floor(std::log10(mag)));
    double mant = value / std::pow(10.0, exp);
    if (std::fabs(std::round(mant * 100) / 100) >= 10) {  // rounding carried over
      mant /= 10;
      ++exp;
    }
    return fmt::format("{}e{}", trim_zeros(fmt::format("{:.2f}", mant)), exp);
  }
  if (mag >= 100) return fmt::format("{:.0f}", value);
  if (mag >= 10) return trim_zeros(fmt::format("{:.1f}", value));
  if (mag >= 1) return trim_zeros(fmt::format("{:.2f}", value));
  return trim_zeros(fmt::format("{:.3g}", value));
}

std::string px(double value) {
  double r = std::round(value * 10) / 10;
  if (r == 0) return "0";  // avoids "-0"
  return trim_zeros(fmt::format("{:.1f}", r));
}

std::string count(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

UnitScale si_scale(double typical, std::string_view unit) {
  static constexpr std::array<const char*, 10> kPrefix = {"p", "n", "µ", "m", "", "k", "M", "G", "T", "P"};
  double mag = std::fabs(typical);
  int step = 0;  // power of 1000
  if (std::isfinite(mag) && mag > 0) step = static_cast<int>(std::floor(std::log10(mag) / 3 + 1e-9));
  step = std::clamp(step, -4, 5);
  return {std::pow(1000.0, -step), std::string(kPrefix[static_cast<size_t>(step + 4)]) + std::string(unit)};
}

std::string si(double value, std::string_view unit) {
  if (!std::isfinite(value)) return "n/a";
  UnitScale s = si_scale(value, unit);
  return num(value * s.factor) + " " + s.unit;
}

std::string pct(double fraction) {
  if (!std::isfinite(fraction)) return "n/a";
  return trim_zeros(fmt::format("{:.1f}", fraction * 100)) + "%";
}

std::string ellipsize(std::string_view text, size_t max_chars) {
  // Counts UTF-8 lead bytes so a multi-byte character is never split.
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars == max_chars - 1 && max_chars > 0) {
      size_t rest = 0;
      for (size_t j = i; j < text.size(); ++j) rest += (static_cast<unsigned char>(text[j]) & 0xC0) != 0x80;
      if (rest > 1) return std::string(text.substr(0, i)) + "…";
      return std::string(text);
    }
    ++chars;
  }
  return std::string(text);
}

}  // namespace acceldse::report::detail
