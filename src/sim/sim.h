#pragma once
// Cycle-level reference simulator of the tensor unit, its buffers and DRAM, after
// SCALE-Sim v2's formulation (scalesim/compute/systolic_compute_{os,ws,is}.py and
// scalesim/memory/*). It exists to check src/cost independently, so it shares no code
// with it: it replays the per-cycle operand demand of every fold (skew, fill, drain,
// preload of the stationary operand) against double-buffered SRAMs fed by one DRAM
// channel, and counts stalls when data is not there in time.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "workload/workload.h"

namespace acceldse::sim {

// How the GEMMs of an op are cut into tiles and in which order the tiles run. Within a
// tile the array works fold by fold exactly as SCALE-Sim does (column folds outer, row
// folds inner). Zero tile sizes mean the whole dimension; the default is therefore
// SCALE-Sim's untiled schedule. A unified buffer is split equally among the three
// operands untiled, and in proportion to the bytes of the input, weight and accumulator
// tiles when tiled (as a compiler would allocate it for those tiles).
struct Mapping {
  // kAuto: the accelerator's dataflow; if that is auto too, the fastest of ws/os/is.
  arch::Dataflow dataflow = arch::Dataflow::kAuto;
  int64_t tile_m = 0, tile_k = 0, tile_n = 0;
  std::string loop_order = "nkm";  // tile loops, outermost first; a permutation of "mkn"
  bool tiled() const { return tile_m > 0 || tile_k > 0 || tile_n > 0; }
};

// SCALE-Sim's address offsets (config.cfg IfmapOffset, FilterOffset, OfmapOffset);
// traces name every element by offset + its index in the operand's DRAM layout.
inline constexpr int64_t kIfmapOffset = 0;
inline constexpr int64_t kFilterOffset = 10'000'000;
inline constexpr int64_t kOfmapOffset = 20'000'000;
// Largest SRAM trace a layer may write: cycles x ports summed over the three
// *_SRAM_TRACE.csv files (about 8 bytes of text each, so roughly 80 MB).
inline constexpr int64_t kDefaultTraceCapCells = 10'000'000;

struct Options {
  Mapping mapping;
  // Unset: as the accelerator's buffers.im2col_fetch. kUnique: each input element once
  // while it stays on chip (windows share the halo); kExpanded: each im2col element is
  // its own word, as SCALE-Sim's prefetch matrices.
  std::optional<arch::Im2colFetch> im2col;
  // If not empty, write SCALE-Sim style traces into trace_dir/<layer>/ (tensor-unit
  // layers only). A layer whose SRAM traces would exceed trace_cap_cells is refused
  // with an InputError naming it, before anything is simulated.
  std::string trace_dir;
  int64_t trace_cap_cells = kDefaultTraceCapCells;
};

struct BufferCounts {
  int64_t reads_bytes = 0;
  int64_t writes_bytes = 0;
};

struct LayerResult {
  std::string name;
  std::string op;                                 // op type, e.g. "conv"
  bool tensor_unit = false;                       // conv / matmul / recurrent: simulated on the array
  arch::Dataflow dataflow = arch::Dataflow::kWs;  // resolved (tensor-unit layers)
  int64_t cycles = 0;                             // compute + stall (+ vector for vector-unit layers)
  int64_t compute_cycles = 0;                     // demand cycles of all folds: skew, fill, drain, preload
  int64_t stall_cycles = 0;                       // array waiting for DRAM (reads, write-back space, tail)
  int64_t vector_cycles = 0;                      // vector-unit layers: lanes-limited cycles
  double utilization = 0;                         // MACs / (PEs * cycles); 0 for vector-unit layers
  int64_t macs = 0;
  int64_t folds = 0;  // folds over all GEMM instances and tiles
  BufferCounts input_sram, weight_sram, output_sram;
  int64_t dram_read_bytes = 0, dram_write_bytes = 0;
  int64_t dram_bytes() const { return dram_read_bytes + dram_write_bytes; }
  LayerResult& operator+=(const LayerResult& other);  // sums counts; keeps name/op
};

struct NetworkResult {
  std::vector<LayerResult> layers;  // one per op, in network order
  LayerResult totals;               // sums; utilization over the whole network
};

// Simulates one op. Tensor-unit ops (conv, linear, matmul, lstm/gru) run on the array;
// the others take ceil(vector_ops / (lanes * ops_per_lane)) cycles or the time to move
// their tensors through DRAM, whichever is longer (no fusion, no overlap across ops).
LayerResult simulate_op(const workload::Network& net, const workload::Op& op, const arch::Accelerator& accel,
                        const Options& options = {});
NetworkResult simulate_network(const workload::Network& net, const arch::Accelerator& accel,
                               const Options& options = {});

// Geometry of a convolution, for im2col addressing (SCALE-Sim operand_matrix.py with
// padding, dilation, groups and batch added). Input is NHWC in DRAM.
struct ConvGeometry {
  int64_t batch = 1, in_h = 1, in_w = 1, in_channels = 1, groups = 1;
  int64_t out_channels = 1;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1, pad_top = 0, pad_left = 0;
  int64_t out_h = 1, out_w = 1;
};

// One GEMM of an op with what the simulator needs to address its operands.
struct GemmProblem {
  std::string name;
  workload::Gemm gemm;
  bool is_conv = false;  // A is the im2col view of an NHWC input described by `conv`
  ConvGeometry conv;
  // Distinct B matrices: instance i reads B number i % b_distinct (recurrent time steps
  // share their weights); 0 means one per instance.
  int64_t b_distinct = 0;
};

// Lower-level entry used by simulate_op and by tests: one GEMM on the tensor unit with
// a resolved dataflow (mapping.dataflow must not be kAuto). Traces, if requested, go to
// options.trace_dir/<problem.name>/.
LayerResult simulate_gemm(const GemmProblem& problem, const arch::Accelerator& accel, const Options& options = {});

// The GEMM problems of a tensor-unit op (empty for the others).
std::vector<GemmProblem> gemm_problems(const workload::Network& net, const workload::Op& op);

}  // namespace acceldse::sim
