// The network schedule: ops run one after another in network order; element-wise and
// norm ops that directly consume a tensor op's output are fused into its output stream.
#include <algorithm>
#include <array>

#include "cost/cost.h"
#include "cost/hw_params.h"
#include "cost/op_cost.h"
#include "cost/op_work.h"

namespace acceldse::cost {

namespace {

using workload::OpClass;

bool runs_on_array(const workload::Op& op, const OpCost& c) {
  const bool gemm_op = op.op_class == OpClass::kConv || op.op_class == OpClass::kMatmul;
  return gemm_op && !c.mapping.on_vector_unit && c.macs > 0;
}

bool is_network_output(const workload::Network& net, int tensor) {
  return std::find(net.outputs.begin(), net.outputs.end(), tensor) != net.outputs.end();
}

// The tensor op whose output stream `op` can be fused into, or -1. `root[i]` is that
// op for every op already scheduled (a fused chain conv -> bn -> relu shares one root).
int fusion_root(const workload::Network& net, const workload::Op& op, const std::vector<int>& root) {
  if (op.op_class != OpClass::kEltwise && op.op_class != OpClass::kNorm) return -1;
  if (op.inputs.size() != 1) return -1;
  const workload::Tensor& in = net.tensors[static_cast<size_t>(op.inputs[0])];
  if (in.producer < 0 || in.consumers.size() != 1 || is_network_output(net, op.inputs[0])) return -1;
  return root[static_cast<size_t>(in.producer)];
}

// The fused op's vector work runs while the array still produces the stream: only
// what exceeds the producer's remaining cycles shows. Its data never leaves the chip.
OpCost fused(const OpCost& standalone, int64_t& budget_cycles) {
  OpCost f;
  f.fused = true;
  f.vector_cycles = standalone.vector_cycles;
  f.cycles = std::max<int64_t>(0, standalone.vector_cycles - budget_cycles);
  budget_cycles = std::max<int64_t>(0, budget_cycles - standalone.vector_cycles);
  f.energy.vector_pj = standalone.energy.vector_pj;
  f.bound = f.cycles > 0 ? Bound::kVector : Bound::kNone;
  return f;
}

void apply_fusion(const workload::Network& net, std::vector<OpCost>& layers) {
  std::vector<int> root(layers.size(), -1);
  std::vector<int64_t> budget(layers.size(), 0);  // indexed by root op
  for (size_t i = 0; i < layers.size(); ++i) {
    const workload::Op& op = net.ops[i];
    if (runs_on_array(op, layers[i])) {
      root[i] = static_cast<int>(i);
      budget[i] = layers[i].cycles;
      continue;
    }
    const int r = fusion_root(net, op, root);
    if (r < 0) continue;
    layers[i] = fused(layers[i], budget[static_cast<size_t>(r)]);
    root[i] = r;
  }
}

void add_to(OpCost& total, const OpCost& c) {
  total.cycles += c.cycles;
  total.compute_cycles += c.compute_cycles;
  total.stall_cycles += c.stall_cycles;
  total.vector_cycles += c.vector_cycles;
  total.macs += c.macs;
  total.input_sram_reads_bytes += c.input_sram_reads_bytes;
  total.input_sram_writes_bytes += c.input_sram_writes_bytes;
  total.weight_sram_reads_bytes += c.weight_sram_reads_bytes;
  total.weight_sram_writes_bytes += c.weight_sram_writes_bytes;
  total.output_sram_reads_bytes += c.output_sram_reads_bytes;
  total.output_sram_writes_bytes += c.output_sram_writes_bytes;
  total.dram_read_bytes += c.dram_read_bytes;
  total.dram_write_bytes += c.dram_write_bytes;
  total.energy += c.energy;
}

// The network's bottleneck: the bound under which most of its cycles were spent.
Bound dominant_bound(const std::vector<OpCost>& layers) {
  std::array<int64_t, 4> cycles{};
  for (const OpCost& c : layers) cycles[static_cast<size_t>(c.bound)] += c.cycles;
  const auto it = std::max_element(cycles.begin(), cycles.begin() + 3);
  return *it > 0 ? static_cast<Bound>(it - cycles.begin()) : Bound::kNone;
}

int64_t batch_of(const workload::Network& net) {
  if (net.inputs.empty()) return 1;
  const workload::Shape& shape = net.tensors[static_cast<size_t>(net.inputs[0])].shape;
  return shape.empty() ? 1 : std::max<int64_t>(1, shape[0]);
}

}  // namespace

NetworkCost evaluate_network(const workload::Network& net, const arch::Accelerator& accel, CostCache* cache) {
  const detail::HwParams hw = detail::make_hw_params(accel);
  NetworkCost result;
  result.area = area(accel);
  result.layers.reserve(net.ops.size());
  for (const workload::Op& op : net.ops) {
    result.layers.push_back(detail::evaluate_work_cached(detail::describe(net, op), hw, cache));
  }
  apply_fusion(net, result.layers);
  const double area_mm2 = result.area.total_mm2();
  for (OpCost& c : result.layers) {
    detail::add_leakage(c, area_mm2, accel);
    add_to(result.totals, c);
  }
  OpCost& t = result.totals;
  if (t.cycles > 0 && t.macs > 0) {
    t.utilization = static_cast<double>(t.macs) / (static_cast<double>(accel.pes()) * static_cast<double>(t.cycles));
  }
  t.bound = dominant_bound(result.layers);
  result.latency_s = static_cast<double>(t.cycles) / (hw.clock_ghz * 1e9);
  if (result.latency_s > 0) {
    result.throughput_per_s = static_cast<double>(batch_of(net)) / result.latency_s;
    result.power_w = t.energy.total_pj() * 1e-12 / result.latency_s;
  }
  return result;
}

}  // namespace acceldse::cost
