// The network schedule: ops run one after another in network order; element-wise and
// norm ops that directly consume a tensor op's output are fused into its output stream.
//
// Activation residency (Buffers::keep_activations_on_chip). The schedule decides, per
// activation tensor, whether it stays in the buffer that holds activations -- the input
// buffer (split buffers) or the unified buffer -- from the op that produces it to its
// last consumer, instead of going through DRAM:
//  * A tensor and its views (reshape/flatten/identity) and the fused chain it flows
//    through (conv -> bn -> relu: only the chain's last tensor is stored) are one stored
//    tensor of elements x input_bytes, live from its first producer to its last consumer.
//  * Capacity at op j: the input buffer (split), or the unified buffer minus the weight
//    and output tiles op j's mapping uses with its operands in DRAM, doubled when double
//    buffered (unified). A resident stored tensor must fit, together with every other
//    resident tensor live at j, at every op j of its live range. (The input buffer also
//    stages the tiles of inputs that come from DRAM; that is not reserved.)
//  * Greedy over the topological order: stored tensors in the order of their first
//    producer become resident when they fit over their whole live range, else they
//    spill (written to DRAM once, read from DRAM by each consumer). So a residual
//    branch stays resident across the ops in between, or spills.
//  * Never resident: network inputs (start in DRAM) and network outputs (end in DRAM),
//    and tensors produced or read by ops whose model does not take residency (recurrent,
//    copy-like data movement, embedding).
// An op's inputs are on chip when all its activation inputs are resident; its outputs
// when all its outputs are. Weights always come from DRAM.
#include <algorithm>
#include <array>
#include <exception>
#include <optional>
#include <string>

#include "common/checked.h"

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

// root[i]: the tensor op whose stream op i is fused into (root[i] == i for the tensor
// op itself; -1 when op i runs on its own).
std::vector<int> fusion_roots(const workload::Network& net, const std::vector<OpCost>& layers) {
  std::vector<int> root(layers.size(), -1);
  for (size_t i = 0; i < layers.size(); ++i) {
    const workload::Op& op = net.ops[i];
    root[i] = runs_on_array(op, layers[i]) ? static_cast<int>(i) : fusion_root(net, op, root);
  }
  return root;
}

void apply_fusion(const std::vector<int>& root, std::vector<OpCost>& layers) {
  std::vector<int64_t> budget(layers.size(), 0);  // indexed by root op
  for (size_t i = 0; i < layers.size(); ++i) {
    const int r = root[i];
    if (r == static_cast<int>(i)) {
      budget[i] = layers[i].cycles;
    } else if (r >= 0) {
      layers[i] = fused(layers[i], budget[static_cast<size_t>(r)]);
    }
  }
}

bool takes_residency(const workload::Op& op, const detail::OpWork& w) {
  if (w.kind == detail::OpKind::kVector || w.kind == detail::OpKind::kFree) return true;
  return w.kind == detail::OpKind::kTensor && op.op_class != OpClass::kRecurrent;
}

// The residency plan (see the top of this file): one Residency per op.
std::vector<Residency> plan_residency(const workload::Network& net, const std::vector<detail::OpWork>& works,
                                      const std::vector<OpCost>& dram_layers, const std::vector<int>& root,
                                      const detail::HwParams& hw) {
  const size_t nt = net.tensors.size(), no = net.ops.size();
  // storage[t]: the tensor t is stored as (itself, or the end of its view/fusion chain).
  std::vector<int> storage(nt);
  for (size_t t = 0; t < nt; ++t) storage[t] = static_cast<int>(t);
  for (size_t i = no; i-- > 0;) {
    const workload::Op& op = net.ops[i];
    const bool pass_through =
        (root[i] >= 0 && root[i] != static_cast<int>(i)) || works[i].kind == detail::OpKind::kFree;
    if (!pass_through || op.inputs.size() != 1 || op.outputs.size() != 1) continue;
    const int t = op.inputs[0];
    const workload::Tensor& in = net.tensors[static_cast<size_t>(t)];
    if (in.producer < 0 || in.consumers.size() != 1 || is_network_output(net, t)) continue;
    storage[static_cast<size_t>(t)] = storage[static_cast<size_t>(op.outputs[0])];
  }
  std::vector<int> start(nt, -1), end(nt, -1);
  std::vector<char> allowed(nt, 1);
  for (size_t t = 0; t < nt; ++t) {
    const workload::Tensor& tensor = net.tensors[t];
    const size_t u = static_cast<size_t>(storage[t]);
    if (tensor.producer >= 0) {
      start[u] = start[u] < 0 ? tensor.producer : std::min(start[u], tensor.producer);
      if (!takes_residency(net.ops[static_cast<size_t>(tensor.producer)], works[static_cast<size_t>(tensor.producer)]))
        allowed[u] = 0;
    }
    for (int c : tensor.consumers) {
      end[u] = std::max(end[u], c);
      if (!takes_residency(net.ops[static_cast<size_t>(c)], works[static_cast<size_t>(c)])) allowed[u] = 0;
    }
  }
  for (int t : net.outputs) allowed[static_cast<size_t>(storage[static_cast<size_t>(t)])] = 0;
  // Capacity left at each op for resident tensors.
  std::vector<double> room(no, hw.activation_store_bytes);
  if (hw.unified) {
    const double copies = hw.double_buffered ? 2.0 : 1.0;
    for (size_t j = 0; j < no; ++j) {
      const Mapping& m = dram_layers[j].mapping;
      if (works[j].kind != detail::OpKind::kTensor || m.on_vector_unit) continue;
      const double tiles =
          static_cast<double>(m.tile_k * m.tile_n * hw.weight_bytes + m.tile_m * m.tile_n * hw.acc_bytes);
      room[j] -= copies * tiles;
    }
  }
  std::vector<int> order;  // stored candidates by first producer (then tensor index)
  for (size_t t = 0; t < nt; ++t) {
    if (storage[t] == static_cast<int>(t) && start[t] >= 0 && allowed[t] && end[t] >= 0)
      order.push_back(static_cast<int>(t));
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return start[static_cast<size_t>(a)] < start[static_cast<size_t>(b)]; });
  std::vector<char> resident(nt, 0);
  for (int ti : order) {
    {
      const size_t t = static_cast<size_t>(ti);
      const double bytes = static_cast<double>(workload::num_elements(net.tensors[t].shape) * hw.input_bytes);
      bool fits = true;
      for (int j = start[t]; j <= end[t] && fits; ++j) fits = bytes <= room[static_cast<size_t>(j)];
      if (!fits) continue;
      resident[t] = 1;
      for (int j = start[t]; j <= end[t]; ++j) room[static_cast<size_t>(j)] -= bytes;
    }
  }
  std::vector<Residency> plan(no);
  for (size_t i = 0; i < no; ++i) {
    const workload::Op& op = net.ops[i];
    if (!takes_residency(op, works[i])) continue;
    auto all_resident = [&](const std::vector<int>& ts) {
      if (ts.empty()) return false;
      for (int t : ts) {
        if (!resident[static_cast<size_t>(storage[static_cast<size_t>(t)])]) return false;
      }
      return true;
    };
    plan[i].inputs_on_chip = all_resident(op.inputs);
    plan[i].outputs_on_chip = all_resident(op.outputs);
  }
  return plan;
}

// Saturating sums (common/checked.h): an overflow shows as kCountLimit, which
// check_counts() reports, instead of wrapping to a negative number.
void add_to(OpCost& total, const OpCost& c) {
  const auto add = [](int64_t& sum, int64_t value) { sum = add_sat(sum, value); };
  add(total.cycles, c.cycles);
  add(total.compute_cycles, c.compute_cycles);
  add(total.stall_cycles, c.stall_cycles);
  add(total.vector_cycles, c.vector_cycles);
  add(total.macs, c.macs);
  add(total.input_sram_reads_bytes, c.input_sram_reads_bytes);
  add(total.input_sram_writes_bytes, c.input_sram_writes_bytes);
  add(total.weight_sram_reads_bytes, c.weight_sram_reads_bytes);
  add(total.weight_sram_writes_bytes, c.weight_sram_writes_bytes);
  add(total.output_sram_reads_bytes, c.output_sram_reads_bytes);
  add(total.output_sram_writes_bytes, c.output_sram_writes_bytes);
  add(total.dram_read_bytes, c.dram_read_bytes);
  add(total.dram_write_bytes, c.dram_write_bytes);
  total.energy += c.energy;
}

// The network's bottleneck: the bound under which most of its cycles were spent.
Bound dominant_bound(const std::vector<OpCost>& layers) {
  std::array<int64_t, 4> cycles{};
  for (const OpCost& c : layers) cycles[static_cast<size_t>(c.bound)] += c.cycles;
  const auto it = std::max_element(cycles.begin(), cycles.begin() + 3);
  return *it > 0 ? static_cast<Bound>(it - cycles.begin()) : Bound::kNone;
}

int64_t tensor_unit_macs(const std::vector<OpCost>& layers) {
  int64_t macs = 0;
  for (const OpCost& c : layers) {
    if (!c.mapping.on_vector_unit) macs = add_sat(macs, c.macs);
  }
  return macs;
}

int64_t batch_of(const workload::Network& net) {
  if (net.inputs.empty()) return 1;
  const workload::Shape& shape = net.tensors[static_cast<size_t>(net.inputs[0])].shape;
  return shape.empty() ? 1 : std::max<int64_t>(1, shape[0]);
}

// The cost of running a micro-batch's schedule `runs` times over.
OpCost repeated(const OpCost& c, int64_t runs) {
  OpCost r = c;
  for (int64_t* field :
       {&r.cycles, &r.compute_cycles, &r.stall_cycles, &r.vector_cycles, &r.macs, &r.input_sram_reads_bytes,
        &r.input_sram_writes_bytes, &r.weight_sram_reads_bytes, &r.weight_sram_writes_bytes, &r.output_sram_reads_bytes,
        &r.output_sram_writes_bytes, &r.dram_read_bytes, &r.dram_write_bytes}) {
    *field = mul_sat(*field, runs);
  }
  r.energy = Energy{};
  for (int64_t i = 0; i < runs; ++i) r.energy += c.energy;
  return r;
}

void repeat(NetworkCost& cost, int64_t runs) {
  for (OpCost& layer : cost.layers) layer = repeated(layer, runs);
  cost.totals = repeated(cost.totals, runs);
  cost.latency_s *= static_cast<double>(runs);  // throughput and power stay
}

// The network at micro-batch `micro`, if it rebatches cleanly: its work must be exactly
// micro / batch of the whole's `macs` (so the leading dimension really was the batch).
std::optional<workload::Network> micro_batched(const workload::Network& net, int64_t macs, int64_t batch,
                                               int64_t micro) {
  try {
    workload::Network part = workload::with_batch(net, micro, net.name);
    if (mul_sat(workload::totals(part).macs, batch) != mul_sat(macs, micro) || part.ops.size() != net.ops.size()) {
      return std::nullopt;
    }
    return part;
  } catch (const std::exception&) {  // a network the batch cannot be changed on: no passes
    return std::nullopt;
  }
}

bool has_recurrence(const workload::Network& net) {
  return std::any_of(net.ops.begin(), net.ops.end(),
                     [](const workload::Op& op) { return op.op_class == workload::OpClass::kRecurrent; });
}

NetworkCost evaluate_schedule(const workload::Network& net, const arch::Accelerator& accel, CostCache* cache);

// A batch may run as micro-batches, one after another, each through the whole network:
// weights are fetched once per micro-batch, but its activations may stay on chip. The
// batch halves while it divides evenly; the fastest schedule wins (ties: the larger
// micro-batch), so throughput never falls as the batch grows. Recurrent networks keep
// their batch (their leading dimension may be the sequence).
std::vector<MicroBatch> build_micro_batches(const workload::Network& net) {
  std::vector<MicroBatch> parts;
  const int64_t batch = batch_of(net);
  if (batch <= 1 || has_recurrence(net)) return parts;
  const int64_t macs = workload::totals(net).macs;
  for (int64_t micro = batch; micro % 2 == 0;) {
    micro /= 2;
    std::optional<workload::Network> part = micro_batched(net, macs, batch, micro);
    if (!part) break;
    parts.push_back({micro, std::move(*part)});
  }
  return parts;
}

NetworkCost best_schedule(const workload::Network& net, const std::vector<MicroBatch>& micro_batches,
                          const arch::Accelerator& accel, CostCache* cache) {
  NetworkCost best = evaluate_schedule(net, accel, cache);
  const int64_t batch = batch_of(net);
  best.micro_batch = batch;
  for (const MicroBatch& part : micro_batches) {
    NetworkCost cost = evaluate_schedule(part.network, accel, cache);
    repeat(cost, batch / part.inferences);
    if (cost.totals.cycles < best.totals.cycles) {
      best = std::move(cost);
      best.micro_batch = part.inferences;
    }
  }
  return best;
}

}  // namespace

NetworkCost evaluate_network(const workload::Network& net, const arch::Accelerator& accel, CostCache* cache) {
  return best_schedule(net, build_micro_batches(net), accel, cache);
}

PreparedNetwork::PreparedNetwork(workload::Network network)
    : whole_(std::move(network)), micro_batches_(build_micro_batches(whole_)) {}

NetworkCost evaluate_network(const PreparedNetwork& net, const arch::Accelerator& accel, CostCache* cache) {
  return best_schedule(net.network(), net.micro_batches(), accel, cache);
}

namespace {

NetworkCost evaluate_schedule(const workload::Network& net, const arch::Accelerator& accel, CostCache* cache) {
  const detail::HwParams hw = detail::make_hw_params(accel);
  NetworkCost result;
  result.area = area(accel);
  result.layers.reserve(net.ops.size());
  std::vector<detail::OpWork> works;
  works.reserve(net.ops.size());
  for (const workload::Op& op : net.ops) {
    works.push_back(detail::describe(net, op));
    result.layers.push_back(detail::evaluate_work_cached(works.back(), hw, cache));
  }
  // Fusion is decided on the all-DRAM costs and kept when residency changes them.
  const std::vector<int> root = fusion_roots(net, result.layers);
  if (accel.buffers.keep_activations_on_chip) {
    const std::vector<Residency> plan = plan_residency(net, works, result.layers, root, hw);
    for (size_t i = 0; i < works.size(); ++i) {
      if (plan[i] == Residency{}) continue;
      works[i].residency = plan[i];
      result.layers[i] = detail::evaluate_work_cached(works[i], hw, cache);
    }
  }
  apply_fusion(root, result.layers);
  const detail::DesignPower power = detail::design_power(accel, result.area);
  result.vdd_v = power.vdd_v;
  for (size_t i = 0; i < result.layers.size(); ++i) {
    OpCost& c = result.layers[i];
    detail::add_time_energy(c, power);
    detail::check_counts(c, net.name, accel.name, net.ops[i].name);
    add_to(result.totals, c);
  }
  detail::check_counts(result.totals, net.name, accel.name, "");
  OpCost& t = result.totals;
  // Only MACs done by the PEs count: a depthwise conv the vector unit runs does its MACs
  // on the lanes, and counting them would put a small array above 100% (mobilenet on 1x1).
  const int64_t array_macs = tensor_unit_macs(result.layers);
  if (t.cycles > 0 && array_macs > 0) {
    t.utilization =
        static_cast<double>(array_macs) / (static_cast<double>(accel.pes()) * static_cast<double>(t.cycles));
  }
  t.bound = dominant_bound(result.layers);
  result.latency_s = static_cast<double>(t.cycles) / (hw.clock_ghz * 1e9);
  if (result.latency_s > 0) {
    result.throughput_per_s = static_cast<double>(batch_of(net)) / result.latency_s;
    result.power_w = t.energy.chip_pj() * 1e-12 / result.latency_s;
    result.dram_power_w = t.energy.dram_side_pj() * 1e-12 / result.latency_s;
  }
  return result;
}

}  // namespace

}  // namespace acceldse::cost
