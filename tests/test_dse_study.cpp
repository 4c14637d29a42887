// The suite and co-run studies on constructed networks whose answers are known by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "dse/study.h"
#include "test_dse_study_util.h"

namespace acceldse::dse {
namespace {

using namespace study_test;

// ---- Suite: the pure core on a hand-made matrix ------------------------------------------------

// perf[n][d]: network 0 is best on design 0, network 1 on design 1, design 2 is second
// best for both and wins the geometric mean (sqrt 9 > sqrt 8).
const std::vector<std::vector<double>> kPerf{{4, 2, 3}, {1, 4, 3}};
const std::vector<std::vector<char>> kAllFeasible{{1, 1, 1}, {1, 1, 1}};
const std::vector<double> kArea{1, 1, 1};

std::vector<std::vector<double>> cross_of(const SuiteChoice& c) {
  std::vector<std::vector<double>> cross;
  std::vector<size_t> rows = c.optimum;
  rows.push_back(c.geomean);
  for (size_t d : rows) cross.push_back({kPerf[0][d] / 4, kPerf[1][d] / 4});
  return cross;
}

TEST(SuiteChoice, OptimaAndGeomeanByHand) {
  SuiteChoice c = choose_suite_designs(kPerf, kAllFeasible, kArea, {});
  EXPECT_EQ(c.optimum, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(c.geomean, 2u);
  std::vector<double> imp = suite_improvement_pct(cross_of(c), {});
  // Against network 0's optimum: sqrt(0.75/1 * 0.75/0.25) = 1.5; against network 1's:
  // sqrt(0.75/0.5 * 0.75/1) = sqrt(1.125).
  EXPECT_NEAR(imp[0], 50.0, 1e-9);
  EXPECT_NEAR(imp[1], (std::sqrt(1.125) - 1) * 100, 1e-9);
}

TEST(SuiteChoice, ImprovementLeavesOutNetworksAnOptimumCannotRun) {
  // Rows: network 0's optimum (cannot run network 1 within the budget: NaN), network
  // 1's optimum, the selected design.
  const double na = std::numeric_limits<double>::quiet_NaN();
  const std::vector<std::vector<double>> cross{{1, na}, {0.5, 1}, {0.8, 0.9}};
  std::vector<double> imp = suite_improvement_pct(cross, {});
  EXPECT_NEAR(imp[0], (0.8 / 1 - 1) * 100, 1e-9);  // network 0 only: the optimum wins there
  EXPECT_NEAR(imp[1], (std::sqrt(0.8 / 0.5 * 0.9 / 1) - 1) * 100, 1e-9);
  // Weights follow the networks that are kept.
  imp = suite_improvement_pct(cross, std::vector<double>{3, 1});
  EXPECT_NEAR(imp[0], -20.0, 1e-9);
  EXPECT_NEAR(imp[1], (std::pow(std::pow(1.6, 3) * 0.9, 0.25) - 1) * 100, 1e-9);
}

TEST(SuiteChoice, WeightsMoveTheGeomeanDesign) {
  // 10 ln 4 = 13.9 beats 11 ln 3 = 12.1: network 0 dominates the weighted mean.
  std::vector<double> w{10, 1};
  SuiteChoice c = choose_suite_designs(kPerf, kAllFeasible, kArea, w);
  EXPECT_EQ(c.geomean, 0u);
  EXPECT_NEAR(suite_improvement_pct(cross_of(c), w)[0], 0.0, 1e-9);
}

TEST(SuiteChoice, TiesGoToTheSmallerAreaAndInfeasibleDesignsAreSkipped) {
  std::vector<std::vector<double>> perf{{2, 2, 5}};
  std::vector<std::vector<char>> feasible{{1, 1, 0}};
  std::vector<double> area{3, 2, 1};
  SuiteChoice c = choose_suite_designs(perf, feasible, area, {});
  EXPECT_EQ(c.optimum[0], 1u);
  EXPECT_EQ(c.geomean, 1u);
}

TEST(SuiteChoice, NoCommonFeasibleDesignIsAnInputError) {
  std::vector<std::vector<char>> feasible{{1, 0, 0}, {0, 1, 0}};
  EXPECT_THROW(choose_suite_designs(kPerf, feasible, kArea, {}), InputError);
}

TEST(Study, GeometricMeanAndPerformance) {
  std::vector<double> v{1, 4}, w{1, 3};
  EXPECT_NEAR(geometric_mean(v), 2.0, 1e-12);
  EXPECT_NEAR(geometric_mean(v, w), std::pow(4.0, 0.75), 1e-12);
  Metrics m;
  m.latency_s = 0.5;
  m.throughput_per_s = 2;
  EXPECT_NEAR(performance(Objective::parse("latency"), m), 2.0, 1e-12);
  EXPECT_NEAR(performance(Objective::parse("throughput"), m), 2.0, 1e-12);
  EXPECT_THROW(check_scalar_objective(Objective::parse("pareto"), "f", "p"), InputError);
}

TEST(Study, ParseWeights) {
  EXPECT_EQ(parse_weights("1,2.5", 2, "--weights"), (std::vector<double>{1, 2.5}));
  EXPECT_THROW(parse_weights("1,2", 3, "--weights"), InputError);
  EXPECT_THROW(parse_weights("1,-2", 2, "--weights"), InputError);
  EXPECT_THROW(parse_weights("1,x", 2, "--weights"), InputError);
}

// ---- Suite: the real model on tall vs wide GEMMs ------------------------------------------------

SuiteOptions suite_options(std::vector<double> weights, int threads) {
  SuiteOptions o;
  o.weights = std::move(weights);
  o.threads = threads;
  return o;
}

class SuiteOnShapes : public ::testing::Test {
 protected:
  DesignSpace space = shape_space();
  std::vector<NetworkPtr> nets{tall(), wide()};
};

TEST_F(SuiteOnShapes, EachNetworkGetsItsShape) {
  SuiteResult r = run_suite(space, nets, suite_options({}, 2));
  ASSERT_EQ(r.designs.size(), 3u);
  EXPECT_EQ(r.designs[0].label, "tall");
  EXPECT_EQ(r.designs[2].label, "geomean");
  EXPECT_EQ(rows_of(space, r.designs[0].design), 64);
  EXPECT_EQ(cols_of(space, r.designs[0].design), 8);
  EXPECT_EQ(rows_of(space, r.designs[1].design), 8);
  EXPECT_EQ(cols_of(space, r.designs[1].design), 64);
  EXPECT_EQ(r.evaluations, space.size() * 2);
}

TEST_F(SuiteOnShapes, CrossMatrixIsNormalisedAndImprovementRecomputes) {
  SuiteResult r = run_suite(space, nets, suite_options({}, 2));
  std::vector<std::vector<double>> cross;
  for (size_t d = 0; d < r.designs.size(); ++d) {
    cross.push_back(r.designs[d].relative);
    for (size_t n = 0; n < r.networks.size(); ++n) {
      if (d == n) {
        EXPECT_NEAR(r.designs[d].relative[n], 1.0, 1e-12);
      }
      EXPECT_LE(r.designs[d].relative[n], 1.0 + 1e-12);
      EXPECT_GT(r.designs[d].relative[n], 0.0);
    }
  }
  // improvement_pct[n] = (geomean_m cross[G][m] / cross[n][m] - 1) * 100, by hand.
  for (size_t n = 0; n < r.networks.size(); ++n) {
    double log_sum = 0;
    for (size_t m = 0; m < r.networks.size(); ++m) log_sum += std::log(cross[2][m] / cross[n][m]);
    EXPECT_NEAR(r.improvement_pct[n], (std::exp(log_sum / 2) - 1) * 100, 1e-9);
    EXPECT_GE(r.improvement_pct[n], -1e-9);  // the geomean design is never worse on average
  }
}

TEST_F(SuiteOnShapes, GeomeanDesignIsTheBestOverTheWholeSpace) {
  SuiteResult r = run_suite(space, nets, suite_options({}, 1));
  double best = 0;
  for (uint64_t d = 0; d < space.size(); ++d) {
    arch::Accelerator a = space.accelerator(space.design_at(d));
    if (a.pes() > 512) continue;
    std::vector<double> rel;
    for (size_t n = 0; n < nets.size(); ++n) {
      rel.push_back(cost::evaluate_network(*nets[n], a).throughput_per_s / r.best_perf[n]);
    }
    best = std::max(best, geometric_mean(rel));
  }
  EXPECT_NEAR(r.geomean_relative, best, 1e-12);
}

TEST_F(SuiteOnShapes, HeavyWeightSelectsThatNetworksOptimum) {
  SuiteResult r = run_suite(space, nets, suite_options({1, 1000}, 2));
  EXPECT_EQ(r.selected().design, r.designs[1].design);
  EXPECT_NEAR(r.improvement_pct[1], 0.0, 0.1);
}

TEST_F(SuiteOnShapes, BadInputIsAnInputError) {
  EXPECT_THROW(run_suite(space, nets, suite_options({1, 2, 3}, 1)), InputError);
  EXPECT_THROW(run_suite(space, {tall(), tall()}, SuiteOptions{}), InputError);
  EXPECT_THROW(run_suite(space, {shared(gemm_network("geomean", 8, 8, 8))}, SuiteOptions{}), InputError);
  DesignSpace pareto = space;
  pareto.set_objective(Objective::parse("pareto"));
  EXPECT_THROW(run_suite(pareto, nets, SuiteOptions{}), InputError);
  DesignSpace impossible = space;
  impossible.add_constraint("area_mm2 <= 0.0001");
  EXPECT_THROW(run_suite(impossible, nets, SuiteOptions{}), InputError);
}

// ---- Co-running --------------------------------------------------------------------------------

const char* kCorunSpace = R"yaml(
name: corun-test
base: edge_32x32
parameters:
  rows: [16, 32]
  cols: [16, 32]
objective: throughput
)yaml";

NetworkPtr renamed(NetworkPtr net, const std::string& name) {
  workload::Network copy = *net;
  copy.name = name;
  return shared(std::move(copy));
}

TEST(Corun, ParseDemand) {
  EXPECT_DOUBLE_EQ(parse_demand("2", "m").weight, 2);
  EXPECT_DOUBLE_EQ(parse_demand("30/s", "m").target_per_s, 30);
  EXPECT_DOUBLE_EQ(parse_demand("12.5fps", "m").target_per_s, 12.5);
  for (const char* bad : {"", "0", "-1", "x", "30/h", "fps"}) EXPECT_THROW(parse_demand(bad, "m"), InputError) << bad;
  EXPECT_THROW(parse_corun_mode("sometimes"), InputError);
}

TEST(Corun, PartitionSplitsEveryResource) {
  arch::Accelerator chip = arch::load_accelerator("edge_32x32");
  EXPECT_EQ(partition_units(chip, 8), 8);
  std::optional<arch::Accelerator> part = partition(chip, 2, 8);
  ASSERT_TRUE(part);
  EXPECT_EQ(part->tensor.rows, 32);
  EXPECT_EQ(part->tensor.cols, 8);
  EXPECT_EQ(part->buffers.input_kib, 16);
  EXPECT_EQ(part->buffers.weight_kib, 16);
  EXPECT_DOUBLE_EQ(part->dram.bandwidth_gb_per_s, 6.4);
  EXPECT_EQ(part->vector.lanes, 8);
  EXPECT_FALSE(partition(chip, 9, 8));
  arch::Accelerator multi = chip;
  multi.tensor.arrays = 4;  // several arrays: whole arrays are shared out, not columns
  EXPECT_EQ(partition_units(multi, 8), 4);
  std::optional<arch::Accelerator> one = partition(multi, 1, 4);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->tensor.arrays, 1);
  EXPECT_EQ(one->tensor.cols, 32);
  chip.tensor.cols = 12;
  EXPECT_EQ(partition_units(chip, 8), 6);  // the largest divisor of 12 up to 8
}

class CorunTwins : public ::testing::Test {
 protected:
  DesignSpace space = DesignSpace::from_yaml_text(kCorunSpace, "<corun space>");
  std::vector<NetworkPtr> nets{renamed(wide(), "a"), renamed(wide(), "b")};
  std::vector<Demand> equal{Demand{1, 0}, Demand{1, 0}};
};

TEST_F(CorunTwins, IdenticalNetworksGetEqualSharesSpatially) {
  CorunResult r = run_corun(space, nets, equal, CorunOptions{CorunMode::kSpatial, 2, 8, {}});
  ASSERT_EQ(r.best.mode, CorunMode::kSpatial);
  const CorunNetwork &a = r.best.networks[0], &b = r.best.networks[1];
  EXPECT_EQ(a.share.pes, b.share.pes);
  EXPECT_DOUBLE_EQ(a.share.buffer_kib, b.share.buffer_kib);
  EXPECT_DOUBLE_EQ(a.share.dram_gb_per_s, b.share.dram_gb_per_s);
  EXPECT_DOUBLE_EQ(a.throughput_per_s, b.throughput_per_s);
  arch::Accelerator chip = space.accelerator(r.best.design);
  EXPECT_EQ(a.share.pes + b.share.pes, chip.pes());
}

TEST_F(CorunTwins, IdenticalNetworksGetEqualTime) {
  CorunResult r = run_corun(space, nets, equal, CorunOptions{CorunMode::kTime, 2, 8, {}});
  ASSERT_EQ(r.best.mode, CorunMode::kTime);
  EXPECT_NEAR(r.best.networks[0].share.time, 0.5, 1e-12);
  EXPECT_NEAR(r.best.networks[1].share.time, 0.5, 1e-12);
  EXPECT_FALSE(r.best_spatial);  // time mode alone never partitions
}

TEST(Corun, TimeSharesFollowWeightsAndFillTheChip) {
  DesignSpace space = DesignSpace::from_yaml_text(kCorunSpace, "<corun space>");
  std::vector<NetworkPtr> nets{tall(), wide()};
  CorunResult r = run_corun(space, nets, {Demand{1, 0}, Demand{3, 0}}, CorunOptions{CorunMode::kTime, 2, 8, {}});
  const CorunPlan& p = r.best;
  EXPECT_NEAR(p.networks[1].throughput_per_s / p.networks[0].throughput_per_s, 3.0, 1e-9);
  EXPECT_NEAR(p.networks[0].share.time + p.networks[1].share.time, 1.0, 1e-12);
  for (const CorunNetwork& n : p.networks) {
    EXPECT_NEAR(n.share.time, n.throughput_per_s * n.latency_s, 1e-12);  // time = rate x time per inference
  }
}

TEST(Corun, BothModesPickTheBetterAndReportBoth) {
  DesignSpace space = DesignSpace::from_yaml_text(kCorunSpace, "<corun space>");
  std::vector<NetworkPtr> nets{tall(), wide()};
  CorunResult r = run_corun(space, nets, {Demand{1, 0}, Demand{1, 0}}, CorunOptions{CorunMode::kBoth, 2, 8, {}});
  ASSERT_TRUE(r.best_spatial);
  ASSERT_TRUE(r.best_time);
  EXPECT_DOUBLE_EQ(r.best.mix_rate_per_s, std::max(r.best_spatial->mix_rate_per_s, r.best_time->mix_rate_per_s));
}

TEST(Corun, TargetsAreMetAtLeastArea) {
  DesignSpace space = DesignSpace::from_yaml_text(kCorunSpace, "<corun space>");
  std::vector<NetworkPtr> nets{tall(), wide()};
  // A tenth of what each reaches alone on the smallest chip: every design meets them.
  arch::Accelerator smallest = space.accelerator(space.design_at(0));
  double t0 = cost::evaluate_network(*nets[0], smallest).throughput_per_s / 10;
  double t1 = cost::evaluate_network(*nets[1], smallest).throughput_per_s / 10;
  CorunResult r = run_corun(space, nets, {Demand{0, t0}, Demand{0, t1}}, CorunOptions{CorunMode::kBoth, 2, 8, {}});
  for (const CorunNetwork& n : r.best.networks) EXPECT_TRUE(n.meets_target());
  double least = std::numeric_limits<double>::infinity();
  for (uint64_t d = 0; d < space.size(); ++d)
    least = std::min(least, cost::area(space.accelerator(space.design_at(d))).total_mm2());
  EXPECT_DOUBLE_EQ(r.best.area_mm2, least);
  EXPECT_GE(r.best.headroom, 1.0);
}

TEST(Corun, UnreachableTargetIsAnInputError) {
  DesignSpace space = DesignSpace::from_yaml_text(kCorunSpace, "<corun space>");
  try {
    run_corun(space, {tall(), wide()}, {Demand{0, 1e12}, Demand{1, 0}}, CorunOptions{CorunMode::kBoth, 2, 8, {}});
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("tall"), std::string::npos) << e.what();
  }
  EXPECT_THROW(run_corun(space, {tall(), tall()}, {Demand{1, 0}, Demand{1, 0}}, CorunOptions{}), InputError);
}

// ---- Array shape for networks as they are ---------------------------------------------------------

TEST(SuggestArray, ExactShapesSortedByGeomeanLatency) {
  arch::Accelerator base = arch::load_accelerator("edge_32x32");
  std::vector<ArrayCandidate> found = suggest_array({tall(), wide()}, base, 512, true, 2);
  ASSERT_FALSE(found.empty());
  for (size_t i = 0; i < found.size(); ++i) {
    EXPECT_EQ(found[i].rows * found[i].cols, 512);
    if (i > 0) {
      EXPECT_LE(found[i - 1].geomean_latency_s, found[i].geomean_latency_s);
    }
  }
  // The tall GEMM alone wants rows, the wide one columns.
  EXPECT_GT(suggest_array({tall()}, base, 512, true, 2).front().rows, 8);
  EXPECT_GT(suggest_array({wide()}, base, 512, true, 2).front().cols, 8);
  EXPECT_THROW(suggest_array({tall()}, base, 8, true, 1), InputError);
}

TEST(SuggestArray, AtMostIncludesSmallerShapes) {
  arch::Accelerator base = arch::load_accelerator("edge_32x32");
  for (const ArrayCandidate& c : suggest_array({tall()}, base, 256, false, 2)) {
    EXPECT_LE(c.rows * c.cols, 256);
    EXPECT_GE(c.rows * c.cols, 128);
  }
}

}  // namespace
}  // namespace acceldse::dse
