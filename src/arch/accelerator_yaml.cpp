// Accelerator YAML (archs/NAME.yaml): strict reading and writing back.
#include <fmt/format.h>

#include <filesystem>
#include <limits>

#include "arch/arch.h"
#include "arch/arch_internal.h"
#include "arch/yaml_util.h"
#include "common/error.h"

namespace acceldse::arch {
namespace {

using detail::Where;

constexpr int64_t kIntMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kIntMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kSmallMax = int64_t{1} << 30;  // precision bytes are ints

// Remembers the line of every key read, so errors found after reading (validate, the
// technology lookup) can still point into the file.
class LineMap {
 public:
  void note(const Where& where) { lines_[where.path] = where.line; }
  std::string place(std::string path) const {
    const std::string full = path;
    while (!path.empty()) {
      if (auto it = lines_.find(path); it != lines_.end() && it->second > 0) {
        return fmt::format("{} (line {})", full, it->second);
      }
      const auto dot = path.rfind('.');
      path = dot == std::string::npos ? "" : path.substr(0, dot);
    }
    return full;
  }

 private:
  std::map<std::string, int> lines_;
};

struct Reader {
  YAML::Node node;  // a handle; copies share the document
  Where where;
  LineMap& lines;

  bool has(const char* key) const { return static_cast<bool>(node[key]); }
  // Positioned at the key, not its value: a block map's value starts a line later.
  Where at(const char* key) const {
    Where child = where.child(key, node[key]);
    for (const auto& entry : node) {
      if (entry.first.Scalar() == key) child = where.child(key, entry.first);
    }
    lines.note(child);
    return child;
  }
  int64_t integer(const char* key, int64_t fallback, int64_t lo = kIntMin, int64_t hi = kIntMax) const {
    return has(key) ? detail::read_int(node[key], at(key), lo, hi) : fallback;
  }
  double number(const char* key, double fallback) const {
    return has(key) ? detail::read_double(node[key], at(key)) : fallback;
  }
  bool flag(const char* key, bool fallback) const {
    return has(key) ? detail::read_bool(node[key], at(key)) : fallback;
  }
  std::string text(const char* key, const std::string& fallback) const {
    return has(key) ? detail::scalar_text(node[key], at(key)) : fallback;
  }
  Reader section(const char* key, const std::vector<std::string>& allowed) const {
    const Where child = at(key);
    detail::require_map(node[key], child, allowed);
    return Reader{node[key], child, lines};
  }
};

TensorUnit read_tensor(const Reader& r) {
  TensorUnit t;
  t.rows = r.integer("rows", t.rows);
  t.cols = r.integer("cols", t.cols);
  t.arrays = r.integer("arrays", t.arrays);
  if (r.has("dataflow")) {
    const std::string text = r.text("dataflow", "");
    if (!detail::parse_dataflow(text, t.dataflow))
      detail::fail(r.at("dataflow"), "expected ws, os, is or auto, got '" + text + "'");
  }
  t.tiling = r.flag("tiling", t.tiling);
  t.pe_local_bytes = r.integer("pe_local_bytes", t.pe_local_bytes);
  t.pipelined_folds = r.flag("pipelined_folds", t.pipelined_folds);
  return t;
}

VectorUnit read_vector(const Reader& r) {
  VectorUnit v;
  v.lanes = r.integer("lanes", v.lanes);
  v.ops_per_lane_per_cycle = r.integer("ops_per_lane_per_cycle", v.ops_per_lane_per_cycle);
  return v;
}

Buffers read_buffers(const Reader& r) {
  Buffers b;
  const bool split = r.has("input_kib") || r.has("weight_kib") || r.has("output_kib");
  if (r.has("unified_kib")) {
    if (split)
      detail::fail(r.at("unified_kib"), "give either unified_kib or input_kib/weight_kib/output_kib, not both");
    b.unified = true;
    b.unified_kib = r.integer("unified_kib", 0);
    b.input_kib = b.weight_kib = b.output_kib = 0;
  } else {
    b.input_kib = r.integer("input_kib", b.input_kib);
    b.weight_kib = r.integer("weight_kib", b.weight_kib);
    b.output_kib = r.integer("output_kib", b.output_kib);
  }
  b.read_bytes_per_cycle = r.number("read_bytes_per_cycle", b.read_bytes_per_cycle);
  b.write_bytes_per_cycle = r.number("write_bytes_per_cycle", b.write_bytes_per_cycle);
  b.double_buffered = r.flag("double_buffered", b.double_buffered);
  b.keep_activations_on_chip = r.flag("keep_activations_on_chip", b.keep_activations_on_chip);
  if (r.has("im2col_fetch")) {
    const std::string text = r.text("im2col_fetch", "");
    if (!detail::parse_im2col_fetch(text, b.im2col_fetch))
      detail::fail(r.at("im2col_fetch"), "expected unique or expanded, got '" + text + "'");
  }
  return b;
}

Dram read_dram(const Reader& r) {
  Dram d;
  d.bandwidth_gb_per_s = r.number("bandwidth_gb_per_s", d.bandwidth_gb_per_s);
  d.latency_ns = r.number("latency_ns", d.latency_ns);
  d.stall_free = r.flag("stall_free", d.stall_free);
  d.bandwidth_per_operand = r.flag("bandwidth_per_operand", d.bandwidth_per_operand);
  d.type = r.text("type", d.type);
  return d;
}

void read_number_type(const Reader& r, Precision& p) {
  const std::string type = r.text("type", "int");
  if (type == "int") {
    p.is_float = p.is_bfloat16 = false;
  } else if (type == "float") {
    p.is_float = true;
    p.is_bfloat16 = false;
  } else if (type == "bfloat16") {
    p.is_float = p.is_bfloat16 = true;
  } else {
    detail::fail(r.at("type"), "expected int, float or bfloat16, got '" + type + "'");
  }
}

Precision read_precision(const YAML::Node& node, const Where& where, LineMap& lines) {
  Precision p;
  if (node.IsScalar()) {
    if (!detail::precision_from_shorthand(node.Scalar(), p)) {
      detail::fail(where, "expected one of " + detail::join(detail::precision_shorthands(), ", ") +
                              " or a map of input_bytes/weight_bytes/output_bytes/accumulator_bytes/type, got '" +
                              node.Scalar() + "'");
    }
    return p;
  }
  detail::require_map(node, where, {"input_bytes", "weight_bytes", "output_bytes", "accumulator_bytes", "type"});
  const Reader r{node, where, lines};
  p.input_bytes = static_cast<int>(r.integer("input_bytes", p.input_bytes, -kSmallMax, kSmallMax));
  p.weight_bytes = static_cast<int>(r.integer("weight_bytes", p.weight_bytes, -kSmallMax, kSmallMax));
  p.output_bytes = static_cast<int>(r.integer("output_bytes", p.output_bytes, -kSmallMax, kSmallMax));
  p.accumulator_bytes = static_cast<int>(r.integer("accumulator_bytes", p.accumulator_bytes, -kSmallMax, kSmallMax));
  read_number_type(r, p);
  return p;
}

// Flattened as "field" or "mac_energy_pj.TYPE", the form Accelerator keeps.
std::map<std::string, double> read_overrides(const Reader& r) {
  std::map<std::string, double> out;
  for (const auto& entry : r.node) {
    const std::string field = entry.first.Scalar();
    const Where at = r.at(field.c_str());
    if (field == "mac_area_um2" || field == "mac_energy_pj" || field == "dram" || field == "host") {
      if (field.starts_with("mac")) detail::require_map(entry.second, at, detail::mac_type_names());
      if (!entry.second.IsMap()) detail::fail(at, "expected a map of FIELD: number");
      for (const auto& mac : entry.second) {
        const Where mac_at = at.child(mac.first.Scalar(), mac.second);
        r.lines.note(mac_at);
        out[field + "." + mac.first.Scalar()] = detail::read_double(mac.second, mac_at);
      }
    } else {
      out[field] = detail::read_double(entry.second, at);
    }
  }
  return out;
}

const std::vector<std::string> kTopKeys = {
    "name",      "tensor_unit", "vector_unit",          "buffers",  "dram",          "clock_ghz",
    "precision", "technology",  "technology_overrides", "supply_v", "host_interface"};

Accelerator read_spec(const YAML::Node& root, const std::string& file_label, LineMap& lines) {
  const Reader top{root, Where{file_label, "", 0}, lines};
  detail::require_map(root, top.where, kTopKeys);
  Accelerator a;
  a.name = top.text("name", std::filesystem::path(file_label).stem().string());
  if (top.has("tensor_unit"))
    a.tensor = read_tensor(top.section(
        "tensor_unit", {"rows", "cols", "arrays", "dataflow", "tiling", "pe_local_bytes", "pipelined_folds"}));
  if (top.has("vector_unit")) a.vector = read_vector(top.section("vector_unit", {"lanes", "ops_per_lane_per_cycle"}));
  if (top.has("buffers")) {
    a.buffers = read_buffers(top.section(
        "buffers", {"input_kib", "weight_kib", "output_kib", "unified_kib", "read_bytes_per_cycle",
                    "write_bytes_per_cycle", "double_buffered", "keep_activations_on_chip", "im2col_fetch"}));
  }
  if (top.has("dram"))
    a.dram = read_dram(
        top.section("dram", {"bandwidth_gb_per_s", "latency_ns", "stall_free", "bandwidth_per_operand", "type"}));
  a.clock_ghz = top.number("clock_ghz", a.clock_ghz);
  a.supply_v = top.number("supply_v", a.supply_v);
  a.host_interface = top.text("host_interface", a.host_interface);
  if (top.has("precision")) a.precision = read_precision(root["precision"], top.at("precision"), lines);
  a.technology_name = top.text("technology", a.technology_name);
  if (top.has("technology_overrides")) {
    a.technology_overrides = read_overrides(top.section("technology_overrides", technology_numeric_fields()));
  }
  return a;
}

void emit_number(YAML::Emitter& out, const char* key, double value) {
  out << YAML::Key << key << YAML::Value << detail::format_double(value);
}

void emit_buffers(YAML::Emitter& out, const Buffers& b) {
  out << YAML::Key << "buffers" << YAML::Value << YAML::BeginMap;
  if (b.unified) {
    out << YAML::Key << "unified_kib" << YAML::Value << b.unified_kib;
  } else {
    out << YAML::Key << "input_kib" << YAML::Value << b.input_kib;
    out << YAML::Key << "weight_kib" << YAML::Value << b.weight_kib;
    out << YAML::Key << "output_kib" << YAML::Value << b.output_kib;
  }
  emit_number(out, "read_bytes_per_cycle", b.read_bytes_per_cycle);
  emit_number(out, "write_bytes_per_cycle", b.write_bytes_per_cycle);
  out << YAML::Key << "double_buffered" << YAML::Value << b.double_buffered;
  out << YAML::Key << "keep_activations_on_chip" << YAML::Value << b.keep_activations_on_chip;
  out << YAML::Key << "im2col_fetch" << YAML::Value << to_string(b.im2col_fetch) << YAML::EndMap;
}

void emit_precision(YAML::Emitter& out, const Precision& p) {
  out << YAML::Key << "precision" << YAML::Value;
  if (const std::string shorthand = detail::precision_shorthand(p); !shorthand.empty()) {
    out << shorthand;
    return;
  }
  out << YAML::BeginMap << YAML::Key << "input_bytes" << YAML::Value << p.input_bytes << YAML::Key << "weight_bytes"
      << YAML::Value << p.weight_bytes << YAML::Key << "output_bytes" << YAML::Value << p.output_bytes << YAML::Key
      << "accumulator_bytes" << YAML::Value << p.accumulator_bytes << YAML::Key << "type" << YAML::Value
      << (p.is_bfloat16 ? "bfloat16"
          : p.is_float  ? "float"
                        : "int")
      << YAML::EndMap;
}

void emit_overrides(YAML::Emitter& out, const std::map<std::string, double>& overrides) {
  if (overrides.empty()) return;
  std::map<std::string, std::map<std::string, double>> mac;
  out << YAML::Key << "technology_overrides" << YAML::Value << YAML::BeginMap;
  for (const auto& [key, value] : overrides) {
    const auto dot = key.find('.');
    if (dot == std::string::npos) {
      emit_number(out, key.c_str(), value);
    } else {
      mac[key.substr(0, dot)][key.substr(dot + 1)] = value;
    }
  }
  for (const auto& [field, values] : mac) {
    out << YAML::Key << field << YAML::Value << YAML::BeginMap;
    for (const auto& [type, value] : values) emit_number(out, type.c_str(), value);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

}  // namespace

Accelerator load_accelerator_yaml_text(const std::string& text, const std::string& file_label) {
  const YAML::Node root = detail::parse_document(text, file_label);
  LineMap lines;
  Accelerator accel = read_spec(root, file_label, lines);
  try {
    detail::resolve_technology(accel, file_label);
    validate(accel, file_label);
  } catch (const InputError& e) {
    throw InputError(e.file(), lines.place(e.place()), e.detail());
  }
  return accel;
}

std::string to_yaml(const Accelerator& a) {
  YAML::Emitter out;
  out << YAML::Comment("acceldse accelerator spec (format: docs/formats.md, section Accelerator specs)");
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << a.name;
  out << YAML::Key << "tensor_unit" << YAML::Value << YAML::BeginMap << YAML::Key << "rows" << YAML::Value
      << a.tensor.rows << YAML::Key << "cols" << YAML::Value << a.tensor.cols << YAML::Key << "arrays" << YAML::Value
      << a.tensor.arrays << YAML::Key << "dataflow" << YAML::Value << to_string(a.tensor.dataflow) << YAML::Key
      << "tiling" << YAML::Value << a.tensor.tiling << YAML::Key << "pe_local_bytes" << YAML::Value
      << a.tensor.pe_local_bytes << YAML::Key << "pipelined_folds" << YAML::Value << a.tensor.pipelined_folds
      << YAML::EndMap;
  out << YAML::Key << "vector_unit" << YAML::Value << YAML::BeginMap << YAML::Key << "lanes" << YAML::Value
      << a.vector.lanes << YAML::Key << "ops_per_lane_per_cycle" << YAML::Value << a.vector.ops_per_lane_per_cycle
      << YAML::EndMap;
  emit_buffers(out, a.buffers);
  out << YAML::Key << "dram" << YAML::Value << YAML::BeginMap;
  emit_number(out, "bandwidth_gb_per_s", a.dram.bandwidth_gb_per_s);
  emit_number(out, "latency_ns", a.dram.latency_ns);
  out << YAML::Key << "stall_free" << YAML::Value << a.dram.stall_free << YAML::Key << "bandwidth_per_operand"
      << YAML::Value << a.dram.bandwidth_per_operand << YAML::Key << "type" << YAML::Value << a.dram.type
      << YAML::EndMap;
  emit_number(out, "clock_ghz", a.clock_ghz);
  emit_number(out, "supply_v", a.supply_v);
  out << YAML::Key << "host_interface" << YAML::Value << a.host_interface;
  emit_precision(out, a.precision);
  out << YAML::Key << "technology" << YAML::Value << a.technology_name;
  emit_overrides(out, a.technology_overrides);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace acceldse::arch
