#pragma once
// Private to src/cost: the numbers of an Accelerator the model actually uses, derived
// once per evaluation (unit conversions, map look-ups, halving for double buffering),
// so the inner loops only touch plain doubles and integers.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "arch/arch.h"
#include "common/checked.h"

namespace acceldse::cost::detail {

struct HwParams {
  // Tensor unit.
  int64_t rows = 1, cols = 1, arrays = 1;
  arch::Dataflow dataflow = arch::Dataflow::kWs;
  bool tiling = true;            // false: SCALE-Sim's untiled schedule only
  bool pipelined_folds = false;  // a fold's preload/drain overlaps its neighbour's stream
  bool im2col_unique = true;     // a conv fetches each input element once per tile
  // Vector unit: element operations per cycle over all lanes.
  int64_t vector_ops_per_cycle = 1;
  // Precision, bytes per element.
  int64_t input_bytes = 1, weight_bytes = 1, output_bytes = 1, acc_bytes = 4;
  // Buffers. *_tile_bytes: what one tile may occupy (half the buffer when double
  // buffered, because the other half is being filled/drained meanwhile).
  bool unified = false;
  bool double_buffered = true;
  double input_tile_bytes = 0, weight_tile_bytes = 0, output_tile_bytes = 0, unified_tile_bytes = 0;
  // Activations that fit in this many bytes stay on chip between ops.
  double onchip_activation_bytes = 0;
  // The network schedule's store for resident activations (see schedule.cpp): the input
  // buffer, or the whole unified buffer. Not part of the per-op cache key.
  double activation_store_bytes = 0;
  double sram_read_bytes_per_cycle = 0;  // per buffer; 0 = unlimited (as wide as needed)
  double sram_write_bytes_per_cycle = 0;
  // Off-chip memory.
  // Stall-free memory (SCALE-Sim CALC mode): DRAM never costs time; traffic and
  // energy are still counted.
  bool dram_unlimited = false;
  // Each operand stream (input reads, weight reads, output traffic) has its own
  // interface of dram_bytes_per_cycle, as in SCALE-Sim, instead of sharing one.
  bool dram_per_operand = false;
  double dram_bytes_per_cycle = 1;
  double dram_latency_cycles = 0;
  double clock_ghz = 1;
  // Energy, pJ.
  double mac_pj = 0;
  double register_pj_per_byte = 0;
  double pe_storage_pj_per_mac = 0;  // PE-local scratchpad accesses of one MAC (0: none)
  double noc_pj_per_byte = 0;        // a byte between a buffer and the array edge
  double input_sram_pj_per_byte = 0, weight_sram_pj_per_byte = 0, output_sram_pj_per_byte = 0;
  double dram_pj_per_byte = 0;
  double vector_op_pj = 0;

  int64_t pes() const { return rows * cols * arrays; }
  // Cycles the DRAM interface is busy moving the three operand streams (bytes) in
  // `bursts` separate transfers. Double buffering issues the next transfer while the
  // previous ones are in flight, so only the first latency shows (exposed_latency_cycles);
  // without it every transfer waits for its own.
  double dram_cycles(double input_bytes_, double weight_bytes_, double output_bytes_, double bursts) const {
    if (dram_unlimited) return 0.0;
    const double streams = dram_per_operand ? std::max({input_bytes_, weight_bytes_, output_bytes_})
                                            : input_bytes_ + weight_bytes_ + output_bytes_;
    return streams / dram_bytes_per_cycle + (double_buffered ? 0.0 : bursts * dram_latency_cycles);
  }
  // Latency of the first transfer, which nothing can hide.
  double exposed_latency_cycles() const { return dram_unlimited ? 0.0 : dram_latency_cycles; }
};

// Cycles of `work` on-chip cycles and `dram` cycles of DRAM-interface time. Double
// buffering overlaps a tile's transfers with the previous tile's work, so the slower of
// the two sets the pace, plus the latency of the first transfer, which nothing hides;
// without it, transfers and work alternate.
inline int64_t overlap_cycles(int64_t work, double dram, bool any_dram, const HwParams& hw) {
  if (!any_dram || hw.dram_unlimited) return work;
  const int64_t dram_cycles = ceil_count(dram);
  if (!hw.double_buffered) return add_sat(work, dram_cycles);
  return add_sat(std::max(work, dram_cycles), ceil_count(hw.exposed_latency_cycles()));
}

// Throws acceldse::InputError when the technology lacks the MAC type of the precision.
HwParams make_hw_params(const arch::Accelerator& accel);

// A buffer of `kib` KiB built from equal banks of at most tech.sram_bank_kib: its banks,
// its area (bit arrays + each bank's periphery, which grows with the bank's edge,
// sqrt(bank / sram_bank_kib)), and the energy per byte of an access at
// the node's nominal supply (the bank's access, size-dependent, plus the wire to reach
// it across the buffer).
double sram_banks(const arch::Technology& tech, double kib);
double sram_area_mm2(const arch::Technology& tech, double kib);
double sram_pj_per_byte(const arch::Technology& tech, double kib);

}  // namespace acceldse::cost::detail
