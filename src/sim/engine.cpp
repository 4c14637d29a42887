// The simulation of one GEMM: folds in execution order, each replaying its demand stream
// against the operand buffers and the DRAM channel(s), in blocks of lines.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>

#include "common/checked.h"
#include "sim/internal.h"

namespace acceldse::sim::detail {
namespace {

// Tolerance when comparing cycle times, so that an essentially infinite bandwidth never
// rounds a zero-length wait up to a stall cycle.
constexpr double kEpsCycles = 1e-6;
// A DRAM trace row holds what the channel moves in one cycle, at most this many words.
constexpr int64_t kMaxDramTraceWords = 1024;

// Granularity of streamed data: blocks of at most this many lines are fetched (or
// written back) as units, so data flows through a buffer half while it fills.
constexpr int64_t kStreamBlockLines = 128;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Transfers of at most a buffer half each.
int64_t blocks_for(int64_t bytes, double half_bytes) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(static_cast<double>(bytes) / half_bytes)));
}

enum Stream { kStreamA = 0, kStreamB = 1, kStreamPartials = 2, kStreamOutputs = 3, kStreams };

// A transfer the fold needs before `line` (read) or produces at `line` (write).
struct Event {
  int64_t line = 0;
  bool write = false;
  int stream = kStreamA;
  int64_t bytes = 0;
  std::vector<int64_t> addrs;  // DRAM addresses, only when tracing
};

// Per-fold demand of an input operand: SRAM reads and the DRAM misses among them.
struct Demand {
  int64_t read_elems = 0, miss_elems = 0;
  std::vector<int64_t> miss_addrs;  // only when tracing
};

int64_t buffer_bytes(const arch::Buffers& b, int64_t kib) {
  // A unified buffer is shared equally by the three operands (a fixed partition) unless
  // the mapping partitions it (stream_capacities()).
  return (b.unified ? b.unified_kib : kib) * 1024 / (b.unified ? 3 : 1);
}

class GemmRun {
 public:
  GemmRun(const GemmProblem& problem, const arch::Accelerator& accel, const Options& options);
  LayerResult run();

 private:
  Demand demand_a(const Fold& f, size_t index);
  int64_t a_step_cols(const Fold& f) const;
  Demand demand_b(const Fold& f, size_t index);
  void input_events(int stream, Demand& d, int64_t elem_bytes, bool stationary, const FoldTiming& t,
                    std::vector<Event>& events) const;
  void output_events(const Fold& f, const FoldTiming& t, std::vector<Event>& events) const;
  void count_fold(const Fold& f, const Demand& a, const Demand& b);
  void schedule(std::vector<Event>& events);
  void wait_until(double ready, double now);
  double now(int64_t line) const { return static_cast<double>(line_base_ + line + stall_cycles_); }
  void trace_dram(int stream, const Event& e, double start);
  void trace_fold(const Fold& f, const FoldTiming& t);
  std::vector<int64_t> output_addrs(const Fold& f, const FoldTiming& t, int64_t row0, int64_t row1) const;

  const GemmProblem& problem_;
  Operands operands_;
  ArrayShape shape_;
  int64_t arrays_;
  int64_t in_bytes_, b_bytes_, acc_bytes_, out_bytes_;
  std::array<double, kStreams> chunk_cap_;  // most bytes in flight per stream
  bool double_buffered_;
  bool pipelined_;  // arch.h: TensorUnit::pipelined_folds
  std::vector<Fold> folds_;
  std::optional<ElementResidency> a_elements_;
  TileResidency a_tiles_, b_tiles_;
  std::vector<DramChannel> channels_;
  DramChannel* channel_[kStreams];
  std::vector<SpaceRing> rings_;
  std::optional<TraceWriter> trace_;
  std::vector<std::pair<int64_t, int64_t>> stall_profile_;  // (line, stall from it on)
  int64_t wave_stall_start_ = 0;                            // stall cycles before the current wave

  LayerResult result_;
  int64_t line_base_ = 0, stall_cycles_ = 0;
  double last_write_end_ = 0;
  double nominal_bytes_per_cycle_ = 1;
};

// Bytes each operand stream may hold in flight: a buffer half when double buffered
// (SCALE-Sim's active_buf_frac = 0.5: one half in use, one being filled or drained). A
// unified buffer is split in proportion to the mapping's tiles when it asks for that.
std::array<double, kStreams> stream_capacities(const arch::Buffers& buf, const GemmProblem& problem,
                                               const arch::Precision& p, const Mapping& mapping) {
  const double half = buf.double_buffered ? 0.5 : 1.0;
  double in = half * static_cast<double>(buffer_bytes(buf, buf.input_kib));
  double w = half * static_cast<double>(buffer_bytes(buf, buf.weight_kib));
  double out = half * static_cast<double>(buffer_bytes(buf, buf.output_kib));
  if (buf.unified && mapping.tiled()) {
    const workload::Gemm& g = problem.gemm;
    const auto dim = [](int64_t tile, int64_t whole) {
      return static_cast<double>(tile > 0 ? std::min(tile, whole) : whole);
    };
    const double tm = dim(mapping.tile_m, g.m), tk = dim(mapping.tile_k, g.k), tn = dim(mapping.tile_n, g.n);
    const double a = tm * tk * static_cast<double>(p.input_bytes);
    const double b = tk * tn * static_cast<double>(g.b_is_weight ? p.weight_bytes : p.input_bytes);
    const double c = tm * tn * static_cast<double>(p.accumulator_bytes);
    const double total = half * static_cast<double>(buf.unified_kib * 1024);
    in = total * a / (a + b + c);
    w = total * b / (a + b + c);
    out = total * c / (a + b + c);
  }
  return {in, w, out, out};
}

GemmRun::GemmRun(const GemmProblem& problem, const arch::Accelerator& accel, const Options& options)
    : problem_(problem),
      operands_(problem),
      shape_{accel.tensor.rows, accel.tensor.cols, options.mapping.dataflow},
      arrays_(std::max<int64_t>(1, accel.tensor.arrays)),
      in_bytes_(accel.precision.input_bytes),
      b_bytes_(problem.gemm.b_is_weight ? accel.precision.weight_bytes : accel.precision.input_bytes),
      acc_bytes_(accel.precision.accumulator_bytes),
      out_bytes_(accel.precision.output_bytes),
      chunk_cap_(stream_capacities(accel.buffers, problem, accel.precision, options.mapping)),
      double_buffered_(accel.buffers.double_buffered),
      pipelined_(accel.tensor.pipelined_folds),
      folds_(make_folds(problem.gemm, shape_, options.mapping, arrays_)),
      a_tiles_(chunk_cap_[kStreamA], folds_.size()),
      b_tiles_(chunk_cap_[kStreamB], folds_.size()) {
  // What stays on chip between folds is what fits in the half in use.
  plan_partial_sums(folds_, acc_bytes_, chunk_cap_[kStreamOutputs]);
  if (operands_.a_is_im2col() && options.im2col.value_or(accel.buffers.im2col_fetch) == arch::Im2colFetch::kUnique) {
    size_t steps = 0;
    for (const Fold& f : folds_) {
      const int64_t step = a_step_cols(f);
      steps += static_cast<size_t>((f.k_len + step - 1) / step);
    }
    a_elements_.emplace(operands_.a_elements(), chunk_cap_[kStreamA], in_bytes_, steps);
  }
  for (double cap : chunk_cap_) rings_.emplace_back(cap);

  // A stall-free memory (SCALE-Sim CALC mode) is an infinitely fast, latency-free channel.
  const bool free = accel.dram.stall_free;
  const double bw = free ? std::numeric_limits<double>::infinity() : accel.dram_bytes_per_cycle();
  const double latency = free ? 0.0 : accel.dram.latency_ns * accel.clock_ghz;
  const bool per_operand = accel.dram.bandwidth_per_operand;
  channels_.assign(per_operand ? 3 : 1, DramChannel(bw, latency));
  channel_[kStreamA] = &channels_[0];
  channel_[kStreamB] = &channels_[per_operand ? 1 : 0];
  channel_[kStreamPartials] = channel_[kStreamOutputs] = &channels_[per_operand ? 2 : 0];

  nominal_bytes_per_cycle_ = accel.dram_bytes_per_cycle();
  if (!options.trace_dir.empty()) trace_.emplace(options.trace_dir, problem.name);
}

// Columns of A that one residency step of a fold covers. An os fold streams A column by
// column (all of its k, a column a cycle), so an im2col element it reads again several
// taps later may have left the buffer in between when the fold's input does not fit:
// its steps are a small part of the buffer half. The other dataflows stream A row by
// row, and an element a fold reads twice comes back within a few rows: one step.
int64_t GemmRun::a_step_cols(const Fold& f) const {
  if (shape_.dataflow != Dataflow::kOs) return std::max<int64_t>(1, f.k_len);
  const double column_bytes = static_cast<double>(f.m_len * in_bytes_);
  return std::clamp<int64_t>(static_cast<int64_t>(chunk_cap_[kStreamA] / 8 / column_bytes), 1,
                             std::max<int64_t>(1, f.k_len));
}

Demand GemmRun::demand_a(const Fold& f, size_t index) {
  Demand d;
  const bool tracing = trace_.has_value();
  if (a_elements_) {
    const int64_t step = a_step_cols(f);
    for (int64_t k0 = f.k0; k0 < f.k0 + f.k_len; k0 += step) {
      a_elements_->begin_fold();
      operands_.for_each_a_im2col(f.inst, f.m0, f.m0 + f.m_len, k0, std::min(k0 + step, f.k0 + f.k_len),
                                  [&](int64_t index) {
                                    ++d.read_elems;
                                    if (a_elements_->touch(index) != ElementResidency::Touch::kMiss) return;
                                    ++d.miss_elems;
                                    if (tracing) d.miss_addrs.push_back(kIfmapOffset + index);
                                  });
      a_elements_->end_fold();
    }
    return d;
  }
  d.read_elems = f.m_len * f.k_len;
  if (a_tiles_.touch(f.inst, f.m0, f.k0, d.read_elems * in_bytes_, index)) return d;
  d.miss_elems = d.read_elems;
  if (tracing) {  // expanded im2col: padding positions are words too, named -1
    for (int64_t i = f.m0; i < f.m0 + f.m_len; ++i) {
      for (int64_t j = f.k0; j < f.k0 + f.k_len; ++j) {
        const int64_t index = operands_.a_index(f.inst, i, j);
        d.miss_addrs.push_back(index < 0 ? -1 : kIfmapOffset + index);
      }
    }
  }
  return d;
}

Demand GemmRun::demand_b(const Fold& f, size_t index) {
  Demand d;
  d.read_elems = f.k_len * f.n_len;
  const int64_t b_inst = operands_.b_instance(f.inst);
  if (b_tiles_.touch(b_inst, f.k0, f.n0, d.read_elems * b_bytes_, index)) return d;
  d.miss_elems = d.read_elems;
  if (trace_) {
    for (int64_t k = f.k0; k < f.k0 + f.k_len; ++k)
      for (int64_t n = f.n0; n < f.n0 + f.n_len; ++n)
        d.miss_addrs.push_back(kFilterOffset + operands_.b_index(f.inst, k, n));
  }
  return d;
}

// A stationary operand is needed whole before the preload; a streaming one a block at a
// time, each block at most a buffer half, needed when its first row enters the array.
void GemmRun::input_events(int stream, Demand& d, int64_t elem_bytes, bool stationary, const FoldTiming& t,
                           std::vector<Event>& events) const {
  if (d.miss_elems == 0) return;
  const int64_t bytes = d.miss_elems * elem_bytes;
  const int64_t blocks = blocks_for(bytes, chunk_cap_[stream]);
  const int64_t rows = stationary ? blocks : std::max<int64_t>(1, t.stream_len);
  // A streaming operand flows through its buffer half like a FIFO: it is fetched in
  // blocks of at most kStreamBlockLines rows, each needed when its first row enters.
  const int64_t pieces = stationary ? blocks : std::min(rows, std::max(blocks, ceil_div(rows, kStreamBlockLines)));
  for (int64_t b = 0; b < pieces; ++b) {
    const int64_t row0 = rows * b / pieces, row1 = rows * (b + 1) / pieces;
    const int64_t e0 = d.miss_elems * row0 / rows, e1 = d.miss_elems * row1 / rows;
    Event e{.line = stationary ? 0 : t.stream_start + row0,
            .write = false,
            .stream = stream,
            .bytes = (e1 - e0) * elem_bytes,
            .addrs = {}};
    if (!d.miss_addrs.empty()) e.addrs.assign(d.miss_addrs.begin() + e0, d.miss_addrs.begin() + e1);
    events.push_back(std::move(e));
  }
}

// Partial sums coming back from DRAM are needed when their row is first written;
// results leave once their row's last column is written.
void GemmRun::output_events(const Fold& f, const FoldTiming& t, std::vector<Event>& events) const {
  const int64_t elems = f.m_len * f.n_len;
  const int64_t reload_bytes = f.reload_partials ? elems * acc_bytes_ : 0;
  const int64_t write_bytes = f.last_k ? elems * out_bytes_ : f.spill_partials ? elems * acc_bytes_ : 0;
  const int64_t largest = std::max(reload_bytes, write_bytes);
  if (largest == 0) return;
  const int64_t blocks = blocks_for(largest, chunk_cap_[kStreamOutputs]);
  const int64_t pieces = std::min(t.out_rows, std::max(blocks, ceil_div(t.out_rows, kStreamBlockLines)));
  for (int64_t b = 0; b < pieces; ++b) {
    const int64_t row0 = t.out_rows * b / pieces, row1 = t.out_rows * (b + 1) / pieces;
    std::vector<int64_t> addrs;
    if (trace_) addrs = output_addrs(f, t, row0, row1);
    const int64_t block_elems = (row1 - row0) * t.out_row_elems;
    if (reload_bytes > 0) {
      events.push_back({.line = t.out_first_row_line + row0,
                        .write = false,
                        .stream = kStreamPartials,
                        .bytes = block_elems * acc_bytes_,
                        .addrs = addrs});
    }
    if (write_bytes > 0) {
      events.push_back({.line = t.out_first_row_line + row1 - 1 + t.cols_used - 1,
                        .write = true,
                        .stream = kStreamOutputs,
                        .bytes = write_bytes / elems * block_elems,
                        .addrs = std::move(addrs)});
    }
  }
}

// DRAM addresses of output rows [row0, row1) in the order they leave the array.
std::vector<int64_t> GemmRun::output_addrs(const Fold& f, const FoldTiming& t, int64_t row0, int64_t row1) const {
  std::vector<int64_t> addrs;
  for (int64_t q = row0; q < row1; ++q) {
    for (int64_t c = 0; c < t.out_row_elems; ++c) {
      int64_t index = 0;
      switch (shape_.dataflow) {
        case Dataflow::kOs:  // bottom row drains first
          index = operands_.c_index(f.inst, f.m0 + t.rows_used - 1 - q, f.n0 + c);
          break;
        case Dataflow::kIs: index = operands_.c_index(f.inst, f.m0 + c, f.n0 + q); break;
        default: index = operands_.c_index(f.inst, f.m0 + q, f.n0 + c); break;
      }
      addrs.push_back(kOfmapOffset + index);
    }
  }
  return addrs;
}

void GemmRun::count_fold(const Fold& f, const Demand& a, const Demand& b) {
  LayerResult& r = result_;
  r.input_sram.reads_bytes += a.read_elems * in_bytes_;
  r.input_sram.writes_bytes += a.miss_elems * in_bytes_;
  r.weight_sram.reads_bytes += b.read_elems * b_bytes_;
  r.weight_sram.writes_bytes += b.miss_elems * b_bytes_;
  r.dram_read_bytes += a.miss_elems * in_bytes_ + b.miss_elems * b_bytes_;
  // Outputs: the array writes its sums; a later contribution first reads the partial
  // sum it adds to; results (and spilled partials) are read out towards DRAM.
  const int64_t acc = f.m_len * f.n_len * acc_bytes_;
  r.output_sram.writes_bytes += acc + (f.reload_partials ? acc : 0);
  r.output_sram.reads_bytes += (f.first_k ? 0 : acc) + (f.last_k || f.spill_partials ? acc : 0);
  if (f.reload_partials) r.dram_read_bytes += acc;
  if (f.last_k) {
    r.dram_write_bytes += f.m_len * f.n_len * out_bytes_;
  } else if (f.spill_partials) {
    r.dram_write_bytes += acc;
  }
}

void GemmRun::wait_until(double ready, double now_cycles) {
  if (ready > now_cycles + kEpsCycles) {
    stall_cycles_ = add_sat(stall_cycles_, ceil_count(ready - now_cycles - kEpsCycles));
  }
}

// Replays the transfers of a wave in line order. Reads are issued in the order they are
// needed, as early as their buffer half has room (without double buffering: not before
// they are needed); the array stalls until they arrive. Writes leave when produced,
// once the write-back half has room.
void GemmRun::schedule(std::vector<Event>& events) {
  std::stable_sort(events.begin(), events.end(), [](const Event& x, const Event& y) {
    return x.line != y.line ? x.line < y.line : (!x.write && y.write);
  });
  for (const Event& e : events) {
    SpaceRing& ring = rings_[e.stream];
    DramChannel& channel = *channel_[e.stream];
    const double bytes = static_cast<double>(e.bytes);
    if (e.write) {
      wait_until(ring.earliest_start(bytes), now(e.line));
      const DramChannel::Transfer tr = channel.transfer(bytes, now(e.line));
      ring.occupy(bytes, tr.end);
      last_write_end_ = std::max(last_write_end_, tr.end);
      if (trace_) trace_dram(e.stream, e, tr.start);
    } else {
      double earliest = std::max(0.0, ring.earliest_start(bytes));
      if (!double_buffered_) earliest = std::max(earliest, now(e.line));
      const DramChannel::Transfer tr = channel.transfer(bytes, earliest);
      wait_until(tr.end + channel.latency_cycles(), now(e.line));
      ring.occupy(bytes, now(e.line));
      if (trace_) trace_dram(e.stream, e, tr.start);
    }
    if (trace_) stall_profile_.emplace_back(e.line, stall_cycles_);
  }
}

void GemmRun::trace_dram(int stream, const Event& e, double start) {
  std::ofstream& out = stream == kStreamA         ? trace_->ifmap_dram
                       : stream == kStreamB       ? trace_->filter_dram
                       : stream == kStreamOutputs ? trace_->ofmap_dram
                                                  : trace_->ofmap_dram_read();
  const int64_t elem_bytes = e.bytes / std::max<int64_t>(1, static_cast<int64_t>(e.addrs.size()));
  // Row width follows the nominal bandwidth even for a stall-free memory.
  const double bw = channel_[stream]->bytes_per_cycle();
  const int64_t words = std::clamp<int64_t>(
      static_cast<int64_t>(nominal_bytes_per_cycle_ / static_cast<double>(elem_bytes)), 1, kMaxDramTraceWords);
  std::vector<int64_t> row;
  for (size_t i = 0; i < e.addrs.size(); i += static_cast<size_t>(words)) {
    const double offset = std::isinf(bw) ? 0.0 : static_cast<double>(i) * static_cast<double>(elem_bytes) / bw;
    row.assign(static_cast<size_t>(words), -1);
    std::copy(e.addrs.begin() + static_cast<std::ptrdiff_t>(i),
              e.addrs.begin() + static_cast<std::ptrdiff_t>(std::min(e.addrs.size(), i + static_cast<size_t>(words))),
              row.begin());
    TraceWriter::row(out, static_cast<int64_t>(std::floor(start + offset + kEpsCycles)), row);
  }
}

LayerResult GemmRun::run() {
  const workload::Gemm& g = problem_.gemm;
  result_.name = problem_.name;
  result_.tensor_unit = true;
  result_.dataflow = shape_.dataflow;
  result_.macs = g.m * g.k * g.n * g.count;
  result_.folds = static_cast<int64_t>(folds_.size());
  std::vector<Event> events;
  for (size_t w = 0, end = 0; w < folds_.size(); w = end) {
    // A wave: up to `arrays` folds side by side on identical arrays; the instances of a
    // sequential GEMM (recurrent steps) wait for each other.
    end = std::min(folds_.size(), w + static_cast<size_t>(arrays_));
    for (size_t i = w + 1; g.sequential && i < end; ++i) {
      if (folds_[i].inst != folds_[w].inst) end = i;
    }
    int64_t wave_lines = 0, wave_pitch = 0;
    events.clear();
    stall_profile_.clear();
    wave_stall_start_ = stall_cycles_;
    for (size_t i = w; i < end; ++i) {
      const Fold& f = folds_[i];
      const FoldTiming t = fold_timing(shape_, f);
      Demand a = demand_a(f, i);
      Demand b = demand_b(f, i);
      count_fold(f, a, b);
      input_events(kStreamA, a, in_bytes_, shape_.dataflow == Dataflow::kIs, t, events);
      input_events(kStreamB, b, b_bytes_, shape_.dataflow == Dataflow::kWs, t, events);
      output_events(f, t, events);
      wave_lines = std::max(wave_lines, t.lines);
      wave_pitch = std::max(wave_pitch, std::max(t.stream_len, shape_.rows));
    }
    schedule(events);
    if (trace_) trace_fold(folds_[w], fold_timing(shape_, folds_[w]));
    // Pipelined folds: the next wave's preload (or this wave's drain) runs beside this
    // wave's stream, unless the next wave is a recurrent step waiting for this one.
    const bool overlap = pipelined_ && end < folds_.size() && !(g.sequential && folds_[end].inst != folds_[w].inst);
    line_base_ += overlap ? wave_pitch : wave_lines;
  }
  // The layer ends when its last result has left for DRAM.
  wait_until(last_write_end_, static_cast<double>(line_base_ + stall_cycles_));
  result_.compute_cycles = line_base_;
  result_.stall_cycles = stall_cycles_;
  result_.cycles = line_base_ + stall_cycles_;
  return result_;
}

// Writes the SRAM demand of a fold, one row per line, SCALE-Sim's port order.
void GemmRun::trace_fold(const Fold& f, const FoldTiming& t) {
  const int64_t R = shape_.rows, C = shape_.cols, T = t.stream_len;
  const bool os = shape_.dataflow == Dataflow::kOs, is = shape_.dataflow == Dataflow::kIs;
  auto a = [&](int64_t i, int64_t j) {
    const int64_t index = operands_.a_index(f.inst, i, j);
    return index < 0 ? -1 : kIfmapOffset + index;
  };
  auto b = [&](int64_t k, int64_t n) { return kFilterOffset + operands_.b_index(f.inst, k, n); };
  auto c = [&](int64_t i, int64_t n) { return kOfmapOffset + operands_.c_index(f.inst, i, n); };
  std::vector<int64_t> ifmap(static_cast<size_t>(is ? C : R)), filter(static_cast<size_t>(is ? R : C)),
      ofmap(static_cast<size_t>(C));
  size_t next_event = 0;
  int64_t stall = wave_stall_start_;
  for (int64_t l = 0; l < t.lines; ++l) {
    while (next_event < stall_profile_.size() && stall_profile_[next_event].first <= l) {
      stall = stall_profile_[next_event++].second;
    }
    for (int64_t p = 0; p < static_cast<int64_t>(ifmap.size()); ++p) {
      int64_t v = -1;
      if (os) {
        const int64_t tt = l - p;
        if (tt >= 0 && tt < T && p < t.rows_used) v = a(f.m0 + p, f.k0 + tt);
      } else if (is) {
        const int64_t r = R - 1 - l;
        if (l < R && r < t.rows_used && p < t.cols_used) v = a(f.m0 + p, f.k0 + r);
      } else {
        const int64_t tt = l - R - p;
        if (tt >= 0 && tt < T && p < t.rows_used) v = a(f.m0 + tt, f.k0 + p);
      }
      ifmap[static_cast<size_t>(p)] = v;
    }
    for (int64_t p = 0; p < static_cast<int64_t>(filter.size()); ++p) {
      int64_t v = -1;
      if (os) {
        const int64_t tt = l - p;
        if (tt >= 0 && tt < T && p < t.cols_used) v = b(f.k0 + tt, f.n0 + p);
      } else if (is) {
        const int64_t tt = l - R - p;
        if (tt >= 0 && tt < T && p < t.rows_used) v = b(f.k0 + p, f.n0 + tt);
      } else {
        const int64_t r = R - 1 - l;
        if (l < R && r < t.rows_used && p < t.cols_used) v = b(f.k0 + r, f.n0 + p);
      }
      filter[static_cast<size_t>(p)] = v;
    }
    for (int64_t p = 0; p < C; ++p) {
      int64_t v = -1;
      if (os) {
        const int64_t row = R - 1 - (l - p - (T - 1));  // rows drain flipped
        if (l - p - (T - 1) >= 0 && row >= 0 && row < t.rows_used && p < t.cols_used) {
          v = c(f.m0 + row, f.n0 + p);
        }
      } else {
        const int64_t tt = l - p - (2 * R - 1);
        if (tt >= 0 && tt < T && p < t.cols_used) v = is ? c(f.m0 + p, f.n0 + tt) : c(f.m0 + tt, f.n0 + p);
      }
      ofmap[static_cast<size_t>(p)] = v;
    }
    const int64_t cycle = line_base_ + l + stall;
    TraceWriter::row(trace_->ifmap_sram, cycle, ifmap);
    TraceWriter::row(trace_->filter_sram, cycle, filter);
    TraceWriter::row(trace_->ofmap_sram, cycle, ofmap);
  }
}

}  // namespace

LayerResult run_gemm(const GemmProblem& problem, const arch::Accelerator& accel, const Options& options) {
  const workload::Gemm& g = problem.gemm;
  if (g.m <= 0 || g.k <= 0 || g.n <= 0 || g.count <= 0) {
    LayerResult empty;
    empty.name = problem.name;
    empty.tensor_unit = true;
    empty.dataflow = options.mapping.dataflow;
    return empty;
  }
  return GemmRun(problem, accel, options).run();
}

}  // namespace acceldse::sim::detail
