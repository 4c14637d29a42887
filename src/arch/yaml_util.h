#pragma once
// Strict reading of YAML nodes for the arch part (internal): every value is checked for
// its type and range, every map for unknown keys, and each failure becomes one
// InputError naming the file, the key path and the yaml-cpp line.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace acceldse::arch::detail {

// Where we are in a document: file label, key path ("buffers.input_kib") and line.
struct Where {
  std::string file;
  std::string path;
  int line = 0;  // 1-based; 0 = unknown
  Where child(const std::string& key, const YAML::Node& node) const;
  std::string place() const;  // "buffers.input_kib (line 12)"
};

[[noreturn]] void fail(const Where& where, const std::string& what_expected);

// Parses `text`; a syntax error, an empty document or a non-map root is an InputError.
YAML::Node parse_document(const std::string& text, const std::string& file_label);

// Fails if `node` is not a map or has keys outside `allowed` (listing them).
void require_map(const YAML::Node& node, const Where& where, const std::vector<std::string>& allowed);

std::string scalar_text(const YAML::Node& node, const Where& where);
int64_t read_int(const YAML::Node& node, const Where& where, int64_t min_value, int64_t max_value);
double read_double(const YAML::Node& node, const Where& where);  // finite
bool read_bool(const YAML::Node& node, const Where& where);      // true | false

// Text parsing shared with set_parameter and the .cfg reader; false if malformed.
bool parse_int(const std::string& text, int64_t& value);
bool parse_double(const std::string& text, double& value);  // finite only
bool parse_bool(const std::string& text, bool& value);

// Shortest text that parses back to exactly `value` (for to_yaml).
std::string format_double(double value);
std::string join(const std::vector<std::string>& items, const std::string& separator);

}  // namespace acceldse::arch::detail
