#include "validation/validation.h"

#include <cmath>

#include "sim/sim.h"

namespace acceldse::validation {
namespace {

double relative(int64_t sim, int64_t cost) {
  return cost ? static_cast<double>(sim - cost) / static_cast<double>(cost) : 0.0;
}

sim::Mapping sim_mapping(const Settings& settings, arch::Dataflow dataflow, const cost::Mapping& m) {
  sim::Mapping s;
  s.dataflow = dataflow;
  if (settings.replay_cost_mapping) {
    s.dataflow = m.dataflow;
    // "stream" is SCALE-Sim's untiled fold walk: the simulator's default (no tiles).
    if (!m.loop_order.empty() && m.loop_order != "stream") {
      s.tile_m = m.tile_m;
      s.tile_k = m.tile_k;
      s.tile_n = m.tile_n;
      s.loop_order = m.loop_order;
    }
  }
  return s;
}

LayerComparison compare_layer(const workload::Op& op, const cost::OpCost& c, const sim::LayerResult& s,
                              bool compute_only) {
  LayerComparison l;
  l.layer = op.name;
  l.op = op.type;
  l.mapping = c.mapping.to_string();
  l.sim = compute_only ? s.compute_cycles : s.cycles;
  l.cost = compute_only ? c.compute_cycles : c.cycles;
  l.sim_compute = s.compute_cycles;
  l.cost_compute = c.compute_cycles;
  l.sim_dram = s.dram_bytes();
  l.cost_dram = c.dram_bytes();
  return l;
}

}  // namespace

double LayerComparison::error() const { return relative(sim, cost); }

double NetworkComparison::total_error() const { return relative(sim_total, cost_total); }

double NetworkComparison::dram_error() const { return relative(sim_dram, cost_dram); }

double NetworkComparison::mean_abs_error() const {
  double sum = 0;
  for (const LayerComparison& l : layers) sum += std::abs(l.error());
  return layers.empty() ? 0.0 : sum / static_cast<double>(layers.size());
}

const LayerComparison* NetworkComparison::worst() const {
  const LayerComparison* w = nullptr;
  for (const LayerComparison& l : layers) {
    if (!w || std::abs(l.error()) > std::abs(w->error())) w = &l;
  }
  return w;
}

bool NetworkComparison::passes(double bound_pct, double layer_bound_pct) const {
  if (std::abs(total_error()) * 100 > bound_pct) return false;
  if (layer_bound_pct < 0) return true;
  const LayerComparison* w = worst();
  return !w || std::abs(w->error()) * 100 <= layer_bound_pct;
}

bool compared(const workload::Op& op) {
  return op.op_class == workload::OpClass::kConv || op.op_class == workload::OpClass::kMatmul;
}

NetworkComparison compare_network(const workload::Network& net, const arch::Accelerator& accel,
                                  const Settings& settings, cost::CostCache& cache) {
  NetworkComparison nc;
  nc.dataflow = accel.tensor.dataflow;
  sim::Options options;  // the spec's im2col_fetch, as the analytical model reads it
  for (const workload::Op& op : net.ops) {
    if (!compared(op)) continue;
    const cost::OpCost c = cost::evaluate_op(net, op, accel, &cache);
    if (c.mapping.on_vector_unit) {
      ++nc.skipped;
      continue;
    }
    options.mapping = sim_mapping(settings, accel.tensor.dataflow, c.mapping);
    const LayerComparison l =
        compare_layer(op, c, sim::simulate_op(net, op, accel, options), settings.compute_cycles_only);
    nc.sim_total += l.sim;
    nc.cost_total += l.cost;
    nc.sim_dram += l.sim_dram;
    nc.cost_dram += l.cost_dram;
    nc.layers.push_back(l);
  }
  return nc;
}

}  // namespace acceldse::validation
