// Whole-spec checks: what must hold for the cost model and simulator to be meaningful.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "arch/arch.h"
#include "arch/arch_internal.h"
#include "arch/yaml_util.h"
#include "common/error.h"
#include "common/input_limits.h"

namespace acceldse::arch {
namespace {

using detail::Problem;
using Found = std::optional<Problem>;

// Upper bounds keep products such as rows*cols*arrays and KiB*1024 far from int64 overflow.
constexpr int64_t kMaxEdge = int64_t{1} << 16;
constexpr int64_t kMaxArrays = int64_t{1} << 12;
constexpr int64_t kMaxLanes = int64_t{1} << 24;
constexpr int64_t kMaxOpsPerLane = int64_t{1} << 10;
constexpr int64_t kMaxKib = int64_t{1} << 30;  // 1 TiB

Found count_problem(const std::string& key, int64_t value, int64_t max_value) {
  if (value < 1 || value > max_value) {
    return Problem{key, fmt::format("expected a whole number from 1 to {}, got {}", max_value, value)};
  }
  return std::nullopt;
}

// Ranges of the real-valued fields (docs/formats.md, "Validated ranges and limits"). Beyond them the
// model's cycle and energy counts lose meaning or overflow: e.g. clock 1e15 GHz times a
// 100 ns latency is 1e17 cycles per transfer, and at 1e-13 GB/s one megabyte takes
// 1e19 cycles, past 2^63. Only technology overrides can break the technology ranges
// (the tables in tech/ lie within them), hence the key paths.
struct Range {
  double min, max;
};
constexpr Range kClockGhz{1e-3, 1e3};             // 1 MHz .. 1 THz
constexpr Range kBandwidthGbPerS{1e-3, 1e6};      // 1 MB/s .. 1 PB/s
constexpr Range kLatencyNs{0, 1e6};               // up to 1 ms
constexpr Range kBufferBytesPerCycle{1e-2, 1e9};  // when not 0 (= as wide as needed)
constexpr Range kTechnologyValue{0, 1e6};         // every number of a technology table
constexpr Range kSramRefKib{1e-3, 1e6};
constexpr Range kSramEnergyExponent{0, 4};

Found rate_problem(const std::string& key, double value, bool zero_allowed) {
  if (!std::isfinite(value) || value < 0 || (!zero_allowed && value == 0)) {
    return Problem{key, fmt::format("expected a number {} 0, got {}", zero_allowed ? ">=" : ">", value)};
  }
  return std::nullopt;
}

Found range_problem(const std::string& key, double value, Range range) {
  if (std::isfinite(value) && value >= range.min && value <= range.max) return std::nullopt;
  return Problem{key, fmt::format("expected a number from {} to {}, got {}", range.min, range.max, value)};
}

// 0 means "as wide as the array needs"; anything else must lie in the range.
Found port_problem(const std::string& key, double value) {
  if (auto p = rate_problem(key, value, true)) return p;
  return value == 0 ? std::nullopt : range_problem(key, value, kBufferBytesPerCycle);
}

Found technology_problem(const Technology& t) {
  const std::pair<const char*, double> fields[] = {
      {"node_nm", t.node_nm},
      {"register_area_um2_per_byte", t.register_area_um2_per_byte},
      {"register_energy_pj_per_byte", t.register_energy_pj_per_byte},
      {"sram_area_mm2_per_kib", t.sram_area_mm2_per_kib},
      {"sram_energy_pj_per_byte_ref", t.sram_energy_pj_per_byte_ref},
      {"vector_lane_area_um2", t.vector_lane_area_um2},
      {"vector_op_energy_pj", t.vector_op_energy_pj},
      {"interconnect_area_fraction", t.interconnect_area_fraction},
      {"leakage_mw_per_mm2", t.leakage_mw_per_mm2},
      {"register_file_area_um2_per_byte", t.register_file_area_um2_per_byte},
      {"register_file_energy_pj_per_byte", t.register_file_energy_pj_per_byte},
      {"pe_control_area_fraction", t.pe_control_area_fraction},
      {"sram_bank_kib", t.sram_bank_kib},
      {"sram_bank_periphery_mm2", t.sram_bank_periphery_mm2},
      {"wire_energy_pj_per_byte_mm", t.wire_energy_pj_per_byte_mm},
      {"clock_tree_area_fraction", t.clock_tree_area_fraction},
      {"clock_energy_pj_per_mm2_cycle", t.clock_energy_pj_per_mm2_cycle},
      {"vdd_nominal_v", t.vdd_nominal_v},
      {"vdd_min_v", t.vdd_min_v},
      {"vdd_max_v", t.vdd_max_v},
      {"alpha_power", t.alpha_power},
      {"fmax_nominal_ghz", t.fmax_nominal_ghz},
      {"leakage_voltage_exponent", t.leakage_voltage_exponent},
      {"timing_area_slope", t.timing_area_slope}};
  for (const auto& [field, value] : fields) {
    if (auto p = range_problem(std::string("technology_overrides.") + field, value, kTechnologyValue)) return p;
  }
  for (const auto& [prefix, link] : {std::pair{"dram", &t.dram}, std::pair{"host", &t.host}}) {
    for (const auto& [field, value] : interface_numbers(*link)) {
      if (auto p = range_problem(fmt::format("technology_overrides.{}.{}", prefix, field), value, kTechnologyValue))
        return p;
    }
  }
  for (const auto* table : {&t.mac_area_um2, &t.mac_energy_pj}) {
    const char* name = table == &t.mac_area_um2 ? "mac_area_um2" : "mac_energy_pj";
    for (const auto& [type, value] : *table) {
      if (auto p = range_problem(fmt::format("technology_overrides.{}.{}", name, type), value, kTechnologyValue))
        return p;
    }
  }
  if (auto p = range_problem("technology_overrides.sram_ref_kib", t.sram_ref_kib, kSramRefKib)) return p;
  return range_problem("technology_overrides.sram_energy_exponent", t.sram_energy_exponent, kSramEnergyExponent);
}

Found tensor_problem(const TensorUnit& t) {
  if (auto p = count_problem("tensor_unit.rows", t.rows, kMaxEdge)) return p;
  if (auto p = count_problem("tensor_unit.cols", t.cols, kMaxEdge)) return p;
  return count_problem("tensor_unit.arrays", t.arrays, kMaxArrays);
}

Found vector_problem(const VectorUnit& v) {
  if (auto p = count_problem("vector_unit.lanes", v.lanes, kMaxLanes)) return p;
  return count_problem("vector_unit.ops_per_lane_per_cycle", v.ops_per_lane_per_cycle, kMaxOpsPerLane);
}

Found precision_problem(const Precision& p) {
  const std::pair<const char*, int> widths[] = {{"precision.input_bytes", p.input_bytes},
                                                {"precision.weight_bytes", p.weight_bytes},
                                                {"precision.output_bytes", p.output_bytes},
                                                {"precision.accumulator_bytes", p.accumulator_bytes}};
  for (const auto& [key, bytes] : widths) {
    if (bytes != 1 && bytes != 2 && bytes != 4)
      return Problem{key, fmt::format("expected 1, 2 or 4 bytes, got {}", bytes)};
  }
  if (p.is_bfloat16 && (!p.is_float || p.input_bytes != 2 || p.weight_bytes != 2)) {
    return Problem{"precision.type", "bfloat16 needs 2-byte float inputs and weights"};
  }
  return std::nullopt;
}

Found mac_problem(const Accelerator& a) {
  const std::string type = a.precision.mac_type();
  const auto& t = a.technology;
  if (t.mac_area_um2.count(type) && t.mac_energy_pj.count(type)) return std::nullopt;
  std::vector<std::string> known;
  for (const auto& [name, value] : t.mac_energy_pj) {
    if (t.mac_area_um2.count(name)) known.push_back(name);
  }
  return Problem{"precision", fmt::format("MAC type {} is not in technology '{}' (it has {}); add it with "
                                          "technology_overrides mac_area_um2/mac_energy_pj",
                                          type, a.technology_name, detail::join(known, ", "))};
}

// Minimal tile: per array, one array-edge vector of each operand (see arch.h).
struct EdgeBytes {
  int64_t input, weight, output;
};

EdgeBytes minimal_tile_bytes(const Accelerator& a) {
  const int64_t copies = a.tensor.arrays * (a.buffers.double_buffered ? 2 : 1);
  return {copies * a.tensor.rows * a.precision.input_bytes, copies * a.tensor.cols * a.precision.weight_bytes,
          copies * a.tensor.cols * a.precision.accumulator_bytes};
}

Found size_problem(const std::string& key, int64_t kib, int64_t need_bytes, const std::string& what) {
  if (auto p = count_problem(key, kib, kMaxKib)) return p;
  if (kib * 1024 < need_bytes) {
    return Problem{key, fmt::format("{} KiB cannot hold a minimal tile: {} needs {} bytes", kib, what, need_bytes)};
  }
  return std::nullopt;
}

Found buffer_problem(const Accelerator& a) {
  const Buffers& b = a.buffers;
  const EdgeBytes need = minimal_tile_bytes(a);
  const std::string times =
      fmt::format(" x {} array(s){}", a.tensor.arrays, b.double_buffered ? " x 2 (double buffered)" : "");
  if (auto p = port_problem("buffers.read_bytes_per_cycle", b.read_bytes_per_cycle)) return p;
  if (auto p = port_problem("buffers.write_bytes_per_cycle", b.write_bytes_per_cycle)) return p;
  if (b.unified) {
    return size_problem("buffers.unified_kib", b.unified_kib, need.input + need.weight + need.output,
                        "one array edge of inputs (rows*input_bytes), weights (cols*weight_bytes) and "
                        "accumulators (cols*accumulator_bytes)" +
                            times);
  }
  if (auto p = size_problem("buffers.input_kib", b.input_kib, need.input, "rows*input_bytes" + times)) return p;
  if (auto p = size_problem("buffers.weight_kib", b.weight_kib, need.weight, "cols*weight_bytes" + times)) return p;
  return size_problem("buffers.output_kib", b.output_kib, need.output, "cols*accumulator_bytes" + times);
}

Found memory_and_clock_problem(const Accelerator& a) {
  if (auto p = rate_problem("dram.bandwidth_gb_per_s", a.dram.bandwidth_gb_per_s, false)) return p;
  if (auto p = range_problem("dram.bandwidth_gb_per_s", a.dram.bandwidth_gb_per_s, kBandwidthGbPerS)) return p;
  if (auto p = rate_problem("dram.latency_ns", a.dram.latency_ns, true)) return p;
  if (auto p = range_problem("dram.latency_ns", a.dram.latency_ns, kLatencyNs)) return p;
  if (auto p = rate_problem("clock_ghz", a.clock_ghz, false)) return p;
  return range_problem("clock_ghz", a.clock_ghz, kClockGhz);
}

// Names reach JSON output, which must be UTF-8.
Found name_problem(const Accelerator& a) {
  if (!is_valid_utf8(a.name)) return Problem{"name", "invalid UTF-8; expected a name in UTF-8 text"};
  if (!is_valid_utf8(a.technology_name)) return Problem{"technology", "invalid UTF-8; expected a name in UTF-8 text"};
  return std::nullopt;
}

// Fractions and voltages of the table (after overrides) must describe a real process.
Found process_problem(const Technology& t) {
  const auto bad = [](const char* field, const std::string& what) {
    return Problem{std::string("technology_overrides.") + field, what};
  };
  if (t.cell_utilization <= 0 || t.cell_utilization > 1)
    return bad("cell_utilization", "expected a fraction in (0, 1]");
  if (t.whitespace_fraction >= 1) return bad("whitespace_fraction", "expected a fraction below 1");
  if (!(t.vdd_min_v <= t.vdd_nominal_v && t.vdd_nominal_v <= t.vdd_max_v)) {
    return bad("vdd_nominal_v", fmt::format("expected vdd_min_v <= vdd_nominal_v <= vdd_max_v, got {} V, {} V, {} V",
                                            t.vdd_min_v, t.vdd_nominal_v, t.vdd_max_v));
  }
  if (t.vth_v >= t.vdd_min_v && t.fmax_nominal_ghz > 0) {
    return bad("vth_v", fmt::format("expected a threshold below vdd_min_v ({} V), got {} V", t.vdd_min_v, t.vth_v));
  }
  return std::nullopt;
}

// The clock must be reachable: at the spec's supply, or at the node's highest one.
Found voltage_problem(const Accelerator& a) {
  const Technology& t = a.technology;
  if (auto p = process_problem(t)) return p;
  if (a.supply_v != 0) {
    if (!std::isfinite(a.supply_v) || a.supply_v < t.vdd_min_v || a.supply_v > t.vdd_max_v) {
      return Problem{"supply_v", fmt::format("expected a supply from {} V to {} V (technology '{}'), got {} V",
                                             t.vdd_min_v, t.vdd_max_v, a.technology_name, a.supply_v)};
    }
  }
  const double vdd_v = a.supply_v > 0 ? a.supply_v : std::max(t.vdd_max_v, t.vdd_nominal_v);
  const double reach_ghz = max_clock_ghz(t, vdd_v);
  if (a.clock_ghz > reach_ghz * (1 + 1e-9)) {
    return Problem{
        "clock_ghz",
        fmt::format("{} GHz is above what technology '{}' reaches at {} {} V ({:.3g} GHz); "
                    "lower the clock{}",
                    a.clock_ghz, a.technology_name, a.supply_v > 0 ? "the spec's supply" : "its highest supply", vdd_v,
                    reach_ghz, a.supply_v > 0 ? " or raise supply_v" : " or pick a faster node")};
  }
  return std::nullopt;
}

Found pe_storage_problem(const Accelerator& a) {
  const int64_t bytes = a.tensor.pe_local_bytes;
  if (bytes < 0 || bytes > (int64_t{1} << 24)) {
    return Problem{"tensor_unit.pe_local_bytes",
                   fmt::format("expected a whole number from 0 to {}, got {}", int64_t{1} << 24, bytes)};
  }
  return std::nullopt;
}

}  // namespace

namespace detail {

std::optional<Problem> find_problem(const Accelerator& a) {
  if (auto p = tensor_problem(a.tensor)) return p;
  if (auto p = vector_problem(a.vector)) return p;
  if (auto p = precision_problem(a.precision)) return p;
  if (auto p = buffer_problem(a)) return p;
  if (auto p = memory_and_clock_problem(a)) return p;
  if (auto p = technology_problem(a.technology)) return p;
  if (auto p = pe_storage_problem(a)) return p;
  if (auto p = voltage_problem(a)) return p;
  if (auto p = name_problem(a)) return p;
  return mac_problem(a);
}

}  // namespace detail

void validate(const Accelerator& accel, const std::string& file_label) {
  if (auto problem = detail::find_problem(accel)) throw InputError(file_label, problem->key_path, problem->message);
}

}  // namespace acceldse::arch
