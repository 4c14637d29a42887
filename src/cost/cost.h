#pragma once
// Per-operation analytical model of the accelerator template: cycles, buffer traffic,
// DRAM traffic, energy and the mapping chosen; area of a design; the network schedule.
// Pure: no I/O, no globals, deterministic and thread-safe.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "workload/workload.h"

namespace acceldse::cost {

enum class Bound { kCompute, kMemory, kVector, kNone };
const char* to_string(Bound bound);  // "compute", "memory", "vector", "none"

struct Mapping {
  arch::Dataflow dataflow = arch::Dataflow::kWs;  // resolved (never kAuto)
  bool on_vector_unit = false;                    // e.g. depthwise conv run on the vector unit
  int64_t tile_m = 0, tile_k = 0, tile_n = 0;     // GEMM tile held on chip
  std::string loop_order;                         // outer loop order over tiles, e.g. "nkm"
  std::string to_string() const;                  // compact, e.g. "ws m=3136 k=576 n=64 nkm"
};

// Where an op finds its activation inputs and leaves its outputs. On chip: the tensor
// is resident in the activation buffer, so it costs no DRAM transfer (SRAM accesses are
// still counted). The network schedule decides this per tensor (schedule.cpp); a lone
// op defaults to DRAM for both. Weights always come from DRAM.
struct Residency {
  bool inputs_on_chip = false;   // every activation input is resident
  bool outputs_on_chip = false;  // every output stays resident
  bool operator==(const Residency&) const = default;
};

// Energy by component, pJ. Chip: everything but the DRAM devices (dram_pj,
// dram_background_pj). All on-chip figures hold at the design's operating voltage.
struct Energy {
  double mac_pj = 0;
  double register_pj = 0;    // PE pipeline registers
  double pe_storage_pj = 0;  // PE-local scratchpads / register files
  double input_sram_pj = 0;
  double weight_sram_pj = 0;
  double output_sram_pj = 0;
  double noc_pj = 0;   // buffers <-> array edges
  double dram_pj = 0;  // DRAM devices, per byte moved
  double vector_pj = 0;
  double leakage_pj = 0;
  double clock_pj = 0;            // clock distribution, every cycle
  double io_pj = 0;               // on-chip DRAM PHY/controller (per bit + static) and host link
  double dram_background_pj = 0;  // DRAM devices' standby and refresh
  double total_pj() const;
  double chip_pj() const { return total_pj() - dram_side_pj(); }
  double dram_side_pj() const { return dram_pj + dram_background_pj; }
  Energy& operator+=(const Energy& other);
};

struct OpCost {
  int64_t cycles = 0;          // total for the op (after overlap)
  int64_t compute_cycles = 0;  // tensor unit busy, incl. skew/fill/drain/preload
  int64_t stall_cycles = 0;    // waiting for DRAM beyond compute
  int64_t vector_cycles = 0;   // vector unit busy
  double utilization = 0;      // MACs / (PEs * cycles) for tensor ops; 0 for others
  int64_t macs = 0;
  int64_t input_sram_reads_bytes = 0, input_sram_writes_bytes = 0;
  int64_t weight_sram_reads_bytes = 0, weight_sram_writes_bytes = 0;
  int64_t output_sram_reads_bytes = 0, output_sram_writes_bytes = 0;
  int64_t dram_read_bytes = 0, dram_write_bytes = 0;
  int64_t dram_bytes() const { return dram_read_bytes + dram_write_bytes; }
  Energy energy;
  Bound bound = Bound::kNone;
  Mapping mapping;
  bool fused = false;   // element-wise op folded into its producer's output stream
  Residency residency;  // what the cost assumed (set by the network schedule)
};

// Area by component, mm2. Logic components include their placement density
// (cell_utilization) and the timing overhead of a clock above the node's nominal one.
struct Area {
  double pe_mm2 = 0;          // MAC datapaths
  double register_mm2 = 0;    // PE pipeline registers
  double pe_storage_mm2 = 0;  // PE-local scratchpads / register files
  double array_control_mm2 = 0;
  double input_sram_mm2 = 0, weight_sram_mm2 = 0, output_sram_mm2 = 0;  // unified: all in input
  double vector_mm2 = 0;
  double interconnect_mm2 = 0;  // on-chip network
  double clock_tree_mm2 = 0;
  double whitespace_mm2 = 0;  // routing channels, power grid, unclaimed floorplan
  double dram_phy_mm2 = 0;    // DRAM PHYs + controllers (all channels)
  double host_interface_mm2 = 0;
  double logic_mm2() const { return pe_mm2 + register_mm2 + pe_storage_mm2 + array_control_mm2 + vector_mm2; }
  // What the clock reaches every cycle: scratchpads clock only the word they access
  // (charged per access), so they are left out.
  double clocked_logic_mm2() const { return logic_mm2() - pe_storage_mm2; }
  double sram_mm2() const { return input_sram_mm2 + weight_sram_mm2 + output_sram_mm2; }
  double io_mm2() const { return dram_phy_mm2 + host_interface_mm2; }
  double core_mm2() const { return total_mm2() - io_mm2(); }  // without the off-chip interfaces
  double total_mm2() const;
};

struct NetworkCost {
  std::vector<OpCost> layers;  // one per op, in network order
  OpCost totals;               // sums; utilization = MACs done by the PEs (not those of
                               // ops run on the vector unit) / (PEs * total cycles)
  Area area;
  double latency_s = 0;
  double throughput_per_s = 0;  // inferences per second (batch / latency)
  double power_w = 0;           // chip, average: chip energy / latency
  double dram_power_w = 0;      // DRAM devices, average
  double vdd_v = 0;             // operating supply
  int64_t micro_batch = 0;      // inferences per pass through the network (<= the batch)
};

// A thread-safe memo of per-operation costs, keyed by the op's shape and only the
// hardware parameters that op's cost depends on; share one across designs and networks.
class CostCache {
 public:
  CostCache();
  ~CostCache();
  CostCache(const CostCache&) = delete;
  CostCache& operator=(const CostCache&) = delete;
  size_t size() const;
  uint64_t hits() const;
  uint64_t misses() const;
  void clear();  // drops every entry and resets the counters
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// One op alone: inputs from DRAM, outputs to DRAM (as the simulator runs a layer).
OpCost evaluate_op(const workload::Network& net, const workload::Op& op, const arch::Accelerator& accel,
                   CostCache* cache = nullptr);
// One op with the given residency of its activations.
OpCost evaluate_op(const workload::Network& net, const workload::Op& op, const arch::Accelerator& accel,
                   const Residency& residency, CostCache* cache = nullptr);
NetworkCost evaluate_network(const workload::Network& net, const arch::Accelerator& accel, CostCache* cache = nullptr);

// A network with the micro-batched copies evaluate_network() tries besides it (batch/2,
// batch/4, ... while the batch halves evenly and rebatches cleanly), built once: a
// search that evaluates one network on many designs passes this instead of rebuilding
// them for every design.
struct MicroBatch {
  int64_t inferences = 0;  // per pass through the network
  workload::Network network;
};
class PreparedNetwork {
 public:
  explicit PreparedNetwork(workload::Network network);
  const workload::Network& network() const { return whole_; }
  const std::vector<MicroBatch>& micro_batches() const { return micro_batches_; }

 private:
  workload::Network whole_;
  std::vector<MicroBatch> micro_batches_;  // largest first
};
NetworkCost evaluate_network(const PreparedNetwork& net, const arch::Accelerator& accel, CostCache* cache = nullptr);
Area area(const arch::Accelerator& accel);
// Power the chip (or the DRAM) draws whether busy or not: leakage, clock, I/O static
// (DRAM: background), W. Busy power adds the per-operation energy.
double idle_power_w(const arch::Accelerator& accel);
double dram_idle_power_w(const arch::Accelerator& accel);

}  // namespace acceldse::cost
