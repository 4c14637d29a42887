// Dispatch of one op to the tensor, vector or memory model, and the choice between
// the tensor array and the vector unit for depthwise convolutions.
#include "cost/op_cost.h"

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "common/checked.h"
#include "common/error.h"

#include "cost/cache_impl.h"
#include "cost/tensor_model.h"
#include "cost/vector_model.h"

namespace acceldse::cost::detail {

namespace {

int64_t round_bytes(double bytes) { return round_count(bytes); }

double utilization_of(int64_t macs, int64_t cycles, const HwParams& hw) {
  if (cycles <= 0 || macs <= 0) return 0;
  return static_cast<double>(macs) / (static_cast<double>(hw.pes()) * static_cast<double>(cycles));
}

OpCost from_tensor(const TensorCost& t, const HwParams& hw) {
  OpCost c;
  c.cycles = t.cycles;
  c.compute_cycles = t.compute_cycles;
  c.stall_cycles = t.cycles - t.compute_cycles;
  c.macs = t.macs;
  c.utilization = utilization_of(t.macs, t.cycles, hw);
  c.input_sram_reads_bytes = round_bytes(t.input_sram_reads);
  c.input_sram_writes_bytes = round_bytes(t.input_sram_writes);
  c.weight_sram_reads_bytes = round_bytes(t.weight_sram_reads);
  c.weight_sram_writes_bytes = round_bytes(t.weight_sram_writes);
  c.output_sram_reads_bytes = round_bytes(t.output_sram_reads);
  c.output_sram_writes_bytes = round_bytes(t.output_sram_writes);
  c.dram_read_bytes = round_bytes(t.dram_reads);
  c.dram_write_bytes = round_bytes(t.dram_writes);
  c.energy = t.energy;
  // Memory-bound when the DRAM interface, not the array, paced the op.
  const bool memory = !hw.dram_unlimited && t.dram_cycles > static_cast<double>(t.compute_cycles);
  c.bound = memory ? Bound::kMemory : Bound::kCompute;
  c.mapping.dataflow = t.dataflow;
  c.mapping.tile_m = t.tile_m;
  c.mapping.tile_k = t.tile_k;
  c.mapping.tile_n = t.tile_n;
  c.mapping.loop_order = loop_order_name(t.loop_order);
  return c;
}

// Recurrent gate work runs between dependent GEMM steps, so it adds to the time.
void add_serial_vector_work(OpCost& c, int64_t vector_ops, const HwParams& hw) {
  VectorWork gates;
  gates.vector_ops = vector_ops;  // operands are the GEMM results, already on chip
  const OpCost v = vector_cost(gates, hw);
  c.vector_cycles = v.vector_cycles;
  c.cycles = add_sat(c.cycles, v.vector_cycles);
  c.energy.vector_pj += v.energy.vector_pj;
  c.utilization = utilization_of(c.macs, c.cycles, hw);
  if (c.vector_cycles > std::max(c.compute_cycles, c.stall_cycles)) c.bound = Bound::kVector;
}

bool faster(const OpCost& a, const OpCost& b) {
  if (a.cycles != b.cycles) return a.cycles < b.cycles;
  return a.energy.total_pj() < b.energy.total_pj();
}

OpCost tensor_op(const OpWork& work, const HwParams& hw) {
  if (work.gemms.empty() || work.macs == 0) return OpCost{};
  OpCost c = from_tensor(evaluate_tensor(work.gemms.data(), work.gemms.size(), hw, work.residency), hw);
  if (work.serial_vector) add_serial_vector_work(c, work.vector.vector_ops, hw);
  if (work.depthwise) {
    // Depthwise GEMMs are tiny (k = kernel area, n = 1) and leave most of the array
    // idle; the vector unit may well be faster.
    OpCost v = depthwise_vector_cost(work.vector, work.macs, hw, work.residency);
    if (faster(v, c)) return v;
  }
  return c;
}

OpCost evaluate_work_any(const OpWork& work, const HwParams& hw) {
  switch (work.kind) {
    case OpKind::kTensor: return tensor_op(work, hw);
    case OpKind::kVector: return vector_cost(work.vector, hw, work.residency);
    case OpKind::kCopy: return copy_cost(work.vector.input_elements, work.vector.output_elements, hw);
    case OpKind::kEmbedding: return embedding_cost(work.vector.input_elements, work.vector.output_elements, hw);
    case OpKind::kFree: break;
  }
  return OpCost{};
}

}  // namespace

OpCost evaluate_work(const OpWork& work, const HwParams& hw) {
  OpCost c = evaluate_work_any(work, hw);
  c.residency = work.residency;
  return c;
}

OpCost evaluate_work_cached(const OpWork& work, const HwParams& hw, CostCache* cache) {
  if (cache == nullptr) return evaluate_work(work, hw);
  const CacheKey key = make_key(work, hw);
  if (key.overflow) return evaluate_work(work, hw);
  OpCost cost;
  if (cache->impl().find(key, cost)) return cost;
  cost = evaluate_work(work, hw);
  cache->impl().insert(key, cost);
  return cost;
}

void check_counts(const OpCost& c, std::string_view model, std::string_view arch, std::string_view layer) {
  const auto fail = [&](const std::string& what) {
    throw InputError(fmt::format("<model {} on {}>", model, arch),
                     layer.empty() ? "network total" : fmt::format("layer {}", layer), what);
  };
  const std::pair<const char*, int64_t> counts[] = {{"cycles", c.cycles},
                                                    {"compute cycles", c.compute_cycles},
                                                    {"stall cycles", c.stall_cycles},
                                                    {"vector cycles", c.vector_cycles},
                                                    {"MACs", c.macs},
                                                    {"input SRAM reads", c.input_sram_reads_bytes},
                                                    {"input SRAM writes", c.input_sram_writes_bytes},
                                                    {"weight SRAM reads", c.weight_sram_reads_bytes},
                                                    {"weight SRAM writes", c.weight_sram_writes_bytes},
                                                    {"output SRAM reads", c.output_sram_reads_bytes},
                                                    {"output SRAM writes", c.output_sram_writes_bytes},
                                                    {"DRAM read bytes", c.dram_read_bytes},
                                                    {"DRAM write bytes", c.dram_write_bytes}};
  for (const auto& [what, value] : counts) {
    if (value >= kCountLimit || value < 0) {
      fail(
          fmt::format("the {} exceed 2^62, the limit of 64-bit counts: the op is too large "
                      "or the design too slow for it (e.g. a tiny bandwidth)",
                      what));
    }
  }
  const Energy& e = c.energy;
  const double energies[] = {e.mac_pj,         e.register_pj, e.pe_storage_pj,     e.input_sram_pj, e.weight_sram_pj,
                             e.output_sram_pj, e.noc_pj,      e.dram_pj,           e.vector_pj,     e.leakage_pj,
                             e.clock_pj,       e.io_pj,       e.dram_background_pj};
  for (double pj : energies) {
    if (!std::isfinite(pj) || pj < 0) {
      fail(fmt::format("the energy is {} pJ; expected a finite number (check the technology values)", pj));
    }
  }
}

void add_time_energy(OpCost& cost, const DesignPower& power) {
  const double cycles = static_cast<double>(cost.cycles);
  const double ns = cycles / power.clock_ghz;
  cost.energy.leakage_pj = power.leakage_mw * ns;
  cost.energy.clock_pj = power.clock_pj_per_cycle * cycles;
  cost.energy.io_pj = power.io_static_mw * ns + power.phy_pj_per_byte * static_cast<double>(cost.dram_bytes());
  cost.energy.dram_background_pj = power.dram_background_mw * ns;
}

}  // namespace acceldse::cost::detail
