// Design-space parameters: one named field of the spec set from text.
#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "arch/arch.h"
#include "arch/arch_internal.h"
#include "arch/yaml_util.h"
#include "common/error.h"

namespace acceldse::arch {
namespace {

// A setter returns "" on success or what was expected instead; it checks the value
// before changing anything, so a rejected value leaves the spec as it was (no copy:
// searches set parameters millions of times).
using Setter = std::function<std::string(Accelerator&, const std::string&)>;

template <typename Field>
Setter positive_int(Field field) {
  return [field](Accelerator& a, const std::string& text) -> std::string {
    int64_t value = 0;
    if (!detail::parse_int(text, value) || value < 1) return "expected a whole number >= 1, got '" + text + "'";
    field(a) = value;
    return "";
  };
}

template <typename Field>
Setter nonnegative_int(Field field) {
  return [field](Accelerator& a, const std::string& text) -> std::string {
    int64_t value = 0;
    if (!detail::parse_int(text, value) || value < 0) return "expected a whole number >= 0, got '" + text + "'";
    field(a) = value;
    return "";
  };
}

template <typename Field>
Setter real(Field field, bool zero_allowed) {
  return [field, zero_allowed](Accelerator& a, const std::string& text) -> std::string {
    double value = 0;
    if (!detail::parse_double(text, value) || value < 0 || (!zero_allowed && value == 0)) {
      return fmt::format("expected a number {} 0, got '{}'", zero_allowed ? ">=" : ">", text);
    }
    field(a) = value;
    return "";
  };
}

template <typename Field>
Setter boolean(Field field) {
  return [field](Accelerator& a, const std::string& text) -> std::string {
    bool value = false;
    if (!detail::parse_bool(text, value)) return "expected true or false, got '" + text + "'";
    field(a) = value;
    return "";
  };
}

template <typename Field>
Setter bytes(Field field) {
  return [field](Accelerator& a, const std::string& text) -> std::string {
    int64_t value = 0;
    if (!detail::parse_int(text, value) || (value != 1 && value != 2 && value != 4)) {
      return "expected 1, 2 or 4 bytes, got '" + text + "'";
    }
    field(a) = static_cast<int>(value);
    return "";
  };
}

// A split size on a unified spec would leave the other two sizes undefined.
Setter split_kib(int64_t Buffers::*member) {
  return [member](Accelerator& a, const std::string& text) -> std::string {
    if (a.buffers.unified) return "the spec has a unified buffer; set unified_kib instead";
    return positive_int([member](Accelerator& x) -> int64_t& { return x.buffers.*member; })(a, text);
  };
}

std::string set_unified(Accelerator& a, const std::string& text) {
  int64_t value = 0;
  if (!detail::parse_int(text, value) || value < 1) return "expected a whole number >= 1, got '" + text + "'";
  a.buffers.unified = true;
  a.buffers.unified_kib = value;
  a.buffers.input_kib = a.buffers.weight_kib = a.buffers.output_kib = 0;
  return "";
}

std::string set_dataflow(Accelerator& a, const std::string& text) {
  if (!detail::parse_dataflow(text, a.tensor.dataflow)) return "expected ws, os, is or auto, got '" + text + "'";
  return "";
}

std::string set_im2col_fetch(Accelerator& a, const std::string& text) {
  if (!detail::parse_im2col_fetch(text, a.buffers.im2col_fetch))
    return "expected unique or expanded, got '" + text + "'";
  return "";
}

std::string set_precision(Accelerator& a, const std::string& text) {
  if (!detail::precision_from_shorthand(text, a.precision)) {
    return "expected one of " + detail::join(detail::precision_shorthands(), ", ") + ", got '" + text + "'";
  }
  return "";
}

// Sets a field the resolved technology depends on, then resolves it again.
template <typename Field>
std::string resolve_with(Accelerator& a, Field field, const std::string& text) {
  Accelerator resolved = a;
  field(resolved) = text;
  try {
    detail::resolve_technology(resolved, "<parameter>");
  } catch (const InputError& e) {
    return e.detail();
  }
  a = std::move(resolved);
  return "";
}

std::string set_technology(Accelerator& a, const std::string& text) {
  return resolve_with(
      a, [](Accelerator& x) -> std::string& { return x.technology_name; }, text);
}
std::string set_dram_type(Accelerator& a, const std::string& text) {
  return resolve_with(
      a, [](Accelerator& x) -> std::string& { return x.dram.type; }, text);
}
std::string set_host_interface(Accelerator& a, const std::string& text) {
  return resolve_with(
      a, [](Accelerator& x) -> std::string& { return x.host_interface; }, text);
}

// Overrides the resolved table in place; technology_overrides keeps it for to_yaml.
Setter tech_override(const std::string& key) {
  return [key](Accelerator& a, const std::string& text) -> std::string {
    double value = 0;
    if (!detail::parse_double(text, value)) return "expected a number, got '" + text + "'";
    try {
      apply_technology_overrides(a.technology, {{key, value}}, "<parameter>");
    } catch (const InputError& e) {
      return e.detail();
    }
    a.technology_overrides[key] = value;
    return "";
  };
}

#define FIELD(expr) \
  [](Accelerator & a) -> auto& { return expr; }

std::vector<std::pair<std::string, Setter>> make_setters() {
  std::vector<std::pair<std::string, Setter>> s = {
      {"rows", positive_int(FIELD(a.tensor.rows))},
      {"cols", positive_int(FIELD(a.tensor.cols))},
      {"arrays", positive_int(FIELD(a.tensor.arrays))},
      {"dataflow", set_dataflow},
      {"tiling", boolean(FIELD(a.tensor.tiling))},
      {"vector_lanes", positive_int(FIELD(a.vector.lanes))},
      {"vector_ops_per_lane_per_cycle", positive_int(FIELD(a.vector.ops_per_lane_per_cycle))},
      {"input_kib", split_kib(&Buffers::input_kib)},
      {"weight_kib", split_kib(&Buffers::weight_kib)},
      {"output_kib", split_kib(&Buffers::output_kib)},
      {"unified_kib", set_unified},
      {"buffer_read_bytes_per_cycle", real(FIELD(a.buffers.read_bytes_per_cycle), true)},
      {"buffer_write_bytes_per_cycle", real(FIELD(a.buffers.write_bytes_per_cycle), true)},
      {"double_buffered", boolean(FIELD(a.buffers.double_buffered))},
      {"keep_activations_on_chip", boolean(FIELD(a.buffers.keep_activations_on_chip))},
      {"im2col_fetch", set_im2col_fetch},
      {"dram_gb_per_s", real(FIELD(a.dram.bandwidth_gb_per_s), false)},
      {"dram_latency_ns", real(FIELD(a.dram.latency_ns), true)},
      {"dram_stall_free", boolean(FIELD(a.dram.stall_free))},
      {"dram_bandwidth_per_operand", boolean(FIELD(a.dram.bandwidth_per_operand))},
      {"clock_ghz", real(FIELD(a.clock_ghz), false)},
      {"precision", set_precision},
      {"input_bytes", bytes(FIELD(a.precision.input_bytes))},
      {"weight_bytes", bytes(FIELD(a.precision.weight_bytes))},
      {"output_bytes", bytes(FIELD(a.precision.output_bytes))},
      {"accumulator_bytes", bytes(FIELD(a.precision.accumulator_bytes))},
      {"technology", set_technology},
      {"dram_type", set_dram_type},
      {"host_interface", set_host_interface},
      {"supply_v", real(FIELD(a.supply_v), true)},
      {"pe_local_bytes", nonnegative_int(FIELD(a.tensor.pe_local_bytes))},
      {"pipelined_folds", boolean(FIELD(a.tensor.pipelined_folds))},
  };
  for (const auto& field : technology_numeric_fields()) {
    if (field == "mac_area_um2" || field == "mac_energy_pj") {
      for (const char* type : {"int8", "int16", "int32", "fp16", "bf16", "fp32"}) {
        const std::string key = field + "." + type;
        s.emplace_back("tech." + key, tech_override(key));
      }
    } else if (field == "dram" || field == "host") {
      for (const std::string& name : interface_numeric_fields(field)) {
        const std::string key = field + "." + name;
        s.emplace_back("tech." + key, tech_override(key));
      }
    } else {
      s.emplace_back("tech." + field, tech_override(field));
    }
  }
  return s;
}

#undef FIELD

const std::vector<std::pair<std::string, Setter>>& setters() {
  static const auto table = make_setters();
  return table;
}

}  // namespace

const std::vector<std::string>& parameter_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, setter] : setters()) out.push_back(name);
    return out;
  }();
  return names;
}

void set_parameter(Accelerator& accel, const std::string& name, const std::string& value,
                   const std::string& file_label) {
  const auto& table = setters();
  auto it = std::find_if(table.begin(), table.end(), [&](const auto& entry) { return entry.first == name; });
  // tech.mac_*.fp8 is accepted too: a float8 MAC can only come from an override.
  const bool fp8_mac = name == "tech.mac_area_um2.fp8" || name == "tech.mac_energy_pj.fp8";
  if (it == table.end() && !fp8_mac) {
    throw InputError(file_label, name,
                     "unknown accelerator parameter; known: " + detail::join(parameter_names(), ", "));
  }
  const std::string problem = fp8_mac ? tech_override(name.substr(5))(accel, value) : it->second(accel, value);
  if (!problem.empty()) throw InputError(file_label, name, problem);
}

void set_parameter(Accelerator& accel, const std::string& name, const std::string& value) {
  set_parameter(accel, name, value, "<parameter>");
}

}  // namespace acceldse::arch
