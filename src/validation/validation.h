#pragma once
// The analytical model against the reference simulator: both run the conv and matmul
// layers of a network on one design, and their cycles and DRAM bytes are compared
// layer by layer (`acceldse validate`; docs/validation.md, "Validation").
#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "cost/cost.h"
#include "workload/workload.h"

namespace acceldse::validation {

struct Settings {
  // Stall-free DRAM is set on the design by the caller; this compares compute cycles.
  bool compute_cycles_only = false;
  // The simulator replays the analytical model's tiles and loop order (else it runs
  // SCALE-Sim's untiled folds with the design's dataflow).
  bool replay_cost_mapping = true;
};

struct LayerComparison {
  std::string layer, op, mapping;  // mapping: the analytical model's, as text
  int64_t sim = 0, cost = 0;       // the compared cycles
  int64_t sim_compute = 0, cost_compute = 0, sim_dram = 0, cost_dram = 0;
  double error() const;  // (sim - cost) / cost
};

struct NetworkComparison {
  std::string model, arch;  // labels of the grid point
  arch::Dataflow dataflow = arch::Dataflow::kWs;
  std::vector<LayerComparison> layers;
  int skipped = 0;  // layers the analytical model puts on the vector unit
  int64_t sim_total = 0, cost_total = 0, sim_dram = 0, cost_dram = 0;
  double total_error() const;
  double dram_error() const;
  double mean_abs_error() const;
  const LayerComparison* worst() const;  // largest |error|; null without layers
  // |total error| within bound_pct and, unless layer_bound_pct < 0, every layer's too.
  bool passes(double bound_pct, double layer_bound_pct) const;
};

// Layers both models put on the tensor unit: convolutions and matrix products.
bool compared(const workload::Op& op);

// Runs both models on every compared layer of `net` on `accel` as given.
NetworkComparison compare_network(const workload::Network& net, const arch::Accelerator& accel,
                                  const Settings& settings, cost::CostCache& cache);

}  // namespace acceldse::validation
