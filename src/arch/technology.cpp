// Technology tables (tech/NAME.yaml): loading with a source check, overrides.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
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
      {"vector_lane_area_um2", &Technology::vector_lane_area_um2, false},
      {"vector_op_energy_pj", &Technology::vector_op_energy_pj, false},
      {"interconnect_area_fraction", &Technology::interconnect_area_fraction, false},
      {"leakage_mw_per_mm2", &Technology::leakage_mw_per_mm2, false},
      {"register_file_area_um2_per_byte", &Technology::register_file_area_um2_per_byte, false},
      {"register_file_energy_pj_per_byte", &Technology::register_file_energy_pj_per_byte, false},
      {"pe_control_area_fraction", &Technology::pe_control_area_fraction, false},
      {"cell_utilization", &Technology::cell_utilization, true},
      {"whitespace_fraction", &Technology::whitespace_fraction, false},
      {"sram_bank_kib", &Technology::sram_bank_kib, true},
      {"sram_bank_periphery_mm2", &Technology::sram_bank_periphery_mm2, false},
      {"wire_energy_pj_per_byte_mm", &Technology::wire_energy_pj_per_byte_mm, false},
      {"clock_tree_area_fraction", &Technology::clock_tree_area_fraction, false},
      {"clock_energy_pj_per_mm2_cycle", &Technology::clock_energy_pj_per_mm2_cycle, false},
      {"vdd_nominal_v", &Technology::vdd_nominal_v, true},
      {"vdd_min_v", &Technology::vdd_min_v, true},
      {"vdd_max_v", &Technology::vdd_max_v, true},
      {"vth_v", &Technology::vth_v, false},
      {"alpha_power", &Technology::alpha_power, true},
      {"fmax_nominal_ghz", &Technology::fmax_nominal_ghz, false},
      {"leakage_voltage_exponent", &Technology::leakage_voltage_exponent, false},
      {"timing_area_slope", &Technology::timing_area_slope, false},
  };
  return fields;
}

struct InterfaceField {
  const char* name;
  double OffChipInterface::*member;
  bool dram_only;
};

const std::vector<InterfaceField>& interface_fields() {
  static const std::vector<InterfaceField> fields = {
      {"channel_gb_per_s", &OffChipInterface::channel_gb_per_s, true},
      {"area_mm2", &OffChipInterface::area_mm2, false},
      {"static_mw", &OffChipInterface::static_mw, false},
      {"phy_energy_pj_per_bit", &OffChipInterface::phy_energy_pj_per_bit, true},
      {"device_energy_pj_per_bit", &OffChipInterface::device_energy_pj_per_bit, true},
      {"device_background_mw", &OffChipInterface::device_background_mw, true},
  };
  return fields;
}

const InterfaceField* find_interface_field(const std::string& name) {
  for (const auto& field : interface_fields()) {
    if (name == field.name) return &field;
  }
  return nullptr;
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
    detail::fail(top.child("name", root["name"]),
                 fmt::format("name '{}' must match the file name '{}'", tech.name, stem));
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

OffChipInterface parse_interface(const std::string& text, const std::string& file_label, const std::string& stem) {
  const YAML::Node root = detail::parse_document(text, file_label);
  const Where top{file_label, "", 0};
  std::vector<std::string> allowed = {"name", "kind", "description", "references", "sources"};
  for (const auto& field : interface_fields()) allowed.push_back(field.name);
  detail::require_map(root, top, allowed);
  OffChipInterface out;
  out.name = detail::scalar_text(root["name"], top.child("name", root["name"]));
  if (out.name != stem) {
    detail::fail(top.child("name", root["name"]),
                 fmt::format("name '{}' must match the file name '{}'", out.name, stem));
  }
  out.kind = root["kind"] ? detail::scalar_text(root["kind"], top.child("kind", root["kind"])) : "";
  if (out.kind != "dram" && out.kind != "host")
    detail::fail(top.child("kind", root["kind"]), "expected kind dram or host");
  if (root["sources"]) {
    if (!root["sources"].IsMap())
      detail::fail(top.child("sources", root["sources"]), "expected a map from field name to citation");
    for (const auto& entry : root["sources"]) out.sources[entry.first.Scalar()] = entry.second.Scalar();
  }
  for (const auto& field : interface_fields()) {
    if (field.dram_only && out.kind != "dram") continue;
    if (!root[field.name]) detail::fail(top, fmt::format("missing key '{}'", field.name));
    const Where at = top.child(field.name, root[field.name]);
    const double value = detail::read_double(root[field.name], at);
    const bool positive = field.member == &OffChipInterface::channel_gb_per_s;
    if (const std::string problem = check_value(field.name, value, positive); !problem.empty())
      detail::fail(at, problem);
    out.*field.member = value;
    if (!out.sources.count(field.name))
      detail::fail(top.child("sources", {}), fmt::format("no source for {}", field.name));
  }
  return out;
}

fs::path interface_dir() { return data_path("tech") / "interfaces"; }

}  // namespace

namespace detail {

// Cached like technologies: searches switch DRAM types as often as nodes.
OffChipInterface load_interface(const std::string& name, const std::string& kind, const std::string& place,
                                const std::string& file_label) {
  if (name == "none" && kind == "host") return OffChipInterface{};
  const auto known = interface_names(kind);
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    throw InputError(file_label, place,
                     fmt::format("unknown {} type '{}'; known: {}{}", kind, name, kind == "host" ? "none, " : "",
                                 join(known, ", ")));
  }
  static std::mutex mutex;
  static std::map<std::string, OffChipInterface> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(name);
  if (it == cache.end()) {
    const fs::path path = interface_dir() / (name + ".yaml");
    std::ifstream in(path);
    if (!in) throw InputError(path.string(), "", "cannot read the interface file");
    std::stringstream text;
    text << in.rdbuf();
    it = cache.emplace(name, parse_interface(text.str(), path.string(), name)).first;
  }
  return it->second;
}

const std::vector<std::string>& mac_type_names() {
  static const std::vector<std::string> names = {"int8", "int16", "int32", "fp8", "fp16", "bf16", "fp32"};
  return names;
}

}  // namespace detail

std::vector<std::string> technology_names() { return stems_in(data_path("tech")); }

std::vector<std::string> interface_names(const std::string& kind) {
  static std::mutex mutex;
  static std::map<std::string, std::vector<std::string>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(kind);
  if (it != cache.end()) return it->second;
  std::vector<std::string> names;
  for (const std::string& stem : stems_in(interface_dir())) {
    std::ifstream in(interface_dir() / (stem + ".yaml"));
    std::stringstream text;
    text << in.rdbuf();
    try {
      if (YAML::Load(text.str())["kind"].as<std::string>("") == kind) names.push_back(stem);
    } catch (const YAML::Exception&) {
      names.push_back(stem);  // listed so that loading it reports the syntax error
    }
  }
  return cache.emplace(kind, names).first->second;
}

const std::vector<std::string>& interface_numeric_fields(const std::string& kind) {
  static const auto names_of = [](bool dram) {
    std::vector<std::string> out;
    for (const auto& field : interface_fields()) {
      if (dram || !field.dram_only) out.emplace_back(field.name);
    }
    return out;
  };
  static const std::vector<std::string> dram = names_of(true), host = names_of(false);
  return kind == "dram" ? dram : host;
}

std::vector<std::pair<std::string, double>> interface_numbers(const OffChipInterface& link) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& field : interface_fields()) {
    if (link.kind == "dram" || !field.dram_only) out.emplace_back(field.name, link.*field.member);
  }
  return out;
}

double max_clock_ghz(const Technology& tech, double vdd_v) {
  if (tech.fmax_nominal_ghz <= 0) return std::numeric_limits<double>::infinity();
  // Alpha-power law: f ~ (V - Vth)^alpha / V, anchored at (vdd_nominal_v, fmax_nominal_ghz).
  const auto drive = [&](double v) { return v > tech.vth_v ? std::pow(v - tech.vth_v, tech.alpha_power) / v : 0.0; };
  const double nominal = drive(tech.vdd_nominal_v);
  return nominal > 0 ? tech.fmax_nominal_ghz * drive(vdd_v) / nominal : 0.0;
}

double operating_vdd(const Accelerator& accel) {
  const Technology& t = accel.technology;
  if (accel.supply_v > 0) return accel.supply_v;
  if (t.fmax_nominal_ghz <= 0 || accel.clock_ghz <= max_clock_ghz(t, t.vdd_nominal_v)) return t.vdd_nominal_v;
  // f(V) rises monotonically above Vth: bisect for the supply that just reaches the clock.
  double lo = t.vdd_nominal_v, hi = std::max(t.vdd_max_v, t.vdd_nominal_v);
  if (max_clock_ghz(t, hi) < accel.clock_ghz) return hi;  // validate() reports it
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    (max_clock_ghz(t, mid) < accel.clock_ghz ? lo : hi) = mid;
  }
  return hi;
}

int64_t dram_channels(const Accelerator& accel) {
  const double per_channel = accel.technology.dram.channel_gb_per_s;
  if (per_channel <= 0) return 0;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(accel.dram.bandwidth_gb_per_s / per_channel - 1e-9)));
}

const std::vector<std::string>& technology_numeric_fields() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out = {kMacArea, kMacEnergy};
    for (const auto& field : scalar_fields()) out.push_back(field.name);
    out.push_back("dram");
    out.push_back("host");
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
    throw InputError(dir.string(), "",
                     fmt::format("unknown technology '{}'; known: {}", name, detail::join(stems_in(dir), ", ")));
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
        throw InputError(
            file_label, place,
            "unknown technology field; expected one of " + detail::join(technology_numeric_fields(), ", "));
      }
      problem = check_value(key, value, field->must_be_positive);
      if (problem.empty()) tech.*field->member = value;
    } else if (key.starts_with("dram.") || key.starts_with("host.")) {
      OffChipInterface& link = key.starts_with("dram.") ? tech.dram : tech.host;
      const InterfaceField* field = find_interface_field(key.substr(dot + 1));
      if (field == nullptr) {
        std::vector<std::string> names;
        for (const auto& f : interface_fields()) names.push_back(f.name);
        throw InputError(file_label, place,
                         "expected dram.FIELD or host.FIELD with FIELD one of " + detail::join(names, ", "));
      }
      problem = check_value(key, value, field->member == &OffChipInterface::channel_gb_per_s);
      if (problem.empty()) {
        link.*field->member = value;
        link.sources[key.substr(dot + 1)] = "technology_overrides in the accelerator spec";
      }
    } else {
      const std::string field = key.substr(0, dot);
      const std::string type = key.substr(dot + 1);
      const auto& types = detail::mac_type_names();
      auto* values = mac_map(tech, field);
      if (values == nullptr || std::find(types.begin(), types.end(), type) == types.end()) {
        throw InputError(
            file_label, place,
            "expected mac_area_um2.TYPE or mac_energy_pj.TYPE with TYPE one of " + detail::join(types, ", "));
      }
      problem = check_value(key, value, true);
      if (problem.empty()) (*values)[type] = value;
    }
    if (!problem.empty()) throw InputError(file_label, place, problem);
    tech.sources[key] = "technology_overrides in the accelerator spec";
  }
}

}  // namespace acceldse::arch
