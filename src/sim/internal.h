#pragma once
// Private to src/sim: folds, operand addressing, buffer residency, the DRAM channel and
// trace files. Line numbers ("lines") are cycles of the demand stream before stalls,
// counted from the first line of a fold, as the rows of SCALE-Sim's demand matrices.
#include <cstdint>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/sim.h"

namespace acceldse::sim::detail {

using arch::Dataflow;

struct ArrayShape {
  int64_t rows = 1, cols = 1;
  Dataflow dataflow = Dataflow::kWs;
};

// One fold: the box of the GEMM (instance, m, k and n ranges) the array computes in one
// pass, from preload to drain.
struct Fold {
  int64_t inst = 0;
  int64_t m0 = 0, m_len = 0, k0 = 0, k_len = 0, n0 = 0, n_len = 0;
  bool first_k = false;  // first contribution to its outputs: no partial sums to add
  bool last_k = false;   // last contribution: outputs are final
  // Set by plan_partial_sums: the partial outputs left the output SRAM before this fold
  // needs them again (reload from DRAM) / before the next fold adds to them (spill).
  bool reload_partials = false;
  bool spill_partials = false;
};

// Where things happen within a fold, per SCALE-Sim's demand matrices:
//   os: T = K; A row r reads A[m][t] at line t + r, B column c reads B[t][n] at line
//       t + c, outputs drain from line T - 1 (flipped rows, skewed by column);
//       lines = T + R + C - 2.
//   ws: T = M; B is preloaded on lines [0, R) (rows flipped), A row r reads A[t][k] at
//       line R + t + r, output column c is written at line 2R - 1 + t + c;
//       lines = 2R + C + T - 2.
//   is: T = N; A is preloaded on lines [0, R), B row r reads B[k][t] at line R + t + r,
//       output column c (a pixel) is written at 2R - 1 + t + c; lines = 2R + C + T - 2.
struct FoldTiming {
  int64_t rows_used = 0, cols_used = 0;  // PEs holding data (partial folds use fewer)
  int64_t stream_len = 0;                // T
  int64_t lines = 0;
  int64_t stream_start = 0;  // first line of the streaming operand(s)
  int64_t out_start = 0;     // line of the first output write
  int64_t out_rows = 0;      // output rows written, one per line from out_first_row_line
  int64_t out_first_row_line = 0;
  int64_t out_row_elems = 0;
};
FoldTiming fold_timing(const ArrayShape& shape, const Fold& fold);

// The folds of all instances of a GEMM under a mapping, in execution order. Throws
// InputError for a bad loop order.
std::vector<Fold> make_folds(const workload::Gemm& gemm, const ArrayShape& shape, const Mapping& mapping,
                             int64_t arrays = 1);

// Marks folds whose partial sums must go through DRAM: an output block stays in the
// output SRAM between two contributions only if the output blocks touched in between
// (itself included) fit in `retain_bytes` (LRU by bytes touched).
void plan_partial_sums(std::vector<Fold>& folds, int64_t acc_bytes, double retain_bytes);

// Addresses of the three operand matrices in DRAM layout (SCALE-Sim operand_matrix.py).
class Operands {
 public:
  explicit Operands(const GemmProblem& problem);
  const workload::Gemm& gemm() const { return gemm_; }
  bool a_is_im2col() const { return im2col_; }
  // Element indices (address minus offset); -1 for an im2col padding position.
  int64_t a_index(int64_t inst, int64_t i, int64_t j) const;
  int64_t b_index(int64_t inst, int64_t k, int64_t n) const;
  int64_t c_index(int64_t inst, int64_t i, int64_t n) const;
  int64_t a_elements() const;  // size of A's DRAM tensor over all instances
  // Which B the instance reads (recurrent time steps share their weights).
  int64_t b_instance(int64_t inst) const { return inst % b_distinct_; }

  // Calls visit(index) for every non-padding element of the im2col box rows [i0, i1) x
  // columns [j0, j1) of instance `inst`, row by row; returns the padding positions.
  template <class Visit>
  int64_t for_each_a_im2col(int64_t inst, int64_t i0, int64_t i1, int64_t j0, int64_t j1, Visit&& visit) const;

 private:
  struct Segment {  // im2col columns of one kernel position: channels [c0, c1)
    int64_t kh, kw, c0, c1;
  };
  std::vector<Segment> segments(int64_t j0, int64_t j1) const;

  workload::Gemm gemm_;
  bool im2col_ = false;
  int64_t b_distinct_ = 1;
  ConvGeometry g_;
  int64_t cin_group_ = 1, cout_group_ = 1;  // channels per group
};

template <class Visit>
int64_t Operands::for_each_a_im2col(int64_t inst, int64_t i0, int64_t i1, int64_t j0, int64_t j1, Visit&& visit) const {
  const std::vector<Segment> segs = segments(j0, j1);
  const int64_t pixels = g_.out_h * g_.out_w;
  const int64_t channel_base = inst * cin_group_;
  int64_t padding = 0;
  for (int64_t i = i0; i < i1; ++i) {
    const int64_t n = i / pixels, oh = (i % pixels) / g_.out_w, ow = i % g_.out_w;
    for (const Segment& s : segs) {
      const int64_t ih = oh * g_.stride_h - g_.pad_top + s.kh * g_.dilation_h;
      const int64_t iw = ow * g_.stride_w - g_.pad_left + s.kw * g_.dilation_w;
      if (ih < 0 || ih >= g_.in_h || iw < 0 || iw >= g_.in_w) {
        padding += s.c1 - s.c0;
        continue;
      }
      const int64_t base = ((n * g_.in_h + ih) * g_.in_w + iw) * g_.in_channels + channel_base;
      for (int64_t c = s.c0; c < s.c1; ++c) visit(base + c);
    }
  }
  return padding;
}

// Prefix sums over positions with point updates (a Fenwick tree): the bytes whose last
// use falls in a range of folds, i.e. LRU stack distances.
class Fenwick {
 public:
  explicit Fenwick(size_t positions) : tree_(positions + 1, 0) {}
  void add(size_t pos, int64_t delta) {
    for (size_t i = pos + 1; i < tree_.size(); i += i & (~i + 1)) tree_[i] += delta;
  }
  int64_t prefix(size_t end) const {  // sum over [0, end)
    int64_t sum = 0;
    for (size_t i = end; i > 0; i -= i & (~i + 1)) sum += tree_[i];
    return sum;
  }
  int64_t range(size_t begin, size_t end) const { return prefix(end) - prefix(begin); }

 private:
  std::vector<int64_t> tree_;
};

// Which tiles of a dense operand stay in SRAM between folds: LRU over `retain_bytes`
// (SCALE-Sim keeps the active half of a double buffer). A tile is still there if the
// distinct bytes used since its last use, itself included, fit. Fold boxes come from
// fixed partitions of M, K and N, so two tiles are the same or disjoint and a tile is
// named by its corner. `fold` numbers the uses, increasing, below `folds`.
class TileResidency {
 public:
  TileResidency(double retain_bytes, size_t folds) : retain_bytes_(retain_bytes), last_use_bytes_(folds) {}
  // True if the tile is still on chip; records the use either way.
  bool touch(int64_t inst, int64_t row0, int64_t col0, int64_t bytes, size_t fold);

 private:
  struct Key {
    int64_t inst, row0, col0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  double retain_bytes_;
  Fenwick last_use_bytes_;  // per fold: bytes of the tiles last used in it
  std::unordered_map<Key, size_t, KeyHash> last_use_;
};

// The same policy per element, for im2col inputs whose fold boxes overlap in DRAM (the
// halo of a convolution window is shared by neighbouring output pixels). Distances are
// taken at fold granularity: an element is still there if the distinct bytes used from
// the fold of its last use up to the current fold's data touched so far fit. (The
// engine calls an os fold's steps of a few columns "folds" here: GemmRun::a_step_cols.)
class ElementResidency {
 public:
  ElementResidency(int64_t elements, double retain_bytes, int64_t element_bytes, size_t folds);
  void begin_fold();
  enum class Touch { kRepeat, kHit, kMiss };  // kRepeat: already touched in this fold
  Touch touch(int64_t index) {
    const uint32_t last = last_fold_[static_cast<size_t>(index)];
    if (last == fold_) return Touch::kRepeat;
    last_fold_[static_cast<size_t>(index)] = fold_;
    ++unique_in_fold_;
    if (last == 0) return Touch::kMiss;
    if (moved_from_[last]++ == 0) moved_list_.push_back(last);
    // Elements this fold has taken over from folds since `last` are in distance_from()
    // already (moves are applied at the fold's end): count them once.
    const int64_t distance = distance_from(last) + (unique_in_fold_ - moved_since(last)) * element_bytes_;
    return static_cast<double>(distance) <= retain_bytes_ ? Touch::kHit : Touch::kMiss;
  }
  void end_fold();

 private:
  int64_t distance_from(uint32_t fold);  // bytes last used in folds [fold, current)
  // Elements touched in this fold whose previous use was in a fold >= `fold`.
  int64_t moved_since(uint32_t fold) const {
    int64_t n = 0;
    for (uint32_t g : moved_list_) n += g >= fold ? moved_from_[g] : 0;
    return n;
  }

  std::vector<uint32_t> last_fold_;  // per element: fold of the last use (1-based), 0 = never
  Fenwick last_use_bytes_;           // per fold: bytes of the elements last used in it
  std::vector<int64_t> distance_memo_;
  std::vector<uint32_t> memo_fold_;  // fold for which distance_memo_ holds
  std::vector<int64_t> moved_from_;  // this fold: elements whose last use was that fold
  std::vector<uint32_t> moved_list_;
  uint32_t fold_ = 0;
  int64_t unique_in_fold_ = 0;
  double retain_bytes_;
  int64_t element_bytes_;
};

// One DRAM interface. A transfer occupies it for bytes / bandwidth cycles, using the idle
// time from its issue on: a request issued early (a prefetch) fills the gaps left by
// transfers issued later in the simulation but earlier in time, without delaying them.
// Read data arrives `latency` cycles after its transfer; requests are pipelined, so the
// latency occupies no channel time.
class DramChannel {
 public:
  DramChannel(double bytes_per_cycle, double latency_cycles)
      : bytes_per_cycle_(bytes_per_cycle), latency_cycles_(latency_cycles) {}
  struct Transfer {
    double start, end;  // first and last cycle the channel works on it
  };
  Transfer transfer(double bytes, double earliest);
  double latency_cycles() const { return latency_cycles_; }
  double bytes_per_cycle() const { return bytes_per_cycle_; }

 private:
  void occupy(double start, double end);
  double bytes_per_cycle_, latency_cycles_;
  std::map<double, double> busy_;  // start -> end; disjoint, touching intervals merged
};

// Space in a buffer half: chunks occupy it from when their transfer starts until
// `until` (prefetched data: until the array starts on it; write-back data: until it has
// left for DRAM). A chunk may start once the chunks still occupying space plus itself
// fit in the capacity.
class SpaceRing {
 public:
  explicit SpaceRing(double capacity_bytes) : capacity_bytes_(capacity_bytes) {}
  double earliest_start(double bytes) const;
  void occupy(double bytes, double until);

 private:
  double capacity_bytes_;
  std::deque<std::pair<double, double>> held_;  // (until, bytes), until nondecreasing
  double held_bytes_ = 0;
};

// SCALE-Sim style CSV traces of one GEMM: "cycle,addr,addr,..." with -1 for an idle
// port; SRAM traces one row per cycle of the demand stream, DRAM traces one row per
// cycle of a transfer.
class TraceWriter {
 public:
  // Files go to dir/<layer>/ (characters other than letters, digits, '.', '-', '_'
  // become '_'); throws InputError if they cannot be created.
  TraceWriter(const std::string& dir, const std::string& layer);
  std::ofstream ifmap_sram, filter_sram, ofmap_sram;
  std::ofstream ifmap_dram, filter_dram, ofmap_dram;
  // Partial sums read back from DRAM; SCALE-Sim has no such traffic, so the file
  // OFMAP_DRAM_READ_TRACE.csv exists only for layers that spill.
  std::ofstream& ofmap_dram_read();
  static void row(std::ofstream& out, int64_t cycle, const std::vector<int64_t>& addrs);

 private:
  std::string path_;
  std::ofstream ofmap_dram_read_;
  std::ofstream open(const std::string& file) const;
};

// SRAM trace cells (cycles x ports of the three SRAM traces) of a GEMM, for the cap.
int64_t sram_trace_cells(const std::vector<Fold>& folds, const ArrayShape& shape);

// Simulates one GEMM; options.mapping.dataflow must be resolved (not kAuto).
LayerResult run_gemm(const GemmProblem& problem, const arch::Accelerator& accel, const Options& options);

}  // namespace acceldse::sim::detail
