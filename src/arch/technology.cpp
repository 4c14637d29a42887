// Technology tables (tech/NAME.yaml): loading with a source check, overrides.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "arch/arch.h"
#include "arch/arch_internal.h"
#include "arch/yaml_util.h"
#include "common/data_dir.h"
#include "common/error.h"

namespace acceldse::arch {
namespace {

namespace fs = std::filesystem;
using detail::Where;

struct ScalarField {
  const char* name;
  double Technology::*member;
  bool must_be_positive;  // else >= 0
};

const std::vector<ScalarField>& scalar_fields() {
  static const std::vector<ScalarField> fields = {
      {"node_nm", &Technology::node_nm, true},
      {"register_area_um2_per_byte", &Technology::register_area_um2_per_byte, false},
      {"register_energy_pj_per_byte", &Technology::register_energy_pj_per_byte, false},
      {"sram_area_mm2_per_kib", &Technology::sram_area_mm2_per_kib, false},
      {"sram_energy_pj_per_byte_ref", &Technology::sram_energy_pj_per_byte_ref, false},
      {"sram_ref_kib", &Technology::sram_ref_kib, true},
      {"sram_energy_exponent", &Technology::sram_energy_exponent, false},
      {"dram_energy_pj_per_byte", &Technology::dram_energy_pj_per_byte, false},
      {"vector_lane_area_um2", &Technology::vector_lane_area_um2, false},
      {"vector_op_energy_pj", &Technology::vector_op_energy_pj, false},
      {"interconnect_area_fraction", &Technology::interconnect_area_fraction, false},
      {"leakage_mw_per_mm2", &Technology::leakage_mw_per_mm2, false},
  };
  return fields;
}

constexpr const char* kMacArea = "mac_area_um2";
constexpr const char* kMacEnergy = "mac_energy_pj";

std::map<std::string, double>* mac_map(Technology& tech, const std::string& field) {
  if (field == kMacArea) return &tech.mac_area_um2;
  if (field == kMacEnergy) return &tech.mac_energy_pj;
  return nullptr;
}

const ScalarField* find_scalar(const std::string& name) {
  for (const auto& field : scalar_fields()) {
    if (name == field.name) return &field;
  }
  return nullptr;
}

// A negative area or energy would silently turn costs into savings.
std::string check_value(const std::string& key, double value, bool must_be_positive) {
  if (!std::isfinite(value)) return "expected a finite number";
  if (must_be_positive && value <= 0) return fmt::format("{} must be greater than 0", key);
  if (value < 0) return fmt::format("{} must not be negative", key);
  return "";
}

std::vector<std::string> stems_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      names.push_back(entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

void read_mac_map(const YAML::Node& node, const Where& where, std::map<std::string, double>& out) {
  detail::require_map(node, where, detail::mac_type_names());
  for (const auto& entry : node) {
    const std::string type = entry.first.Scalar();
    const Where at = where.child(type, entry.second);
    const double value = detail::read_double(entry.second, at);
    if (const std::string problem = check_value(at.path, value, true); !problem.empty()) {
      detail::fail(at, problem);
    }
    out[type] = value;
  }
}

void read_sources(const YAML::Node& node, const Where& where, Technology& tech) {
  if (!node.IsMap()) detail::fail(where, "expected a map from field name to citation");
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    tech.sources[key] = detail::scalar_text(entry.second, where.child(key, entry.second));
  }
}

// "Every number cites its source": a field without one is an error in the table.
void require_sources(const Technology& tech, const Where& where) {
  const auto has = [&](const std::string& key) { return tech.sources.count(key) > 0; };
  for (const auto& field : scalar_fields()) {
    if (!has(field.name)) detail::fail(where.child("sources", {}), fmt::format("no source for {}", field.name));
  }
  for (const char* map_name : {kMacArea, kMacEnergy}) {
    const auto& values = map_name == std::string(kMacArea) ? tech.mac_area_um2 : tech.mac_energy_pj;
    for (const auto& [type, value] : values) {
      const std::string key = std::string(map_name) + "." + type;
      if (!has(key) && !has(map_name)) detail::fail(where.child("sources", {}), "no source for " + key);
    }
  }
}

Technology parse_technology(const std::string& text, const std::string& file_label, const std::string& stem) {
  const YAML::Node root = detail::parse_document(text, file_label);
  const Where top{file_label, "", 0};
  std::vector<std::string> allowed = {"name", "references", "sources", kMacArea, kMacEnergy};
  for (const auto& field : scalar_fields()) allowed.push_back(field.name);
  detail::require_map(root, top, allowed);
  for (const auto& key : allowed) {
    if (key != "references" && !root[key]) detail::fail(top, "missing key '" + key + "'");
  }
  Technology tech;
  tech.name = detail::scalar_text(root["name"], top.child("name", root["name"]));
  if (tech.name != stem) {
    detail::fail(top.child("name", root["name"]), fmt::format("name '{}' must match the file name '{}'", tech.name, stem));
  }
  for (const auto& field : scalar_fields()) {
    const Where at = top.child(field.name, root[field.name]);
    const double value = detail::read_double(root[field.name], at);
    if (const std::string problem = check_value(field.name, value, field.must_be_positive); !problem.empty()) {
      detail::fail(at, problem);
    }
    tech.*field.member = value;
  }
  read_mac_map(root[kMacArea], top.child(kMacArea, root[kMacArea]), tech.mac_area_um2);
  read_mac_map(root[kMacEnergy], top.child(kMacEnergy, root[kMacEnergy]), tech.mac_energy_pj);
  read_sources(root["sources"], top.child("sources", root["sources"]), tech);
  require_sources(tech, top);
  return tech;
}

Technology load_technology_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path.string(), "", "cannot read the technology file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_technology(text.str(), path.string(), path.stem().string());
}

}  // namespace

namespace detail {

const std::vector<std::string>& mac_type_names() {
  static const std::vector<std::string> names = {"int8", "int16", "int32", "fp8", "fp16", "bf16", "fp32"};
  return names;
}

}  // namespace detail

std::vector<std::string> technology_names() { return stems_in(data_path("tech")); }

const std::vector<std::string>& technology_numeric_fields() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out = {kMacArea, kMacEnergy};
    for (const auto& field : scalar_fields()) out.push_back(field.name);
    return out;
  }();
  return names;
}

namespace detail {

bool is_technology(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name.front() == '.') return false;
  std::error_code ec;
  return fs::is_regular_file(data_path("tech") / (name + ".yaml"), ec);
}

}  // namespace detail

// Cached by path: design-space searches switch technologies millions of times, so the
// directory is only listed to explain an unknown name.
Technology load_technology(const std::string& name) {
  const fs::path dir = data_path("tech");
  if (!detail::is_technology(name)) {
    throw InputError(dir.string(), "", fmt::format("unknown technology '{}'; known: {}", name, detail::join(stems_in(dir), ", ")));
  }
  static std::mutex mutex;
  static std::map<std::string, Technology> cache;
  const fs::path path = dir / (name + ".yaml");
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(path.string());
  if (it == cache.end()) it = cache.emplace(path.string(), load_technology_file(path)).first;
  return it->second;
}

void apply_technology_overrides(Technology& tech, const std::map<std::string, double>& overrides,
                                const std::string& file_label) {
  for (const auto& [key, value] : overrides) {
    const std::string place = "technology_overrides." + key;
    const auto dot = key.find('.');
    std::string problem;
    if (dot == std::string::npos) {
      const ScalarField* field = find_scalar(key);
      if (field == nullptr) {
        throw InputError(file_label, place, "unknown technology field; expected one of " +
                                                detail::join(technology_numeric_fields(), ", "));
      }
      problem = check_value(key, value, field->must_be_positive);
      if (problem.empty()) tech.*field->member = value;
    } else {
      const std::string field = key.substr(0, dot);
      const std::string type = key.substr(dot + 1);
      const auto& types = detail::mac_type_names();
      auto* values = mac_map(tech, field);
      if (values == nullptr || std::find(types.begin(), types.end(), type) == types.end()) {
        throw InputError(file_label, place, "expected mac_area_um2.TYPE or mac_energy_pj.TYPE with TYPE one of " +
                                                detail::join(types, ", "));
      }
      problem = check_value(key, value, true);
      if (problem.empty()) (*values)[type] = value;
    }
    if (!problem.empty()) throw InputError(file_label, place, problem);
    tech.sources[key] = "technology_overrides in the accelerator spec";
  }
}

}  // namespace acceldse::arch
