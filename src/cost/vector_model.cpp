#include "cost/vector_model.h"

#include <algorithm>
#include <cmath>

#include "common/checked.h"

namespace acceldse::cost::detail {

namespace {

int64_t round_bytes(double bytes) { return round_count(bytes); }

int64_t ceil_cycles(double cycles) { return ceil_count(cycles); }

// Bytes of activations one tile stage can hold: the streaming chunk size.
double activation_chunk_bytes(const HwParams& hw) {
  const double chunk = hw.unified ? hw.unified_tile_bytes : hw.input_tile_bytes + hw.output_tile_bytes;
  return std::max(1.0, chunk);
}

// On-chip copy rate: the configured buffer port width, or else as wide as an array
// edge (the width the buffers must have to feed the array anyway).
double copy_bytes_per_cycle(double port, const HwParams& hw) {
  if (port > 0) return port;
  return static_cast<double>(std::max(hw.rows, hw.cols) * hw.input_bytes);
}

// Traffic of a streaming op: which bytes go to DRAM and the SRAM accesses around them.
struct Streams {
  double in_bytes = 0, out_bytes = 0, param_bytes = 0;
  bool in_onchip = false, out_onchip = false;
  double dram_in() const { return in_onchip ? 0 : in_bytes; }
  double dram_reads() const { return dram_in() + param_bytes; }
  double dram_writes() const { return out_onchip ? 0 : out_bytes; }
  bool onchip() const { return in_onchip && out_onchip; }
};

Streams streams_of(const VectorWork& w, const HwParams& hw, const Residency& res) {
  Streams s;
  s.in_bytes = static_cast<double>(w.input_elements * hw.input_bytes);
  s.out_bytes = static_cast<double>(w.output_elements * hw.input_bytes);
  s.param_bytes = static_cast<double>(w.params * hw.weight_bytes);
  const bool fits = s.in_bytes + s.out_bytes <= hw.onchip_activation_bytes;
  s.in_onchip = fits || res.inputs_on_chip;
  s.out_onchip = fits || res.outputs_on_chip;
  return s;
}

// Fills OpCost with the traffic, energy and timing of a streaming vector-unit op.
OpCost stream_on_vector_unit(const Streams& s, int64_t ops, const HwParams& hw) {
  OpCost c;
  c.vector_cycles = (ops + hw.vector_ops_per_cycle - 1) / hw.vector_ops_per_cycle;
  const double moved = s.dram_reads() + s.dram_writes();
  const double bursts = s.onchip() ? 1.0 : std::ceil((s.dram_in() + s.dram_writes()) / activation_chunk_bytes(hw));
  const double dram = hw.dram_cycles(s.dram_in(), s.param_bytes, s.dram_writes(), bursts);
  c.cycles = overlap_cycles(c.vector_cycles, dram, moved > 0, hw);
  c.stall_cycles = c.cycles - c.vector_cycles;
  c.bound = c.stall_cycles > 0 && dram > static_cast<double>(c.vector_cycles) ? Bound::kMemory : Bound::kVector;
  // The vector unit reads its operands from the input buffer and writes the output
  // buffer; DRAM traffic fills and drains them.
  c.input_sram_reads_bytes = round_bytes(s.in_bytes);
  c.input_sram_writes_bytes = round_bytes(s.dram_in());
  c.weight_sram_reads_bytes = c.weight_sram_writes_bytes = round_bytes(s.param_bytes);
  c.output_sram_writes_bytes = round_bytes(s.out_bytes);
  c.output_sram_reads_bytes = round_bytes(s.dram_writes());
  c.dram_read_bytes = round_bytes(s.dram_reads());
  c.dram_write_bytes = round_bytes(s.dram_writes());
  c.energy.vector_pj = static_cast<double>(ops) * hw.vector_op_pj;
  c.energy.input_sram_pj =
      static_cast<double>(c.input_sram_reads_bytes + c.input_sram_writes_bytes) * hw.input_sram_pj_per_byte;
  c.energy.weight_sram_pj =
      static_cast<double>(c.weight_sram_reads_bytes + c.weight_sram_writes_bytes) * hw.weight_sram_pj_per_byte;
  c.energy.output_sram_pj =
      static_cast<double>(c.output_sram_reads_bytes + c.output_sram_writes_bytes) * hw.output_sram_pj_per_byte;
  c.energy.dram_pj = moved * hw.dram_pj_per_byte;
  return c;
}

}  // namespace

OpCost vector_cost(const VectorWork& work, const HwParams& hw, const Residency& residency) {
  return stream_on_vector_unit(streams_of(work, hw, residency), work.vector_ops, hw);
}

OpCost depthwise_vector_cost(const VectorWork& work, int64_t macs, const HwParams& hw, const Residency& residency) {
  OpCost c = stream_on_vector_unit(streams_of(work, hw, residency), macs, hw);
  c.macs = macs;
  c.mapping.on_vector_unit = true;
  return c;
}

OpCost copy_cost(int64_t input_elements, int64_t output_elements, const HwParams& hw) {
  const double in = static_cast<double>(input_elements * hw.input_bytes);
  const double out = static_cast<double>(output_elements * hw.input_bytes);
  const bool onchip = in + out <= hw.onchip_activation_bytes;
  OpCost c;
  // Every byte passes through the buffers once: read from one place, written to another.
  const double sram_cycles = std::max(in / copy_bytes_per_cycle(hw.sram_read_bytes_per_cycle, hw),
                                      out / copy_bytes_per_cycle(hw.sram_write_bytes_per_cycle, hw));
  c.input_sram_reads_bytes = round_bytes(in);
  c.output_sram_writes_bytes = round_bytes(out);
  if (!onchip) {
    // Staged through the buffers on the way from and back to DRAM.
    c.input_sram_writes_bytes = round_bytes(in);
    c.output_sram_reads_bytes = round_bytes(out);
    c.dram_read_bytes = round_bytes(in);
    c.dram_write_bytes = round_bytes(out);
  }
  const double bursts = std::ceil((in + out) / activation_chunk_bytes(hw));
  const double dram = onchip ? 0.0 : hw.dram_cycles(in, 0, out, bursts);
  c.cycles = overlap_cycles(ceil_cycles(sram_cycles), dram, !onchip, hw);
  c.stall_cycles = c.cycles;
  c.bound = c.cycles > 0 ? Bound::kMemory : Bound::kNone;
  c.energy.input_sram_pj =
      static_cast<double>(c.input_sram_reads_bytes + c.input_sram_writes_bytes) * hw.input_sram_pj_per_byte;
  c.energy.output_sram_pj =
      static_cast<double>(c.output_sram_reads_bytes + c.output_sram_writes_bytes) * hw.output_sram_pj_per_byte;
  c.energy.dram_pj = static_cast<double>(c.dram_bytes()) * hw.dram_pj_per_byte;
  return c;
}

OpCost embedding_cost(int64_t index_elements, int64_t output_elements, const HwParams& hw) {
  // The table lives in DRAM: every gathered value is read from it. The indices are
  // activations; the gathered rows stay on chip if they fit.
  const double indices = static_cast<double>(index_elements * hw.input_bytes);
  const double table = static_cast<double>(output_elements * hw.weight_bytes);
  const double out = static_cast<double>(output_elements * hw.input_bytes);
  const bool onchip = out <= hw.onchip_activation_bytes;
  OpCost c;
  c.input_sram_reads_bytes = round_bytes(indices);
  c.weight_sram_writes_bytes = c.weight_sram_reads_bytes = round_bytes(table);
  c.output_sram_writes_bytes = round_bytes(out);
  c.output_sram_reads_bytes = round_bytes(onchip ? 0 : out);
  c.dram_read_bytes = round_bytes(table);
  c.dram_write_bytes = round_bytes(onchip ? 0 : out);
  // Row gathers are independent requests that pipeline: one exposed latency.
  const double dram = hw.dram_cycles(0, table, onchip ? 0 : out, 1);
  const double sram_cycles = out / copy_bytes_per_cycle(hw.sram_write_bytes_per_cycle, hw);
  c.cycles = overlap_cycles(ceil_cycles(sram_cycles), dram, true, hw);
  c.stall_cycles = c.cycles;
  c.bound = Bound::kMemory;
  c.energy.input_sram_pj = static_cast<double>(c.input_sram_reads_bytes) * hw.input_sram_pj_per_byte;
  c.energy.weight_sram_pj =
      static_cast<double>(c.weight_sram_reads_bytes + c.weight_sram_writes_bytes) * hw.weight_sram_pj_per_byte;
  c.energy.output_sram_pj =
      static_cast<double>(c.output_sram_reads_bytes + c.output_sram_writes_bytes) * hw.output_sram_pj_per_byte;
  c.energy.dram_pj = static_cast<double>(c.dram_bytes()) * hw.dram_pj_per_byte;
  return c;
}

}  // namespace acceldse::cost::detail
