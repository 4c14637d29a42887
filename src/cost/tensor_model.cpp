// Tensor-unit model: systolic fold timing (SCALE-Sim v2 compatible), tiling of the GEMM
// into buffer-sized tiles, DRAM traffic per loop order, and the mapping search.
#include "cost/tensor_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/checked.h"

namespace acceldse::cost::detail {

namespace {

using arch::Dataflow;
using workload::Gemm;

constexpr int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// ---------------------------------------------------------------------------------
// Loop orders over tiles, outer to inner. pos_*: the loop's depth (0 = outermost).
struct LoopOrder {
  const char* name;
  int pos_m, pos_k, pos_n;
};
constexpr std::array<LoopOrder, 6> kOrders{
    {{"mkn", 0, 1, 2}, {"mnk", 0, 2, 1}, {"kmn", 1, 0, 2}, {"knm", 2, 0, 1}, {"nmk", 1, 2, 0}, {"nkm", 2, 1, 0}}};

// The order reported for SCALE-Sim's untiled schedule (streaming_traffic()).
constexpr int kStreamingOrder = static_cast<int>(kOrders.size());

// ---------------------------------------------------------------------------------
// Array-side SRAM traffic of one dataflow (bytes, all instances): what the array
// reads from and writes to the buffers while it computes, independent of tiling.
struct ArraySram {
  double input_reads = 0, weight_reads = 0, output_reads = 0, output_writes = 0;
};

ArraySram array_sram(const Gemm& g, Dataflow d, const FoldTiming& f, const HwParams& hw) {
  const double count = static_cast<double>(g.count);
  const double mk = static_cast<double>(g.m * g.k) * count;
  const double kn = static_cast<double>(g.k * g.n) * count;
  const double mn = static_cast<double>(g.m * g.n) * count;
  const double pa = static_cast<double>(hw.input_bytes);
  const double pb = static_cast<double>(g.b_is_weight ? hw.weight_bytes : hw.input_bytes);
  const double pc = static_cast<double>(hw.output_bytes);
  const double acc = static_cast<double>(hw.acc_bytes);
  ArraySram s;
  // Partial sums of the row folds (the k dimension for ws/is) are accumulated in the
  // output buffer: every fold but the last writes accumulator-wide partial sums and
  // every fold but the first reads them back.
  const double partial_folds = static_cast<double>(f.row_folds - 1);
  switch (d) {
    case Dataflow::kOs:
      // A rows are re-read for each column fold, B columns for each row fold; outputs
      // complete inside the PEs and are written once.
      s.input_reads = mk * pa * static_cast<double>(f.col_folds);
      s.weight_reads = kn * pb * static_cast<double>(f.row_folds);
      s.output_writes = mn * pc;
      return s;
    case Dataflow::kIs:
      // A is preloaded once; B streams once per column fold (folds of m).
      s.input_reads = mk * pa;
      s.weight_reads = kn * pb * static_cast<double>(f.col_folds);
      break;
    case Dataflow::kWs:
    case Dataflow::kAuto:
      // B is preloaded once; A streams once per column fold (folds of n).
      s.input_reads = mk * pa * static_cast<double>(f.col_folds);
      s.weight_reads = kn * pb;
      break;
  }
  s.output_writes = mn * (pc + partial_folds * acc);
  s.output_reads = mn * partial_folds * acc;
  return s;
}

// Folds spread over the arrays: whole folds while there are enough; otherwise the
// streamed dimension of each fold is split among the arrays left over.
int64_t spread_over_arrays(int64_t folds, const FoldTiming& f, int64_t arrays) {
  if (folds >= arrays) return f.sequence_cycles(ceil_div(folds, arrays), f.stream);
  const int64_t split = arrays / folds;
  return f.fill + ceil_div(f.stream, split);
}

// Which GEMM dimension (0 = m, 1 = k, 2 = n) lies along the array's rows, along its
// columns, and streams through it, per dataflow (see fold_timing()).
struct Placement {
  int rows, cols, stream;
};
constexpr Placement placement(Dataflow d) {
  switch (d) {
    case Dataflow::kOs: return {0, 2, 1};
    case Dataflow::kIs: return {1, 0, 2};
    default: return {1, 2, 0};
  }
}

// Folds along one spatial edge of the array when its dimension is cut into tiles: each
// tile starts its own folds, so a tile that is not a multiple of the edge leaves part
// of the array idle in its last fold.
int64_t spatial_folds(int64_t dim, int64_t tile, int64_t edge) {
  const int64_t trips = ceil_div(dim, tile);
  const int64_t last = dim - (trips - 1) * tile;
  return (trips - 1) * ceil_div(tile, edge) + ceil_div(last, edge);
}

// Array cycles of all instances of a GEMM run tile by tile: every tile runs its own
// folds, and every fold pays the fill (preload, skew, drain) again, so cutting the
// streamed dimension adds a fill per extra tile. With the whole GEMM as one tile this
// is SCALE-Sim's count. `whole`: fold_timing() of the untiled GEMM under `d`.
int64_t tile_cycles(const Gemm& g, Dataflow d, const FoldTiming& whole, const HwParams& hw, int64_t tm, int64_t tk,
                    int64_t tn) {
  const std::array<int64_t, 3> dim{g.m, g.k, g.n}, tile{tm, tk, tn};
  const Placement p = placement(d);
  const int64_t folds_2d =
      mul_sat(spatial_folds(dim[p.rows], tile[p.rows], hw.rows), spatial_folds(dim[p.cols], tile[p.cols], hw.cols));
  const int64_t stream_trips = ceil_div(dim[p.stream], tile[p.stream]);
  if (hw.arrays == 1) {
    if (!whole.pipelined) return mul_sat(g.count, folds_2d, add_sat(mul_sat(stream_trips, whole.fill), dim[p.stream]));
    // Back to back, every fold but the last costs its pitch; the last one (a short
    // last tile) its stream and the whole fill. Recurrent steps wait for each other.
    const int64_t last = dim[p.stream] - (stream_trips - 1) * tile[p.stream];
    const int64_t pitches = add_sat(mul_sat(stream_trips - 1, whole.pitch(tile[p.stream])), whole.pitch(last));
    const int64_t tail = whole.fill + last - whole.pitch(last);
    if (g.sequential) return mul_sat(g.count, add_sat(mul_sat(folds_2d, pitches), tail));
    return add_sat(mul_sat(g.count, folds_2d, pitches), tail);
  }
  // Several arrays share the folds, each taken as long as the longest tile's.
  FoldTiming f = whole;
  f.stream = ceil_div(dim[p.stream], stream_trips);
  const int64_t folds = mul_sat(folds_2d, stream_trips);
  if (g.sequential) return mul_sat(g.count, spread_over_arrays(folds, f, hw.arrays));
  return spread_over_arrays(mul_sat(folds, g.count), f, hw.arrays);
}

// Array cycles raised to what the buffer ports can deliver, when they are limited. Each
// buffer has its own ports: split buffers read their operands side by side, a unified
// buffer serves all three through one.
int64_t port_limited_cycles(int64_t cycles, const ArraySram& s, const HwParams& hw) {
  double limit = 0;
  if (hw.sram_read_bytes_per_cycle > 0) {
    const double reads = hw.unified ? s.input_reads + s.weight_reads + s.output_reads
                                    : std::max({s.input_reads, s.weight_reads, s.output_reads});
    limit = reads / hw.sram_read_bytes_per_cycle;
  }
  if (hw.sram_write_bytes_per_cycle > 0) {
    limit = std::max(limit, s.output_writes / hw.sram_write_bytes_per_cycle);
  }
  return std::max(cycles, ceil_count(limit));
}

// ---------------------------------------------------------------------------------
// Tile candidates along one dimension, largest first: ceil(dim / 2^j) for j = 0, 1, ...
// (the smallest tile for each power-of-two trip count, so no candidate wastes buffer
// space for nothing), rounded up to a multiple of the array edge while larger than it
// so that tiles never split a fold. Down to 1, because validate() accepts buffers that
// hold only one array-edge vector.
constexpr int kMaxCandidates = 64;

int tile_candidates(int64_t dim, int64_t align, std::array<int64_t, kMaxCandidates>& out) {
  int n = 0;
  int64_t last = 0;
  for (int64_t parts = 1; n < kMaxCandidates; parts *= 2) {
    int64_t t = ceil_div(dim, parts);
    if (t > align) t = std::min(dim, ceil_div(t, align) * align);
    // One array edge is the smallest tile that still fills the array; below it every
    // tile idles part of the array.
    if (t < align && last > align && n < kMaxCandidates) out[n++] = last = align;
    if (t != last && n < kMaxCandidates) out[n++] = last = t;
    if (t <= 1) break;
  }
  return n;
}

// Largest m-tile that fits beside a tk x tn B tile (at most m). 0 if nothing fits.
int64_t fitting_tile_m(const Gemm& g, int64_t tk, int64_t tn, const HwParams& hw, double pb) {
  const double pa = static_cast<double>(hw.input_bytes);
  const double acc = static_cast<double>(hw.acc_bytes);  // the output buffer accumulates
  const double b_tile = static_cast<double>(tk * tn) * pb;
  double cap_m = 0;
  if (hw.unified) {
    const double left = hw.unified_tile_bytes - b_tile;
    if (left < 0) return 0;
    cap_m = left / (static_cast<double>(tk) * pa + static_cast<double>(tn) * acc);
  } else {
    if (b_tile > hw.weight_tile_bytes) return 0;
    cap_m = std::min(hw.input_tile_bytes / (static_cast<double>(tk) * pa),
                     hw.output_tile_bytes / (static_cast<double>(tn) * acc));
  }
  if (cap_m < 1) return 0;
  return cap_m >= static_cast<double>(g.m) ? g.m : static_cast<int64_t>(cap_m);
}

// DRAM traffic of one tiling and loop order, for all instances.
struct Traffic {
  double a_reads = 0, b_reads = 0, c_reads = 0, c_writes = 0;
  double bursts = 0;  // tile stages, each one DRAM burst (one latency)
  double total() const { return a_reads + b_reads + c_reads + c_writes; }
};

// Deepest nontrivial loop among two dimensions (-1 if both loops run once).
int inner_pos(int64_t trips1, int pos1, int64_t trips2, int pos2) {
  int p = -1;
  if (trips1 > 1) p = pos1;
  if (trips2 > 1) p = std::max(p, pos2);
  return p;
}

// Per-GEMM constants of the traffic formula.
struct GemmBytes {
  double a = 0, b = 0, c_out = 0, c_acc = 0;  // one instance, one pass
  double count = 1;
  bool b_shared = false;  // sequential instances reuse one weight matrix
};

// Whether what A (B) reads between two steps of the enclosing n (m) loop that does not
// index it stays in A's (B's) buffer until the next step reads it again: LRU holds it
// when it fits, as the simulator's buffers do.
struct PanelsHeld {
  bool a = false, b = false;
};

// An operand tile is fetched again each time an enclosing loop that does not index it
// steps, if that loop is outside the operand's own innermost nontrivial loop (the
// classic loop-nest reuse rule) and what the operand reads in between does not stay in
// its buffer (`held`). C's "refetch" is a spill: partial sums leave the buffer at
// accumulator width between k-steps and come back.
Traffic traffic(const GemmBytes& gb, int64_t trips_m, int64_t trips_k, int64_t trips_n, const LoopOrder& o,
                PanelsHeld held) {
  const int in_a = inner_pos(trips_m, o.pos_m, trips_k, o.pos_k);
  const int in_b = inner_pos(trips_k, o.pos_k, trips_n, o.pos_n);
  const int in_c = inner_pos(trips_m, o.pos_m, trips_n, o.pos_n);
  const double ref_a = (trips_n > 1 && o.pos_n < in_a && !held.a) ? static_cast<double>(trips_n) : 1.0;
  const double ref_b = (trips_m > 1 && o.pos_m < in_b && !held.b) ? static_cast<double>(trips_m) : 1.0;
  const double spills = (trips_k > 1 && o.pos_k < in_c) ? static_cast<double>(trips_k - 1) : 0.0;
  Traffic t;
  t.a_reads = gb.a * ref_a * gb.count;
  // A weight matrix that stays whole in the buffer serves every sequential instance.
  const bool b_resident = gb.b_shared && trips_k == 1 && trips_n == 1;
  t.b_reads = gb.b * ref_b * (b_resident ? 1.0 : gb.count);
  t.c_reads = gb.c_acc * spills * gb.count;
  t.c_writes = (gb.c_out + gb.c_acc * spills) * gb.count;
  t.bursts = static_cast<double>(trips_m * trips_k * trips_n) * gb.count;
  return t;
}

// Energy of moving the traffic: DRAM, plus filling/draining the buffers on chip.
double traffic_pj(const Traffic& t, const HwParams& hw) {
  return t.total() * hw.dram_pj_per_byte + t.a_reads * hw.input_sram_pj_per_byte +
         t.b_reads * hw.weight_sram_pj_per_byte + (t.c_reads + t.c_writes) * hw.output_sram_pj_per_byte;
}

// ---------------------------------------------------------------------------------
// Per-dataflow state of the search for one GEMM.
struct DataflowState {
  Dataflow dataflow = Dataflow::kWs;
  int64_t compute_floor = 0;  // of the untiled GEMM: on one array no tiling is faster
  int64_t port_cycles = 0;    // what the buffer ports allow (0 when unlimited)
  FoldTiming folds;           // of the untiled GEMM
  ArraySram sram;
  // Best so far.
  int64_t cycles = std::numeric_limits<int64_t>::max();
  double pj = std::numeric_limits<double>::infinity();
  Traffic traffic;
  double dram_cycles = 0;
  int64_t compute = 0;
  int64_t tm = 0, tk = 0, tn = 0;
  int order = 0;
};

struct SearchSpace {
  std::array<DataflowState, 3> flows;
  int num_flows = 0;
};

void init_flows(const Gemm& g, const HwParams& hw, SearchSpace& s) {
  static constexpr std::array<Dataflow, 3> kAll{Dataflow::kWs, Dataflow::kOs, Dataflow::kIs};
  s.num_flows = 0;
  for (Dataflow d : kAll) {
    if (hw.dataflow != Dataflow::kAuto && hw.dataflow != d) continue;
    DataflowState& st = s.flows[s.num_flows++];
    st = DataflowState{};
    st.dataflow = d;
    st.folds = fold_timing(g, d, hw);
    st.sram = array_sram(g, d, st.folds, hw);
    st.port_cycles = port_limited_cycles(0, st.sram, hw);
    st.compute_floor = std::max(array_cycles(g, d, hw), st.port_cycles);
  }
}

GemmBytes gemm_bytes(const Gemm& g, const HwParams& hw, double pb, const Residency& res) {
  GemmBytes gb;
  gb.a = res.inputs_on_chip ? 0.0 : static_cast<double>(g.m * g.k * hw.input_bytes);
  gb.b = res.inputs_on_chip && !g.b_is_weight ? 0.0 : static_cast<double>(g.k * g.n) * pb;
  gb.c_out = res.outputs_on_chip ? 0.0 : static_cast<double>(g.m * g.n * hw.output_bytes);
  gb.c_acc = static_cast<double>(g.m * g.n * hw.acc_bytes);
  gb.count = static_cast<double>(g.count);
  gb.b_shared = g.b_is_weight && g.sequential;
  return gb;
}

// Input elements per im2col element an m-tile of a convolution fetches
// (workload::im2col_fetch_fraction) when its taps share them; 1 under expanded fetch
// (SCALE-Sim's convention).
double shared_fraction(const Gemm& g, const HwParams& hw, int64_t tile_m, bool across_rows = true) {
  return hw.im2col_unique ? workload::im2col_fetch_fraction(g.window, static_cast<double>(tile_m), across_rows) : 1.0;
}

// Buffer space a tiling leaves A and B for what they keep between uses: their own
// buffer halves, or a unified buffer's half shared in proportion to the tiles (as the
// simulator splits it).
struct OperandSpace {
  double a = 0, b = 0;
};

OperandSpace operand_space(const HwParams& hw, double pb, int64_t tile_m, int64_t tile_k, int64_t tile_n) {
  if (!hw.unified) return {hw.input_tile_bytes, hw.weight_tile_bytes};
  const double a = static_cast<double>(tile_m * tile_k * hw.input_bytes);
  const double b = static_cast<double>(tile_k * tile_n) * pb;
  const double c = static_cast<double>(tile_m * tile_n * hw.acc_bytes);
  return {hw.unified_tile_bytes * a / (a + b + c), hw.unified_tile_bytes * b / (a + b + c)};
}

// What an m-tile's input and all of A share (shared_fraction() of tile_m and of m),
// computed once per tiling and once per GEMM: this runs for every tiling tried.
struct Shares {
  double tile = 1, all = 1;
};

// Taps between two uses of one input element along a kernel dimension: the tap
// `stride` input positions further reads it for the neighbouring output, i.e.
// lcm(stride, dilation) / dilation taps later.
double reuse_taps(int64_t stride, int64_t span, int64_t kernel) {
  const int64_t dilation = kernel > 1 ? std::max<int64_t>(1, (span - 1) / (kernel - 1)) : 1;
  return static_cast<double>(std::lcm(stride, dilation) / dilation);
}

// Input elements per im2col element that `rows` output pixels fetch when they sweep
// all of k tap by tap with the channels innermost (NHWC) while `capacity` bytes stay
// (LRU, as the simulator's buffers): `share` (the pixels' input rows once) when those
// rows stay; else an element comes back along a kernel row `stride_w` taps later, after
// that many taps' worth of the pixels' elements (all distinct), and one output row down
// `stride_h` kernel rows later, after that many kernel rows' footprint (the input rows
// one kernel row reads, which its taps share).
double swept_fraction(const Gemm& g, const HwParams& hw, int64_t rows, double capacity, double share) {
  const workload::ConvWindow& w = g.window;
  const double swept_bytes = static_cast<double>(rows * g.k * hw.input_bytes);
  if (swept_bytes * share <= capacity) return share;
  const double by_rows = shared_fraction(g, hw, rows, false);
  const double kernel_row_bytes = swept_bytes * by_rows / static_cast<double>(w.kernel_h);
  if (reuse_taps(w.stride_h, w.span_h, w.kernel_h) * kernel_row_bytes <= capacity) return share;
  const double tap_bytes = swept_bytes / static_cast<double>(w.kernel_h * w.kernel_w);
  if (reuse_taps(w.stride_w, w.span_w, w.kernel_w) * tap_bytes <= capacity) return by_rows;
  return 1.0;
}

// What an A tile of tile_m x tile_k fetches when `capacity` bytes of A stay in the
// buffer. Taps that share an input element meet in one tile only if it holds all of k;
// otherwise the element must stay in the buffer until its next use: with the k loop
// inside the m loop the m-tile sweeps all of k (swept_fraction()); with k outside, all
// of A's taps come in between.
double fetched_fraction(const Gemm& g, const HwParams& hw, int64_t tile_m, int64_t tile_k, bool k_inside_m,
                        double capacity, Shares shares) {
  if (!hw.im2col_unique || g.window.out_w <= 0) return 1.0;
  if (tile_k >= g.k) return shares.tile;
  if (!k_inside_m) {
    const double all = static_cast<double>(g.m * g.k * hw.input_bytes) * shares.all;
    return all <= capacity ? shares.all : 1.0;
  }
  return swept_fraction(g, hw, tile_m, capacity, shares.tile);
}

// What one tiling fetches and keeps, for all six loop orders (computed once: this runs
// for every tiling the search tries). What A reads between two n-steps is its tiles
// along the loops inside the n loop: all of m and of k where those loops are inside it,
// else one tile; for B and the m loop alike.
class TilingFetch {
 public:
  TilingFetch(const Gemm& g, const HwParams& hw, double pb, int64_t tile_m, int64_t tile_k, int64_t tile_n,
              Shares shares)
      : trips_m_(ceil_div(g.m, tile_m)), trips_k_(ceil_div(g.k, tile_k)), trips_n_(ceil_div(g.n, tile_n)) {
    const OperandSpace space = operand_space(hw, pb, tile_m, tile_k, tile_n);
    a_fraction_[0] = fetched_fraction(g, hw, tile_m, tile_k, false, space.a, shares);
    a_fraction_[1] = fetched_fraction(g, hw, tile_m, tile_k, true, space.a, shares);
    const double pa = static_cast<double>(hw.input_bytes);
    const double m[2] = {static_cast<double>(tile_m), static_cast<double>(g.m)};
    const double k[2] = {static_cast<double>(tile_k), static_cast<double>(g.k)};
    const double n[2] = {static_cast<double>(tile_n), static_cast<double>(g.n)};
    const double swept[2] = {shares.tile, shares.all};  // a whole sweep of k shares its taps
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) {
        const double a_bytes = m[i] * k[j] * pa * (j == 1 || tile_k >= g.k ? swept[i] : 1.0);
        a_held_[i][j] = a_bytes <= space.a;
        b_held_[i][j] = k[i] * n[j] * pb <= space.b;
      }
    }
  }

  Traffic in_order(const GemmBytes& gb, const LoopOrder& o) const {
    GemmBytes fetched = gb;
    fetched.a *= a_fraction_[trips_m_ == 1 || o.pos_k > o.pos_m ? 1 : 0];
    const PanelsHeld held{a_held_[o.pos_m > o.pos_n][o.pos_k > o.pos_n], b_held_[o.pos_k > o.pos_m][o.pos_n > o.pos_m]};
    return traffic(fetched, trips_m_, trips_k_, trips_n_, o, held);
  }

 private:
  int64_t trips_m_, trips_k_, trips_n_;
  double a_fraction_[2];  // by k inside m
  bool a_held_[2][2]{};   // [all of m][all of k] between n-steps
  bool b_held_[2][2]{};   // [all of k][all of n] between m-steps
};

// ceil() without the libm call: this runs in the innermost loop. Saturates (see
// common/checked.h): a cast of a double beyond int64 is undefined.
int64_t ceil_to_int(double x) {
  if (!(x < static_cast<double>(kCountLimit))) return kCountLimit;
  const auto i = static_cast<int64_t>(x);
  return i + (static_cast<double>(i) < x ? 1 : 0);
}

// Cycles of one dataflow's compute overlapped with `dram` interface cycles (see
// overlap_cycles() in hw_params.h; inlined here with the rounding done once). The
// pipeline's ends beyond the first latency are not charged: operands stream in small
// blocks, so they are short, and charging a whole stage for them overshoots the
// simulator as often as it helps (docs/validation.md, "Reference simulator and validation").
int64_t combine(int64_t compute, int64_t dram, int64_t exposed, const HwParams& hw) {
  if (hw.dram_unlimited) return compute;
  if (!hw.double_buffered) return add_sat(compute, dram);
  return add_sat(std::max(compute, dram), exposed);
}

// The m-tile a dataflow uses for `trips_m` tiles of at most tm_max: where m lies along
// an array edge, the smallest multiple of that edge that keeps the trip count (so no
// fold is split needlessly), else the balanced tile.
int64_t m_tile_for(const Gemm& g, Dataflow d, const HwParams& hw, int64_t tm_balanced, int64_t tm_max) {
  const int64_t edge = d == Dataflow::kOs ? hw.rows : d == Dataflow::kIs ? hw.cols : 0;
  if (edge == 0 || tm_balanced >= g.m) return tm_balanced;
  const int64_t aligned = ceil_div(tm_balanced, edge) * edge;
  return aligned <= tm_max ? aligned : tm_balanced;
}

// Offers the tiles (one m-tile per dataflow: m_tile_for()) in every loop order to every
// dataflow; each keeps what is better for it. `t` is per loop order; it depends only
// on the trip counts, which all dataflows share.
void offer(SearchSpace& s, const Gemm& g, const std::array<Traffic, kOrders.size()>& t, int64_t tm_balanced,
           int64_t tm_max, int64_t tk, int64_t tn, const HwParams& hw, int64_t exposed) {
  constexpr int num_orders = static_cast<int>(kOrders.size());
  std::array<double, kOrders.size()> dram{}, pj{};
  std::array<int64_t, kOrders.size()> dram_int{};
  for (int o = 0; o < num_orders; ++o) {
    dram[o] = hw.dram_cycles(t[o].a_reads, t[o].b_reads, t[o].c_reads + t[o].c_writes, t[o].bursts);
    dram_int[o] = ceil_to_int(dram[o]);
    pj[o] = traffic_pj(t[o], hw);
  }
  for (int i = 0; i < s.num_flows; ++i) {
    DataflowState& st = s.flows[i];
    const int64_t tm = m_tile_for(g, st.dataflow, hw, tm_balanced, tm_max);
    const int64_t compute = std::max(tile_cycles(g, st.dataflow, st.folds, hw, tm, tk, tn), st.port_cycles);
    for (int o = 0; o < num_orders; ++o) {
      const int64_t cycles = combine(compute, dram_int[o], exposed, hw);
      if (cycles < st.cycles || (cycles == st.cycles && pj[o] < st.pj)) {
        st.cycles = cycles;
        st.pj = pj[o];
        st.traffic = t[o];
        st.dram_cycles = dram[o];
        st.compute = compute;
        st.tm = tm, st.tk = tk, st.tn = tn, st.order = o;
      }
    }
  }
}

// Trip counts of the tilings already tried. On one array the fold count and fills, and
// the loop-nest refetches, never increase when a tile grows in any dimension, so a
// tiling whose trip counts are all >= those of one already tried is skipped. (A smaller
// tile can still win when it lets an operand stay in its buffer across an outer loop
// where the larger one does not; the search gives that case up for speed.)
class Tried {
 public:
  bool dominated(int64_t tm, int64_t tk, int64_t tn) const {
    for (int i = 0; i < size_; ++i) {
      const auto& t = trips_[static_cast<size_t>(i)];
      if (t[0] <= tm && t[1] <= tk && t[2] <= tn) return true;
    }
    return false;
  }
  void add(int64_t tm, int64_t tk, int64_t tn) {
    if (size_ < kCapacity) trips_[static_cast<size_t>(size_++)] = {tm, tk, tn};
  }

 private:
  static constexpr int kCapacity = 256;
  std::array<std::array<int64_t, 3>, kCapacity> trips_{};
  int size_ = 0;
};

// True when even the least traffic a tiling could have (each operand once, in its
// number of bursts) is slower than every dataflow's best so far.
bool hopeless(const SearchSpace& s, const GemmBytes& gb, double bursts, const HwParams& hw, int64_t exposed) {
  const double least =
      hw.dram_cycles(gb.a * gb.count, gb.b * (gb.b_shared ? 1.0 : gb.count), gb.c_out * gb.count, bursts);
  const int64_t least_int = ceil_to_int(least);
  for (int i = 0; i < s.num_flows; ++i) {
    // Several arrays can balance smaller tiles better than the whole GEMM: no floor.
    const int64_t floor = hw.arrays == 1 ? s.flows[i].compute_floor : 0;
    if (combine(floor, least_int, exposed, hw) <= s.flows[i].cycles) return false;
  }
  return true;
}

// SCALE-Sim's own schedule, untiled: the array walks the folds of the whole GEMM
// (column folds outer, row folds inner) and streams its operands through the buffers,
// which keep an operand between its uses only when it fits in the half in use. This
// needs no tile to fit, so it is always possible, and its compute is the fold
// formula's; what it costs is refetching what does not fit.
struct StreamFit {
  double a = 0, b = 0, c = 0;  // buffer half available to each operand
};

StreamFit stream_capacity(const HwParams& hw) {
  // A unified buffer is shared equally by the three operands.
  if (hw.unified) return {hw.unified_tile_bytes / 3, hw.unified_tile_bytes / 3, hw.unified_tile_bytes / 3};
  return {hw.input_tile_bytes, hw.weight_tile_bytes, hw.output_tile_bytes};
}

// Input elements per im2col element that SCALE-Sim's untiled os schedule fetches when
// not all of A stays: its folds take `rows` output pixels at a time in pixel order, each
// sweeping all of k (swept_fraction()). When a fold's windows stay whole until the next
// fold, the output rows below share input rows too while one output row's band of input
// rows (kernel height x input width) stays, and folds within an output row share their
// windows' columns with their neighbours.
double streamed_fraction(const Gemm& g, const HwParams& hw, double capacity, double shared_all) {
  if (!hw.im2col_unique || g.window.out_w <= 0) return 1.0;
  const workload::ConvWindow& w = g.window;
  const int64_t fold_rows = std::min(hw.rows, g.m);
  const double fold_share = shared_fraction(g, hw, fold_rows);
  if (static_cast<double>(fold_rows * g.k * hw.input_bytes) * fold_share > capacity) {
    return swept_fraction(g, hw, fold_rows, capacity, fold_share);
  }
  const double row_bytes = static_cast<double>(w.in_w * g.k / (w.kernel_h * w.kernel_w) * hw.input_bytes);
  if (static_cast<double>(std::min(w.in_h, w.span_h)) * row_bytes <= capacity) return shared_all;
  return fold_rows < w.out_w ? std::min(fold_share, shared_fraction(g, hw, w.out_w, false)) : fold_share;
}

Traffic streaming_traffic(const Gemm& g, Dataflow d, const FoldTiming& f, const HwParams& hw, const GemmBytes& gb,
                          double pb) {
  const StreamFit cap = stream_capacity(hw);
  const auto fits = [](double bytes, double capacity) { return bytes <= capacity; };
  const double pa = static_cast<double>(hw.input_bytes), acc = static_cast<double>(hw.acc_bytes);
  const double m = static_cast<double>(g.m), k = static_cast<double>(g.k), n = static_cast<double>(g.n);
  const double row_folds = static_cast<double>(f.row_folds), col_folds = static_cast<double>(f.col_folds);
  // A fold of a convolution reads a few kernel taps (fetched_fraction()); its input is
  // fetched once only if all of it stays in the buffer.
  const double shared_all = shared_fraction(g, hw, g.m);
  const double a_unique = gb.a * shared_all;
  const bool a_fits = a_unique < gb.a ? fits(a_unique, cap.a) : fits(m * k * pa, cap.a);
  const double a_fetched = a_fits
                               ? a_unique
                               : gb.a * (d == Dataflow::kOs ? streamed_fraction(g, hw, cap.a, shared_all)
                                                            : fetched_fraction(g, hw, g.m, std::min(g.k, hw.rows), true,
                                                                               cap.a, {shared_all, shared_all}));
  double a_uses = 1, b_uses = 1, spills = 0;
  switch (d) {
    case Dataflow::kOs:  // A re-read per column fold, B's column slice per row fold
      if (!a_fits) a_uses = col_folds;
      if (!fits(k * std::min<double>(static_cast<double>(hw.cols), n) * pb, cap.b)) b_uses = row_folds;
      break;
    case Dataflow::kIs:  // B re-read per column fold (of m); partial sums of one between row folds
      if (!fits(k * n * pb, cap.b)) b_uses = col_folds;
      if (!fits(n * std::min<double>(static_cast<double>(hw.cols), m) * acc, cap.c)) spills = row_folds - 1;
      break;
    default:  // ws: A re-read per column fold (of n); partial sums of one between row folds
      if (!a_fits) a_uses = col_folds;
      if (!fits(m * std::min<double>(static_cast<double>(hw.cols), n) * acc, cap.c)) spills = row_folds - 1;
      break;
  }
  Traffic t;
  t.a_reads = a_fetched * a_uses * gb.count;
  // A weight matrix that stays whole in the buffer serves every sequential instance.
  const bool b_resident = gb.b_shared && fits(k * n * pb, cap.b);
  t.b_reads = gb.b * b_uses * (b_resident ? 1.0 : gb.count);
  t.c_reads = gb.c_acc * spills * gb.count;
  t.c_writes = (gb.c_out + gb.c_acc * spills) * gb.count;
  t.bursts = static_cast<double>(f.row_folds * f.col_folds) * gb.count;
  return t;
}

void offer_streaming(SearchSpace& s, const Gemm& g, const HwParams& hw, const GemmBytes& gb, double pb,
                     int64_t exposed) {
  for (int i = 0; i < s.num_flows; ++i) {
    DataflowState& st = s.flows[i];
    const Traffic t = streaming_traffic(g, st.dataflow, st.folds, hw, gb, pb);
    const double dram = hw.dram_cycles(t.a_reads, t.b_reads, t.c_reads + t.c_writes, t.bursts);
    const double pj = traffic_pj(t, hw);
    const int64_t cycles = combine(st.compute_floor, ceil_to_int(dram), exposed, hw);
    if (cycles < st.cycles || (cycles == st.cycles && pj < st.pj)) {
      st.cycles = cycles;
      st.pj = pj;
      st.traffic = t;
      st.dram_cycles = dram;
      st.compute = st.compute_floor;
      st.tm = g.m, st.tk = g.k, st.tn = g.n, st.order = kStreamingOrder;
    }
  }
}

void search_tiles(const Gemm& g, const HwParams& hw, const Residency& res, SearchSpace& s) {
  const double pb = static_cast<double>(g.b_is_weight ? hw.weight_bytes : hw.input_bytes);
  const GemmBytes gb = gemm_bytes(g, hw, pb, res);
  const int64_t exposed = ceil_to_int(hw.exposed_latency_cycles());
  // First, so that every dataflow has a mapping (whatever the buffers) and the tile
  // search a bound to prune against.
  offer_streaming(s, g, hw, gb, pb, exposed);
  if (!hw.tiling) return;
  std::array<int64_t, kMaxCandidates> ks{}, ns{};
  const int nk = tile_candidates(g.k, hw.rows, ks);
  const int nn = tile_candidates(g.n, hw.cols, ns);
  Tried tried;
  const bool m_spatial = hw.dataflow != Dataflow::kWs;  // os, is or auto
  const double shared_all = shared_fraction(g, hw, g.m);
  GemmBytes least = gb;  // at best each input element comes once, as when all of A stays
  least.a *= shared_all;
  // One m-tile limit: the balanced tiles for its trip count, in every loop order.
  const auto try_tiles = [&](int64_t tm_max, int64_t tk, int64_t tn, bool prune) {
    const int64_t trips_m = ceil_div(g.m, tm_max), trips_k = ceil_div(g.k, tk), trips_n = ceil_div(g.n, tn);
    // (With several arrays more, smaller tiles can balance better: no pruning.)
    if (prune) {
      if (hw.arrays == 1 && tried.dominated(trips_m, trips_k, trips_n)) return;
      tried.add(trips_m, trips_k, trips_n);
    }
    const double bursts = static_cast<double>(trips_m * trips_k * trips_n) * gb.count;
    if (hopeless(s, least, bursts, hw, exposed)) return;
    // What stays in the buffer is judged on the largest m-tile a dataflow will use
    // (m_tile_for() may align it above the balanced one).
    const int64_t tm = ceil_div(g.m, trips_m);
    int64_t tm_held = tm;
    for (int i = 0; i < s.num_flows; ++i)
      tm_held = std::max(tm_held, m_tile_for(g, s.flows[i].dataflow, hw, tm, tm_max));
    const TilingFetch fetch(g, hw, pb, tm_held, tk, tn, {shared_fraction(g, hw, tm_held), shared_all});
    std::array<Traffic, kOrders.size()> t;
    for (size_t o = 0; o < kOrders.size(); ++o) t[o] = fetch.in_order(gb, kOrders[o]);
    offer(s, g, t, ceil_div(g.m, trips_m), tm_max, tk, tn, hw, exposed);
  };
  for (int ik = 0; ik < nk; ++ik) {
    for (int in = 0; in < nn; ++in) {
      const int64_t tk = ks[ik], tn = ns[in];
      const int64_t tm_max = fitting_tile_m(g, tk, tn, hw, pb);
      if (tm_max == 0) continue;
      try_tiles(tm_max, tk, tn, true);
      // Where m lies along an array edge (os: rows, is: columns), the largest m-tile
      // that is a multiple of the edge may beat the largest one with more trips.
      if (!m_spatial || tm_max >= g.m) continue;
      const int64_t by_rows = tm_max / hw.rows * hw.rows, by_cols = tm_max / hw.cols * hw.cols;
      if (by_rows > 0 && by_rows < tm_max) try_tiles(by_rows, tk, tn, false);
      if (by_cols > 0 && by_cols < tm_max && by_cols != by_rows) try_tiles(by_cols, tk, tn, false);
    }
  }
}

// Folds the best mapping of one GEMM under dataflow state `st` into the op total.
void accumulate(const Gemm& g, const DataflowState& st, const HwParams& hw, const Residency& res, TensorCost& c) {
  const int64_t macs = mul_sat(g.m, g.k, g.n, g.count);
  if (!c.valid || macs > c.mapped_macs) {  // report the mapping of the biggest GEMM
    c.tile_m = st.tm, c.tile_k = st.tk, c.tile_n = st.tn, c.loop_order = st.order;
    c.mapped_macs = macs;
  }
  c.valid = true;
  c.dataflow = st.dataflow;
  c.cycles = add_sat(c.cycles, st.cycles);
  c.compute_cycles = add_sat(c.compute_cycles, st.compute);
  c.dram_cycles += st.dram_cycles;
  c.macs = add_sat(c.macs, macs);
  const Traffic& t = st.traffic;
  c.input_sram_reads += st.sram.input_reads;
  c.input_sram_writes += t.a_reads;
  c.weight_sram_reads += st.sram.weight_reads;
  c.weight_sram_writes += t.b_reads;
  c.output_sram_reads += st.sram.output_reads + t.c_writes;
  c.output_sram_writes += st.sram.output_writes + t.c_reads;
  c.dram_reads += t.a_reads + t.b_reads + t.c_reads;
  c.dram_writes += t.c_writes;
  const double pb = static_cast<double>(g.b_is_weight ? hw.weight_bytes : hw.input_bytes);
  const double operand_bytes = static_cast<double>(hw.input_bytes) + pb + static_cast<double>(hw.acc_bytes);
  c.energy.mac_pj += static_cast<double>(macs) * hw.mac_pj;
  // Each MAC shifts its two operands and its partial sum one PE along.
  c.energy.register_pj += static_cast<double>(macs) * operand_bytes * hw.register_pj_per_byte;
  c.energy.pe_storage_pj += static_cast<double>(macs) * hw.pe_storage_pj_per_mac;
  c.energy.noc_pj +=
      (st.sram.input_reads + st.sram.weight_reads + st.sram.output_reads + st.sram.output_writes) * hw.noc_pj_per_byte;
  c.energy.input_sram_pj += (st.sram.input_reads + t.a_reads) * hw.input_sram_pj_per_byte;
  c.energy.weight_sram_pj += (st.sram.weight_reads + t.b_reads) * hw.weight_sram_pj_per_byte;
  c.energy.output_sram_pj +=
      (st.sram.output_reads + st.sram.output_writes + t.c_reads + t.c_writes) * hw.output_sram_pj_per_byte;
  c.energy.dram_pj += t.total() * hw.dram_pj_per_byte;
  if (res.outputs_on_chip && !hw.unified) {
    // A resident output drains from the output (accumulator) buffer into the input
    // buffer, which holds activations, instead of to DRAM. (A unified buffer already
    // holds it where the array wrote it.)
    const double out = static_cast<double>(g.m * g.n * hw.output_bytes) * static_cast<double>(g.count);
    c.output_sram_reads += out;
    c.input_sram_writes += out;
    c.energy.output_sram_pj += out * hw.output_sram_pj_per_byte;
    c.energy.input_sram_pj += out * hw.input_sram_pj_per_byte;
  }
}

bool better(const TensorCost& a, const TensorCost& b) {
  if (!b.valid) return true;
  if (a.cycles != b.cycles) return a.cycles < b.cycles;
  return a.energy.total_pj() < b.energy.total_pj();
}

}  // namespace

FoldTiming fold_timing(const Gemm& g, Dataflow d, const HwParams& hw) {
  const int64_t r = hw.rows, c = hw.cols;
  FoldTiming f;
  int64_t spatial_rows = 0, spatial_cols = 0;
  switch (d) {
    case Dataflow::kOs:
      // Outputs stationary: m on rows, n on columns, k streamed. Per fold: k operand
      // vectors stream in, skewed over r + c - 2 cycles until the far corner has its
      // last product (systolic_compute_os.py: demand = T + (c - 1) rows, skewed by r - 1).
      spatial_rows = g.m, spatial_cols = g.n, f.stream = g.k;
      f.fill = r + c - 2;
      break;
    case Dataflow::kIs:
      // Inputs stationary: k on rows, m on columns, n streamed; like ws with the
      // operands swapped (systolic_compute_is.py).
      spatial_rows = g.k, spatial_cols = g.m, f.stream = g.n;
      f.fill = 2 * r + c - 2;
      break;
    case Dataflow::kWs:
    case Dataflow::kAuto:
      // Weights stationary: k on rows, n on columns, m streamed. Per fold: r cycles to
      // preload the weights, then m skewed input vectors, then the partial sums drain
      // through r + c - 2 more cycles (systolic_compute_ws.py: demand = r + T + (c - 1)
      // rows, skewed by r - 1): 2r + c + T - 2.
      spatial_rows = g.k, spatial_cols = g.n, f.stream = g.m;
      f.fill = 2 * r + c - 2;
      break;
  }
  // Edge folds are partial (part of the array idle) but take as long as full ones.
  f.row_folds = ceil_div(spatial_rows, r);
  f.col_folds = ceil_div(spatial_cols, c);
  f.overlap = r;  // r rows of stationary data shift in (ws, is) or out (os)
  f.pipelined = hw.pipelined_folds;
  return f;
}

int64_t FoldTiming::sequence_cycles(int64_t folds, int64_t t) const {
  if (folds <= 0) return 0;
  return add_sat(mul_sat(folds - 1, pitch(t)), fill + t);
}

int64_t array_cycles(const Gemm& g, Dataflow d, const HwParams& hw) {
  const FoldTiming f = fold_timing(g, d, hw);
  const int64_t folds = mul_sat(f.row_folds, f.col_folds);
  // Sequential instances (recurrent steps) wait for each other; independent ones
  // (groups, heads, batch items) share the arrays.
  if (g.sequential) return mul_sat(g.count, spread_over_arrays(folds, f, hw.arrays));
  return spread_over_arrays(mul_sat(folds, g.count), f, hw.arrays);
}

TensorCost evaluate_tensor(const Gemm* gemms, size_t count, const HwParams& hw, const Residency& res) {
  TensorCost best;
  // Search each GEMM once for all candidate dataflows, then total per dataflow.
  std::array<TensorCost, 3> per_flow{};
  int num_flows = 0;
  for (size_t i = 0; i < count; ++i) {
    const Gemm& g = gemms[i];
    if (g.m <= 0 || g.k <= 0 || g.n <= 0 || g.count <= 0) continue;
    SearchSpace s;
    init_flows(g, hw, s);
    search_tiles(g, hw, res, s);
    num_flows = s.num_flows;
    for (int f = 0; f < s.num_flows; ++f) accumulate(g, s.flows[f], hw, res, per_flow[f]);
  }
  for (int f = 0; f < num_flows; ++f) {
    if (better(per_flow[f], best)) best = per_flow[f];
  }
  return best;
}

TileTraffic tile_traffic(const Gemm& g, const HwParams& hw, int64_t tile_m, int64_t tile_k, int64_t tile_n,
                         const std::string& loop_order) {
  const double pb = static_cast<double>(g.b_is_weight ? hw.weight_bytes : hw.input_bytes);
  for (const LoopOrder& o : kOrders) {
    if (loop_order != o.name) continue;
    const int64_t tm = std::min(tile_m, g.m);
    const TilingFetch fetch(g, hw, pb, tm, std::min(tile_k, g.k), std::min(tile_n, g.n),
                            {shared_fraction(g, hw, tm), shared_fraction(g, hw, g.m)});
    const Traffic t = fetch.in_order(gemm_bytes(g, hw, pb, Residency{}), o);
    return {t.a_reads, t.b_reads, t.c_reads, t.c_writes, t.bursts};
  }
  return {};
}

int64_t tiled_array_cycles(const Gemm& g, Dataflow d, const HwParams& hw, int64_t tile_m, int64_t tile_k,
                           int64_t tile_n) {
  return tile_cycles(g, d, fold_timing(g, d, hw), hw, tile_m, tile_k, tile_n);
}

TileTraffic streaming_tile_traffic(const Gemm& g, Dataflow d, const HwParams& hw) {
  const double pb = static_cast<double>(g.b_is_weight ? hw.weight_bytes : hw.input_bytes);
  const Traffic t = streaming_traffic(g, d, fold_timing(g, d, hw), hw, gemm_bytes(g, hw, pb, Residency{}), pb);
  return {t.a_reads, t.b_reads, t.c_reads, t.c_writes, t.bursts};
}

const char* loop_order_name(int order) {
  if (order == kStreamingOrder) return "stream";
  return kOrders[static_cast<size_t>(std::clamp(order, 0, 5))].name;
}

}  // namespace acceldse::cost::detail
