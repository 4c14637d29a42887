// Plain text tables and CSV fields for the command line (report.h).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "report/report.h"
#include "report/text.h"

namespace acceldse::report {

std::string grouped(int64_t value) { return detail::count(value); }

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

nlohmann::ordered_json json_value(const std::string& text) {
  char* end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(number)) return text;
  if (number == std::round(number) && std::abs(number) < 9e15) return static_cast<int64_t>(number);
  return number;
}

std::string join(const std::vector<std::string>& cells, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) out += (i ? separator : "") + cells[i];
  return out;
}

namespace {

std::string trimmed(const std::string& line) { return line.substr(0, line.find_last_not_of(' ') + 1); }

bool looks_numeric(const std::string& cell) {
  return !cell.empty() && (std::isdigit(static_cast<unsigned char>(cell[0])) || cell[0] == '-' || cell[0] == '+');
}

}  // namespace

void TextTable::print(std::ostream& out) const {
  std::vector<size_t> width(header.size(), 0);
  const auto widen = [&](const std::vector<std::string>& row) {
    if (row.size() > width.size()) width.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  };
  widen(header);
  for (const auto& row : rows) widen(row);
  const auto line = [&](const std::vector<std::string>& row) {
    std::string text = indent;
    for (size_t c = 0; c < row.size(); ++c) {
      const bool right = c < numeric.size() ? numeric[c] : numeric.empty() && looks_numeric(row[c]);
      text += right ? fmt::format("{:>{}}  ", row[c], width[c]) : fmt::format("{:<{}}  ", row[c], width[c]);
    }
    out << trimmed(text) << "\n";
  };
  std::string dashes = indent;
  for (size_t w : width) dashes += std::string(w, '-') + "  ";
  dashes = trimmed(dashes);
  if (!header.empty()) line(header);
  if (rule && !header.empty()) out << dashes << "\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rule_before_last && r + 1 == rows.size() && r > 0) out << dashes << "\n";
    line(rows[r]);
  }
}

}  // namespace acceldse::report
