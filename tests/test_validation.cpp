// The validation part: both models on the same layers, and the verdict on their gap.
#include <gtest/gtest.h>

#include "arch/arch.h"
#include "cost/cost.h"
#include "validation/validation.h"
#include "workload/workload.h"

namespace acceldse::validation {
namespace {

// With stall-free DRAM both models count the same folds: compute cycles agree exactly
// on every layer, for each dataflow (docs/validation.md "Validation").
TEST(Validation, ComputeCyclesAgreeExactlyWithStallFreeMemory) {
  const workload::Network net = workload::load_network("alexnet");
  for (const arch::Dataflow d : {arch::Dataflow::kWs, arch::Dataflow::kOs, arch::Dataflow::kIs}) {
    arch::Accelerator accel = arch::load_accelerator("edge_32x32");
    accel.tensor.dataflow = d;
    accel.dram.stall_free = true;
    cost::CostCache cache;
    const NetworkComparison n = compare_network(net, accel, {.compute_cycles_only = true}, cache);
    EXPECT_EQ(n.dataflow, d);
    EXPECT_EQ(n.layers.size(), 8u);  // 5 conv + 3 fc
    EXPECT_GT(n.cost_total, 0);
    EXPECT_EQ(n.sim_total, n.cost_total);
    EXPECT_TRUE(n.passes(0.0, 0.0));
  }
}

LayerComparison layer(std::string name, int64_t sim, int64_t cost) {
  LayerComparison l;
  l.layer = std::move(name);
  l.sim = sim;
  l.cost = cost;
  return l;
}

TEST(Validation, VerdictOnTotalAndWorstLayer) {
  NetworkComparison n;
  n.layers = {layer("a", 90, 100), layer("b", 230, 200)};
  n.sim_total = 320, n.cost_total = 300;  // +6.7% in total; layers -10% and +15%
  n.sim_dram = 50, n.cost_dram = 40;
  EXPECT_NEAR(n.total_error(), 20.0 / 300.0, 1e-12);
  EXPECT_NEAR(n.dram_error(), 0.25, 1e-12);
  EXPECT_NEAR(n.mean_abs_error(), 0.125, 1e-12);
  ASSERT_NE(n.worst(), nullptr);
  EXPECT_EQ(n.worst()->layer, "b");
  EXPECT_TRUE(n.passes(7.0, -1));     // no layer bound
  EXPECT_FALSE(n.passes(6.0, -1));    // total above 6%
  EXPECT_FALSE(n.passes(7.0, 14.0));  // layer b above 14%
  EXPECT_TRUE(n.passes(7.0, 15.0));
}

}  // namespace
}  // namespace acceldse::validation
