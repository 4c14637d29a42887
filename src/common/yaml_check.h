#pragma once
// Checks every YAML document acceldse reads, before a reader looks at it.
#include <yaml-cpp/yaml.h>

#include <string>

namespace acceldse {

// At most this many nodes per document, counting every use of an alias: aliases can
// expand a small file into billions of nodes ("billion laughs").
constexpr long kMaxYamlNodes = 2'000'000;

// Throws InputError(file_label, "line N", ...) for a key given twice in one map
// (yaml-cpp keeps both and lookups see only the first, so the second would be silently
// ignored), for a non-scalar map key, for text that is not UTF-8, or for a document beyond kMaxYamlNodes.
void check_yaml_document(const YAML::Node& root, const std::string& file_label);

// Parses `text` and checks it as above; malformed YAML is InputError(file_label,
// "line L, column C", "malformed YAML: ..."). An empty document is a null node.
YAML::Node parse_yaml_document(const std::string& text, const std::string& file_label);

}  // namespace acceldse
