// The built-in model suite: every models/NAME.yaml under the data directory.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

#include "common/data_dir.h"
#include "common/error.h"
#include "common/yaml_check.h"
#include "workload/workload.h"

namespace acceldse::workload {

namespace fs = std::filesystem;

namespace {

std::string optional_string(const YAML::Node& root, const char* key, const std::string& file) {
  YAML::Node node = root[key];
  if (!node) return "";
  if (!node.IsScalar()) {
    throw InputError(file, fmt::format("line {}, {}", node.Mark().line + 1, key), "expected a string");
  }
  return node.Scalar();
}

// Reads only the descriptive header; the layers are checked when the model is loaded.
SuiteEntry read_entry(const fs::path& path) {
  const std::string file = path.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    throw InputError(file, "", "cannot open the file for reading");
  } catch (const YAML::Exception& e) {
    throw InputError(file, fmt::format("line {}, column {}", e.mark.line + 1, e.mark.column + 1),
                     fmt::format("malformed YAML: {}", e.msg));
  }
  if (!root.IsMap()) throw InputError(file, "", "expected a mapping with keys name, inputs, layers");
  check_yaml_document(root, file);
  SuiteEntry entry;
  // The file name is what users type (`acceldse model show NAME`), so the `name` key
  // must agree with it or the model could be listed but not loaded.
  entry.name = path.stem().string();
  std::string declared = optional_string(root, "name", file);
  if (!declared.empty() && declared != entry.name) {
    throw InputError(file, "name", fmt::format("'{}' must match the file name '{}'", declared, entry.name));
  }
  entry.domain = optional_string(root, "domain", file);
  entry.description = optional_string(root, "description", file);
  if (YAML::Node flag = root["paper_suite"]) {
    if (!flag.IsScalar() || !YAML::convert<bool>::decode(flag, entry.paper_suite)) {
      throw InputError(file, fmt::format("line {}, paper_suite", flag.Mark().line + 1), "expected true or false");
    }
  }
  return entry;
}

}  // namespace

std::vector<SuiteEntry> suite() {
  std::vector<SuiteEntry> entries;
  std::error_code ec;
  fs::path dir = data_path("models");
  if (!fs::is_directory(dir, ec)) return entries;
  for (const fs::directory_entry& file : fs::directory_iterator(dir, ec)) {
    if (file.is_regular_file(ec) && file.path().extension() == ".yaml") {
      entries.push_back(read_entry(file.path()));
    }
  }
  std::sort(entries.begin(), entries.end(), [](const SuiteEntry& a, const SuiteEntry& b) { return a.name < b.name; });
  return entries;
}

std::vector<std::string> paper_suite_names() {
  std::vector<std::string> names;
  for (const SuiteEntry& entry : suite()) {
    if (entry.paper_suite) names.push_back(entry.name);
  }
  return names;
}

bool is_builtin(const std::string& name) {
  // A plain name only: no folders, no hidden files, no extension.
  bool plain = !name.empty() && name.front() != '.' && name.find_first_of("/\\") == std::string::npos &&
               fs::path(name).extension().empty();
  std::error_code ec;
  return plain && fs::is_regular_file(data_path("models") / (name + ".yaml"), ec);
}

}  // namespace acceldse::workload
