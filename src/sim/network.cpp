// Ops and networks: tensor-unit ops through their GEMMs, the others on the vector unit.
#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "common/checked.h"
#include "common/error.h"
#include "sim/internal.h"

namespace acceldse::sim {
namespace {

using detail::ArrayShape;

constexpr arch::Dataflow kConcreteDataflows[] = {arch::Dataflow::kWs, arch::Dataflow::kOs, arch::Dataflow::kIs};

// The dataflows a run may use: the mapping's, else the accelerator's, else all three.
std::vector<arch::Dataflow> candidate_dataflows(const arch::Accelerator& accel, const Mapping& mapping) {
  arch::Dataflow d = mapping.dataflow != arch::Dataflow::kAuto ? mapping.dataflow : accel.tensor.dataflow;
  if (d != arch::Dataflow::kAuto) return {d};
  return {std::begin(kConcreteDataflows), std::end(kConcreteDataflows)};
}

double utilization(int64_t macs, const arch::Accelerator& accel, int64_t cycles) {
  if (cycles <= 0 || macs <= 0) return 0.0;
  return static_cast<double>(macs) / (static_cast<double>(accel.pes()) * static_cast<double>(cycles));
}

// Refuses a trace that would exceed the cap (for auto dataflow, the largest of the
// three), before anything is simulated.
void check_trace(const GemmProblem& problem, const arch::Accelerator& accel, const Options& options) {
  if (options.trace_dir.empty()) return;
  if (accel.tensor.arrays > 1) {
    throw InputError(
        "<command line>", "--trace",
        "traces are written for one array only; this accelerator has " + std::to_string(accel.tensor.arrays));
  }
  int64_t cells = 0;
  for (arch::Dataflow d : candidate_dataflows(accel, options.mapping)) {
    Mapping m = options.mapping;
    m.dataflow = d;
    const ArrayShape shape{accel.tensor.rows, accel.tensor.cols, d};
    cells = std::max(cells, detail::sram_trace_cells(detail::make_folds(problem.gemm, shape, m), shape));
  }
  if (cells > options.trace_cap_cells) {
    throw InputError("<command line>", "--trace",
                     "layer '" + problem.name + "' would write " + std::to_string(cells) +
                         " SRAM trace cells, more than the cap of " + std::to_string(options.trace_cap_cells) +
                         "; trace a smaller layer (--layer NAME) or a smaller batch");
  }
}

bool is_view(const std::string& type) {
  // Data-move ops that only reinterpret a tensor move no bytes.
  static const std::set<std::string> views{"reshape", "flatten", "identity"};
  return views.contains(type);
}

// Vector-unit ops, simply: the lanes' time or the time to move their tensors through
// DRAM, whichever is longer; no SRAM accounting, no fusion with neighbours.
LayerResult simulate_vector_op(const workload::Network& net, const workload::Op& op, const arch::Accelerator& accel) {
  LayerResult r;
  r.name = op.name;
  r.op = op.type;
  const int64_t rate = std::max<int64_t>(1, accel.vector.lanes * accel.vector.ops_per_lane_per_cycle);
  r.vector_cycles = (workload::vector_ops(net, op) + rate - 1) / rate;
  if (!is_view(op.type)) {
    const arch::Precision& p = accel.precision;
    const int64_t outputs = workload::output_elements(net, op);
    r.dram_read_bytes = op.op_class == workload::OpClass::kEmbedding
                            ? outputs * p.weight_bytes  // only the gathered rows
                            : workload::input_elements(net, op) * p.input_bytes + op.params * p.weight_bytes;
    r.dram_write_bytes = outputs * p.output_bytes;
  }
  double memory_cycles = 0;
  if (!accel.dram.stall_free && r.dram_bytes() > 0) {
    memory_cycles =
        static_cast<double>(r.dram_bytes()) / accel.dram_bytes_per_cycle() + accel.dram.latency_ns * accel.clock_ghz;
  }
  r.cycles = std::max(r.vector_cycles, ceil_count(memory_cycles));
  r.stall_cycles = r.cycles - r.vector_cycles;
  return r;
}

}  // namespace

LayerResult& LayerResult::operator+=(const LayerResult& o) {
  cycles += o.cycles;
  compute_cycles += o.compute_cycles;
  stall_cycles += o.stall_cycles;
  vector_cycles += o.vector_cycles;
  macs += o.macs;
  folds += o.folds;
  input_sram.reads_bytes += o.input_sram.reads_bytes;
  input_sram.writes_bytes += o.input_sram.writes_bytes;
  weight_sram.reads_bytes += o.weight_sram.reads_bytes;
  weight_sram.writes_bytes += o.weight_sram.writes_bytes;
  output_sram.reads_bytes += o.output_sram.reads_bytes;
  output_sram.writes_bytes += o.output_sram.writes_bytes;
  dram_read_bytes += o.dram_read_bytes;
  dram_write_bytes += o.dram_write_bytes;
  return *this;
}

LayerResult simulate_gemm(const GemmProblem& problem, const arch::Accelerator& accel, const Options& options) {
  check_trace(problem, accel, options);
  std::optional<LayerResult> best;
  Options best_options;
  const std::vector<arch::Dataflow> candidates = candidate_dataflows(accel, options.mapping);
  const bool single = candidates.size() == 1;
  for (arch::Dataflow d : candidates) {
    Options run = options;
    run.mapping.dataflow = d;
    // With one candidate the run that decides is also the one that traces.
    if (!single) run.trace_dir.clear();
    LayerResult r = detail::run_gemm(problem, accel, run);
    if (!best || r.cycles < best->cycles) {
      best = r;
      best_options = run;
    }
  }
  if (!single && !options.trace_dir.empty()) {
    best_options.trace_dir = options.trace_dir;
    best = detail::run_gemm(problem, accel, best_options);
  }
  best->utilization = utilization(best->macs, accel, best->cycles);
  return *best;
}

LayerResult simulate_op(const workload::Network& net, const workload::Op& op, const arch::Accelerator& accel,
                        const Options& options) {
  const std::vector<GemmProblem> problems = gemm_problems(net, op);
  if (problems.empty()) return simulate_vector_op(net, op, accel);
  for (const GemmProblem& p : problems) check_trace(p, accel, options);
  LayerResult total;
  total.name = op.name;
  total.op = op.type;
  total.tensor_unit = true;
  for (size_t i = 0; i < problems.size(); ++i) {
    LayerResult r = simulate_gemm(problems[i], accel, options);
    if (i == 0) total.dataflow = r.dataflow;
    total += r;
  }
  if (op.op_class == workload::OpClass::kRecurrent) {
    // Gate arithmetic runs on the vector unit after the GEMMs (no overlap modelled).
    LayerResult gates = simulate_vector_op(net, op, accel);
    total.vector_cycles += gates.vector_cycles;
    total.cycles += gates.vector_cycles;
  }
  total.utilization = utilization(total.macs, accel, total.cycles);
  return total;
}

NetworkResult simulate_network(const workload::Network& net, const arch::Accelerator& accel, const Options& options) {
  // Refuse an oversized trace before spending time on the layers before it.
  for (const workload::Op& op : net.ops) {
    for (const GemmProblem& p : gemm_problems(net, op)) check_trace(p, accel, options);
  }
  NetworkResult result;
  result.totals.name = net.name;
  result.totals.op = "total";
  for (const workload::Op& op : net.ops) {
    result.layers.push_back(simulate_op(net, op, accel, options));
    result.totals += result.layers.back();
  }
  result.totals.utilization = utilization(result.totals.macs, accel, result.totals.cycles);
  return result;
}

}  // namespace acceldse::sim
