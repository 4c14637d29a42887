// Small shared pieces of the accelerator spec: names of enums and precisions, the
// built-in list, and choosing a loader for a name or path.
#include "arch/arch.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "arch/arch_internal.h"
#include "arch/yaml_util.h"
#include "common/data_dir.h"
#include "common/error.h"
#include "common/input_limits.h"

namespace acceldse::arch {
namespace {

namespace fs = std::filesystem;

struct Shorthand {
  const char* name;
  int bytes;
  bool is_float;
  bool is_bfloat16;
};

// Accumulators are 32-bit in every shorthand, matching the MAC entries of tech/*.yaml.
constexpr Shorthand kShorthands[] = {
    {"int8", 1, false, false}, {"int16", 2, false, false}, {"bf16", 2, true, true},
    {"fp16", 2, true, false},  {"fp32", 4, true, false},
};

std::string read_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw InputError(path.string(), "", "no such file (or not a regular file)");
  return read_input_file(path.string(), kMaxTextInputBytes, "an accelerator YAML file");
}

bool has_extension(const std::string& path, const std::string& extension) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == extension;
}

Accelerator load_yaml_file(const fs::path& path) { return load_accelerator_yaml_text(read_file(path), path.string()); }

}  // namespace

const char* to_string(Dataflow dataflow) {
  switch (dataflow) {
    case Dataflow::kWs: return "ws";
    case Dataflow::kOs: return "os";
    case Dataflow::kIs: return "is";
    case Dataflow::kAuto: return "auto";
  }
  return "?";
}

const char* to_string(Im2colFetch fetch) { return fetch == Im2colFetch::kExpanded ? "expanded" : "unique"; }

std::string Precision::mac_type() const {
  const int bytes = std::max(input_bytes, weight_bytes);
  if (!is_float) return fmt::format("int{}", 8 * bytes);
  if (bytes == 2) return is_bfloat16 ? "bf16" : "fp16";
  return fmt::format("fp{}", 8 * bytes);
}

namespace detail {

bool parse_dataflow(const std::string& text, Dataflow& dataflow) {
  for (Dataflow d : {Dataflow::kWs, Dataflow::kOs, Dataflow::kIs, Dataflow::kAuto}) {
    if (text == to_string(d)) {
      dataflow = d;
      return true;
    }
  }
  return false;
}

bool parse_im2col_fetch(const std::string& text, Im2colFetch& fetch) {
  for (Im2colFetch f : {Im2colFetch::kUnique, Im2colFetch::kExpanded}) {
    if (text == to_string(f)) {
      fetch = f;
      return true;
    }
  }
  return false;
}

bool precision_from_shorthand(const std::string& text, Precision& precision) {
  for (const auto& s : kShorthands) {
    if (text == s.name) {
      precision = Precision{s.bytes, s.bytes, s.bytes, 4, s.is_float, s.is_bfloat16};
      return true;
    }
  }
  return false;
}

std::string precision_shorthand(const Precision& precision) {
  for (const auto& s : kShorthands) {
    if (precision == Precision{s.bytes, s.bytes, s.bytes, 4, s.is_float, s.is_bfloat16}) return s.name;
  }
  return "";
}

const std::vector<std::string>& precision_shorthands() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& s : kShorthands) out.push_back(s.name);
    return out;
  }();
  return names;
}

void resolve_technology(Accelerator& accel, const std::string& file_label) {
  if (!is_technology(accel.technology_name)) {
    throw InputError(
        file_label, "technology",
        fmt::format("unknown technology '{}'; known: {}", accel.technology_name, join(technology_names(), ", ")));
  }
  accel.technology = load_technology(accel.technology_name);
  accel.technology.dram = load_interface(accel.dram.type, "dram", "dram.type", file_label);
  accel.technology.host = load_interface(accel.host_interface, "host", "host_interface", file_label);
  apply_technology_overrides(accel.technology, accel.technology_overrides, file_label);
}

}  // namespace detail

std::vector<std::string> builtin_accelerators() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(data_path("archs"), ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      names.push_back(entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A .cfg path is SCALE-Sim; anything that looks like a path is a YAML file; otherwise a
// built-in name. Built-ins report errors against their real file so users can open it.
Accelerator load_accelerator(const std::string& name_or_path) {
  if (name_or_path.empty()) throw InputError("<accelerator>", "", "empty accelerator name or path");
  if (has_extension(name_or_path, ".cfg")) return load_scalesim_cfg(name_or_path);
  const bool looks_like_path = name_or_path.find('/') != std::string::npos || has_extension(name_or_path, ".yaml") ||
                               has_extension(name_or_path, ".yml");
  if (looks_like_path) return load_yaml_file(name_or_path);
  const auto builtins = builtin_accelerators();
  if (std::find(builtins.begin(), builtins.end(), name_or_path) != builtins.end()) {
    return load_yaml_file(data_path("archs") / (name_or_path + ".yaml"));
  }
  std::error_code ec;
  if (fs::is_regular_file(name_or_path, ec)) return load_yaml_file(name_or_path);
  throw InputError("<accelerator>", "",
                   fmt::format("'{}' is neither a file nor a built-in accelerator; built-ins: {}", name_or_path,
                               detail::join(builtins, ", ")));
}

}  // namespace acceldse::arch
