#pragma once
// Private to src/cost: the tensor-unit model of GEMMs (systolic timing, tiling, DRAM
// traffic) and its mapping search.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cost/cost.h"
#include "cost/hw_params.h"
#include "workload/workload.h"

namespace acceldse::cost::detail {

// How one GEMM instance folds onto a rows x cols array under a dataflow, in the terms
// of SCALE-Sim v2 (scalesim/compute/systolic_compute_{ws,os,is}.py): the stationary
// operand is split into row_folds x col_folds array-sized pieces ("folds"); each fold
// streams `stream` vectors through the array and costs fill + stream cycles.
// With pipelined folds (arch.h: TensorUnit::pipelined_folds) a fold's preload (ws, is)
// or drain (os) of `rows` cycles overlaps its neighbour's stream, so back-to-back folds
// start every max(T, rows) cycles and only the last pays the whole fill.
struct FoldTiming {
  int64_t row_folds = 0, col_folds = 0;
  int64_t stream = 0;   // T: length of the streamed (temporal) dimension
  int64_t fill = 0;     // preload + skew fill + drain cycles paid per fold
  int64_t overlap = 0;  // rows: the preload or drain a pipelined neighbour hides
  bool pipelined = false;
  int64_t cycles_per_fold() const { return fill + stream; }
  // Cycles between the starts of two back-to-back folds streaming `t` vectors.
  int64_t pitch(int64_t t) const { return pipelined ? std::max(t, overlap) : fill + t; }
  // Cycles of `folds` folds of `t` streamed vectors each, back to back on one array.
  int64_t sequence_cycles(int64_t folds, int64_t t) const;
};
FoldTiming fold_timing(const workload::Gemm& gemm, arch::Dataflow dataflow, const HwParams& hw);

// Tensor-unit busy cycles for all `count` instances of a GEMM, folds spread over the
// arrays; excludes SRAM port limits and DRAM.
int64_t array_cycles(const workload::Gemm& gemm, arch::Dataflow dataflow, const HwParams& hw);

// The tensor-unit part of an op: all its GEMMs under one dataflow, each with its best
// tiles and loop order. Bytes are doubles so that sums over huge models stay exact
// enough without overflow checks; they are rounded when copied into OpCost.
struct TensorCost {
  arch::Dataflow dataflow = arch::Dataflow::kWs;
  int64_t cycles = 0;
  int64_t compute_cycles = 0;
  double dram_cycles = 0;  // DRAM interface busy time (transfers + burst latencies)
  int64_t macs = 0;
  double input_sram_reads = 0, input_sram_writes = 0;
  double weight_sram_reads = 0, weight_sram_writes = 0;
  double output_sram_reads = 0, output_sram_writes = 0;
  double dram_reads = 0, dram_writes = 0;
  Energy energy;  // MAC, register, SRAM, DRAM; no leakage
  // Tiles and loop order of the GEMM with the most MACs (the one the mapping reports).
  int64_t tile_m = 0, tile_k = 0, tile_n = 0;
  int loop_order = 0;
  int64_t mapped_macs = 0;  // MACs of that GEMM
  bool valid = false;
};

// Best mapping of an op's GEMMs: the accelerator's dataflow, or for kAuto the best of
// ws/os/is; minimises cycles, then energy. Resident activations (`residency`) cost no
// DRAM traffic: an on-chip input is not fetched (A, and B when B is an activation), an
// on-chip output is not written back (its final values move from the output buffer to
// the activation buffer instead; partial-sum spills still go to DRAM).
TensorCost evaluate_tensor(const workload::Gemm* gemms, size_t count, const HwParams& hw,
                           const Residency& residency = {});

// DRAM traffic (bytes, all instances) of one tiling and loop order ("nkm": n
// outermost), and its number of tile stages (bursts). Exposed for tests.
struct TileTraffic {
  double a_reads = 0, b_reads = 0, c_reads = 0, c_writes = 0, bursts = 0;
};
TileTraffic tile_traffic(const workload::Gemm& gemm, const HwParams& hw, int64_t tile_m, int64_t tile_k, int64_t tile_n,
                         const std::string& loop_order);

// Array cycles of a GEMM run tile by tile (each tile its own folds and fills), and
// DRAM traffic of SCALE-Sim's untiled schedule under a dataflow. Exposed for tests.
int64_t tiled_array_cycles(const workload::Gemm& gemm, arch::Dataflow dataflow, const HwParams& hw, int64_t tile_m,
                           int64_t tile_k, int64_t tile_n);
TileTraffic streaming_tile_traffic(const workload::Gemm& gemm, arch::Dataflow dataflow, const HwParams& hw);

// "mkn", "nkm", "stream", ...: outer-to-inner loop order over tiles, by index.
const char* loop_order_name(int order);

}  // namespace acceldse::cost::detail
