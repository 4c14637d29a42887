#include "arch/yaml_util.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "common/error.h"
#include "common/yaml_check.h"

namespace acceldse::arch::detail {

Where Where::child(const std::string& key, const YAML::Node& node) const {
  Where out{file, path.empty() ? key : path + "." + key, line};
  // A missing key gives an undefined node without a position: keep the parent's line.
  if (node.IsDefined() && !node.Mark().is_null()) out.line = node.Mark().line + 1;
  return out;
}

std::string Where::place() const {
  if (line <= 0) return path;
  return path.empty() ? fmt::format("line {}", line) : fmt::format("{} (line {})", path, line);
}

void fail(const Where& where, const std::string& what_expected) {
  throw InputError(where.file, where.place(), what_expected);
}

YAML::Node parse_document(const std::string& text, const std::string& file_label) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    const std::string place = e.mark.is_null() ? "" : fmt::format("line {}", e.mark.line + 1);
    throw InputError(file_label, place, "malformed YAML: " + e.msg);
  }
  if (!root.IsDefined() || root.IsNull()) {
    throw InputError(file_label, "", "the file is empty; expected a YAML map");
  }
  check_yaml_document(root, file_label);
  if (!root.IsMap()) {
    Where where{file_label, "", root.Mark().is_null() ? 0 : root.Mark().line + 1};
    fail(where, "expected a YAML map of keys at the top level");
  }
  return root;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

void require_map(const YAML::Node& node, const Where& where, const std::vector<std::string>& allowed) {
  if (!node.IsMap()) fail(where, "expected a map with keys " + join(allowed, ", "));
  std::vector<std::string> seen;
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) fail(where, "map keys must be plain names");
    const std::string key = entry.first.Scalar();
    const Where key_where = where.child(key, entry.first);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      fail(key_where, "unknown key '" + key + "'; expected one of " + join(allowed, ", "));
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) fail(key_where, "key '" + key + "' given twice");
    seen.push_back(key);
  }
}

std::string scalar_text(const YAML::Node& node, const Where& where) {
  if (!node.IsScalar()) fail(where, "expected a single value, not a list or map");
  return node.Scalar();
}

bool parse_int(const std::string& text, int64_t& value) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto result = std::from_chars(begin, end, value);
  return result.ec == std::errc() && result.ptr == end && begin != end;
}

bool parse_double(const std::string& text, double& value) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto result = std::from_chars(begin, end, value);
  return result.ec == std::errc() && result.ptr == end && begin != end && std::isfinite(value);
}

bool parse_bool(const std::string& text, bool& value) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true") {
    value = true;
    return true;
  }
  if (lower == "false") {
    value = false;
    return true;
  }
  return false;
}

int64_t read_int(const YAML::Node& node, const Where& where, int64_t min_value, int64_t max_value) {
  const std::string text = scalar_text(node, where);
  int64_t value = 0;
  if (!parse_int(text, value)) fail(where, "expected a whole number, got '" + text + "'");
  if (value < min_value || value > max_value) {
    fail(where, fmt::format("expected a whole number from {} to {}, got {}", min_value, max_value, value));
  }
  return value;
}

double read_double(const YAML::Node& node, const Where& where) {
  const std::string text = scalar_text(node, where);
  double value = 0;
  if (!parse_double(text, value)) fail(where, "expected a finite number, got '" + text + "'");
  return value;
}

bool read_bool(const YAML::Node& node, const Where& where) {
  const std::string text = scalar_text(node, where);
  bool value = false;
  if (!parse_bool(text, value)) fail(where, "expected true or false, got '" + text + "'");
  return value;
}

std::string format_double(double value) { return fmt::format("{}", value); }

}  // namespace acceldse::arch::detail
