#include "cost/hw_params.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace acceldse::cost::detail {

namespace {

constexpr double kBytesPerKib = 1024.0;

double lookup_mac(const std::map<std::string, double>& table, const arch::Accelerator& accel, const char* field) {
  const std::string type = accel.precision.mac_type();
  auto it = table.find(type);
  if (it == table.end()) {
    throw InputError("<technology " + accel.technology.name + ">", std::string(field) + "." + type,
                     "no entry for MAC type '" + type + "' used by the precision of '" + accel.name + "'");
  }
  return it->second;
}

void set_buffers(const arch::Buffers& b, HwParams& p) {
  // With double buffering one half of each SRAM feeds the array while the other half
  // is filled or drained, so a tile may use only half.
  const double usable = b.double_buffered ? 0.5 : 1.0;
  p.unified = b.unified;
  p.double_buffered = b.double_buffered;
  if (b.unified) {
    p.unified_tile_bytes = static_cast<double>(b.unified_kib) * kBytesPerKib * usable;
    p.onchip_activation_bytes = static_cast<double>(b.unified_kib) * kBytesPerKib;
    p.activation_store_bytes = p.onchip_activation_bytes;
  } else {
    p.input_tile_bytes = static_cast<double>(b.input_kib) * kBytesPerKib * usable;
    p.weight_tile_bytes = static_cast<double>(b.weight_kib) * kBytesPerKib * usable;
    p.output_tile_bytes = static_cast<double>(b.output_kib) * kBytesPerKib * usable;
    // Activations live in the input and output buffers.
    p.onchip_activation_bytes = static_cast<double>(b.input_kib + b.output_kib) * kBytesPerKib;
    p.activation_store_bytes = static_cast<double>(b.input_kib) * kBytesPerKib;
  }
  p.sram_read_bytes_per_cycle = b.read_bytes_per_cycle;
  p.sram_write_bytes_per_cycle = b.write_bytes_per_cycle;
}

// Distance a byte travels between the buffers and the array edge: half the side of
// the PE array, taken as square.
double array_reach_mm(const arch::Accelerator& accel) {
  const double pe_um2 =
      lookup_mac(accel.technology.mac_area_um2, accel, "mac_area_um2") +
      accel.technology.register_file_area_um2_per_byte * static_cast<double>(accel.tensor.pe_local_bytes);
  return 0.5 * std::sqrt(static_cast<double>(accel.pes()) * pe_um2 * 1e-6);
}

void set_energy(const arch::Accelerator& accel, HwParams& p) {
  const arch::Technology& t = accel.technology;
  const arch::Buffers& b = accel.buffers;
  // Dynamic energy goes with the square of the supply (C V^2); the DRAM side does not.
  const double v = arch::operating_vdd(accel) / t.vdd_nominal_v;
  const double scale = v * v;
  p.mac_pj = lookup_mac(t.mac_energy_pj, accel, "mac_energy_pj") * scale;
  p.register_pj_per_byte = t.register_energy_pj_per_byte * scale;
  if (accel.tensor.pe_local_bytes > 0) {
    // Each MAC reads its input, weight and partial sum from the PE's scratchpads and
    // writes the partial sum back (Eyeriss's row-stationary PE, Chen et al. ISCA 2016).
    const double bytes = static_cast<double>(accel.precision.input_bytes + accel.precision.weight_bytes +
                                             2 * accel.precision.accumulator_bytes);
    p.pe_storage_pj_per_mac = bytes * t.register_file_energy_pj_per_byte * scale;
  }
  p.noc_pj_per_byte = t.wire_energy_pj_per_byte_mm * array_reach_mm(accel) * scale;
  if (b.unified) {
    const double e = sram_pj_per_byte(t, static_cast<double>(b.unified_kib)) * scale;
    p.input_sram_pj_per_byte = p.weight_sram_pj_per_byte = p.output_sram_pj_per_byte = e;
  } else {
    p.input_sram_pj_per_byte = sram_pj_per_byte(t, static_cast<double>(b.input_kib)) * scale;
    p.weight_sram_pj_per_byte = sram_pj_per_byte(t, static_cast<double>(b.weight_kib)) * scale;
    p.output_sram_pj_per_byte = sram_pj_per_byte(t, static_cast<double>(b.output_kib)) * scale;
  }
  p.dram_pj_per_byte = 8.0 * t.dram.device_energy_pj_per_bit;
  p.vector_op_pj = t.vector_op_energy_pj * scale;
}

}  // namespace

double sram_banks(const arch::Technology& tech, double kib) {
  if (kib <= 0) return 0;
  return tech.sram_bank_kib > 0 ? std::ceil(kib / tech.sram_bank_kib) : 1.0;
}

double sram_area_mm2(const arch::Technology& tech, double kib) {
  const double banks = sram_banks(tech, kib);
  if (banks <= 0) return 0;
  // Decoders and sense amplifiers line the bank's edges, so a smaller bank has less.
  const double edge_scale = tech.sram_bank_kib > 0 ? std::sqrt(kib / banks / tech.sram_bank_kib) : 1.0;
  return kib * tech.sram_area_mm2_per_kib + banks * tech.sram_bank_periphery_mm2 * edge_scale;
}

double sram_pj_per_byte(const arch::Technology& tech, double kib) {
  if (kib <= 0 || tech.sram_ref_kib <= 0) return 0;
  const double bank_kib = kib / sram_banks(tech, kib);
  const double bank =
      tech.sram_energy_pj_per_byte_ref * std::pow(bank_kib / tech.sram_ref_kib, tech.sram_energy_exponent);
  // A bank sits on average half the buffer's side away from its port.
  const double reach_mm = 0.5 * std::sqrt(sram_area_mm2(tech, kib));
  return bank + tech.wire_energy_pj_per_byte_mm * reach_mm;
}

HwParams make_hw_params(const arch::Accelerator& accel) {
  HwParams p;
  // The loader validates; clamping only keeps a hand-built spec from dividing by zero.
  p.rows = std::max<int64_t>(1, accel.tensor.rows);
  p.cols = std::max<int64_t>(1, accel.tensor.cols);
  p.arrays = std::max<int64_t>(1, accel.tensor.arrays);
  p.dataflow = accel.tensor.dataflow;
  p.tiling = accel.tensor.tiling;
  p.pipelined_folds = accel.tensor.pipelined_folds;
  p.im2col_unique = accel.buffers.im2col_fetch == arch::Im2colFetch::kUnique;
  p.vector_ops_per_cycle = std::max<int64_t>(1, accel.vector.lanes * accel.vector.ops_per_lane_per_cycle);
  p.input_bytes = std::max(1, accel.precision.input_bytes);
  p.weight_bytes = std::max(1, accel.precision.weight_bytes);
  p.output_bytes = std::max(1, accel.precision.output_bytes);
  p.acc_bytes = std::max(1, accel.precision.accumulator_bytes);
  set_buffers(accel.buffers, p);
  const double clock_ghz = accel.clock_ghz > 0 ? accel.clock_ghz : 1.0;
  const double bytes_per_cycle = accel.dram.bandwidth_gb_per_s / clock_ghz;
  p.dram_unlimited = accel.dram.stall_free || !(bytes_per_cycle > 0) || std::isinf(bytes_per_cycle);
  p.dram_per_operand = accel.dram.bandwidth_per_operand;
  p.dram_bytes_per_cycle = p.dram_unlimited ? 1.0 : bytes_per_cycle;
  p.dram_latency_cycles = std::max(0.0, accel.dram.latency_ns * clock_ghz);
  p.clock_ghz = clock_ghz;
  set_energy(accel, p);
  return p;
}

}  // namespace acceldse::cost::detail
