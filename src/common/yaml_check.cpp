#include "common/yaml_check.h"

#include <fmt/format.h>

#include <unordered_set>

#include "common/error.h"
#include "common/input_limits.h"

namespace acceldse {
namespace {

std::string line_of(const YAML::Node& node) {
  return node.Mark().is_null() ? "" : fmt::format("line {}", node.Mark().line + 1);
}

// Depth is bounded by yaml-cpp's own parser depth guard, so recursion is safe here.
void walk(const YAML::Node& node, const std::string& file_label, long& budget) {
  if (--budget < 0) {
    throw InputError(file_label, "",
                     fmt::format("the document has more than {} nodes (counting each use of an "
                                 "alias); expected a smaller file",
                                 kMaxYamlNodes));
  }
  // Text reaches JSON output, which must be UTF-8.
  if (node.IsScalar() && !is_valid_utf8(node.Scalar())) {
    throw InputError(file_label, line_of(node), "invalid UTF-8 text; expected UTF-8");
  }
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) walk(item, file_label, budget);
    return;
  }
  if (!node.IsMap()) return;
  std::unordered_set<std::string> keys;
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) throw InputError(file_label, line_of(entry.first), "a map key must be a plain name");
    if (!is_valid_utf8(entry.first.Scalar())) {
      throw InputError(file_label, line_of(entry.first), "invalid UTF-8 in a key; expected UTF-8");
    }
    if (!keys.insert(entry.first.Scalar()).second) {
      throw InputError(
          file_label, line_of(entry.first),
          fmt::format("key '{}' given twice in the same map; expected each key once", entry.first.Scalar()));
    }
    walk(entry.second, file_label, budget);
  }
}

}  // namespace

void check_yaml_document(const YAML::Node& root, const std::string& file_label) {
  long budget = kMaxYamlNodes;
  walk(root, file_label, budget);
}

YAML::Node parse_yaml_document(const std::string& text, const std::string& file_label) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(file_label, fmt::format("line {}, column {}", e.mark.line + 1, e.mark.column + 1),
                     fmt::format("malformed YAML: {}", e.msg));
  }
  check_yaml_document(root, file_label);
  return root;
}

}  // namespace acceldse
