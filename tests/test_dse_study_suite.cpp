// The paper's suite study on constructed suites whose answers are known by hand:
// performance density picks a different array shape per network, constraints report
// whether they bound anything, ties follow one order, the search says whether its
// optima are proven, and technology uncertainty is seeded and deterministic.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "dse/study.h"
#include "test_dse_study_util.h"

namespace acceldse::dse {
namespace {

using namespace study_test;

// rows x cols of 8 or 64, nothing else, no constraint: under performance density the
// tall GEMM (2048 x 256 x 8) fills 64 rows and 8 columns, the wide one (8 x 8 x 2048) 8
// rows and 64 columns, and the 64 x 64 array pays for PEs neither uses.
const char* kDensitySpace = R"yaml(
name: density-test
base: edge_32x32
parameters:
  rows: [8, 64]
  cols: [8, 64]
objective: perf_per_area
)yaml";

DesignSpace density_space() { return DesignSpace::from_yaml_text(kDensitySpace, "<density space>"); }

SuiteOptions two_threads() {
  SuiteOptions o;
  o.threads = 2;
  return o;
}

TEST(SuiteDensity, TwoNetworksGetDifferentArrayShapes) {
  DesignSpace space = density_space();
  SuiteResult r = run_suite(space, {tall(), wide()}, two_threads());
  EXPECT_EQ(rows_of(space, r.designs[0].design), 64);
  EXPECT_EQ(cols_of(space, r.designs[0].design), 8);
  EXPECT_EQ(rows_of(space, r.designs[1].design), 8);
  EXPECT_EQ(cols_of(space, r.designs[1].design), 64);
  EXPECT_EQ(r.objective, "perf_per_area");
  // The suite design is one of the two; the other network then loses, so the one whose
  // optimum was not selected sees a positive improvement.
  EXPECT_TRUE(r.selected().design == r.designs[0].design || r.selected().design == r.designs[1].design);
  EXPECT_GT(std::max(r.improvement_pct[0], r.improvement_pct[1]), 0.0);
}

TEST(SuiteDensity, SmallSpacesAreSearchedExhaustivelyAndSaySo) {
  DesignSpace space = density_space();
  SuiteResult r = run_suite(space, {tall(), wide()}, two_threads());
  EXPECT_EQ(r.strategy, "grid");
  EXPECT_TRUE(r.proven);
  EXPECT_EQ(r.designs_evaluated, 4u);
  EXPECT_EQ(r.evaluations, 8u);
}

TEST(SuiteDensity, GeneticSearchSaysItsOptimaAreFound) {
  const char* text = R"yaml(
name: genetic-test
base: edge_32x32
parameters:
  rows: [8, 16, 32, 64]
  cols: [8, 16, 32, 64]
  dataflow: [ws, os, is]
  weight_kib: [64, 256]
objective: perf_per_area
)yaml";
  DesignSpace space = DesignSpace::from_yaml_text(text, "<genetic space>");
  SuiteResult grid = run_suite(space, {tall(), wide()}, two_threads());
  SuiteOptions o = two_threads();
  o.strategy = "genetic";
  o.budget = 40;
  SuiteResult found = run_suite(space, {tall(), wide()}, o);
  EXPECT_EQ(found.strategy, "genetic");
  EXPECT_FALSE(found.proven);
  EXPECT_LT(found.designs_evaluated, space.size());
  // The heuristic cannot beat the proven optimum, and gets close to it.
  for (size_t n = 0; n < 2; ++n) {
    EXPECT_LE(found.best_perf[n], grid.best_perf[n] * (1 + 1e-12));
    EXPECT_GE(found.best_perf[n], grid.best_perf[n] * 0.9) << n;
  }
  // The same seed gives the same answer.
  SuiteResult again = run_suite(space, {tall(), wide()}, o);
  EXPECT_EQ(again.selected().design, found.selected().design);
  o.strategy = "exhaustive";
  EXPECT_THROW(run_suite(space, {tall(), wide()}, o), InputError);
}

// ---- What bound the study ---------------------------------------------------------------------

double largest_area(const DesignSpace& space, const std::vector<NetworkPtr>& nets) {
  SuiteResult r = run_suite(space, nets, two_threads());
  double area = 0;
  for (const SuiteDesign& d : r.designs) area = std::max(area, d.metrics.front().area_mm2);
  // Every design's area: the 64 x 64 array is the biggest of the space.
  arch::Accelerator a = space.accelerator(space.design_at(space.size() - 1));
  return std::max(area, cost::evaluate_network(*nets[0], a).area.total_mm2());
}

TEST(SuiteBinding, AnAreaBudgetAboveTheBiggestDesignNeverBinds) {
  DesignSpace space = density_space();
  std::vector<NetworkPtr> nets{tall(), wide()};
  double biggest = largest_area(space, nets);
  space.add_constraint("area_mm2 <= " + std::to_string(biggest * 1.2));
  SuiteResult r = run_suite(space, nets, two_threads());
  ASSERT_EQ(r.constraints.size(), 1u);
  EXPECT_EQ(r.constraints[0].pairs_removed, 0u);
  EXPECT_EQ(r.constraints[0].designs_removed, 0u);
  EXPECT_TRUE(r.constraints[0].binds.empty());
  EXPECT_EQ(r.constraints[0].verdict().rfind("never binds", 0), 0u) << r.constraints[0].verdict();
}

TEST(SuiteBinding, RemovingOnlyLosingDesignsBindsNoOptimum) {
  DesignSpace space = density_space();
  space.add_constraint("pes <= 512");  // removes 64 x 64 only, which no network wants
  SuiteResult r = run_suite(space, {tall(), wide()}, two_threads());
  ASSERT_EQ(r.constraints.size(), 1u);
  EXPECT_EQ(r.constraints[0].designs_removed, 1u);
  EXPECT_EQ(r.constraints[0].pairs_removed, 2u);
  EXPECT_TRUE(r.constraints[0].binds.empty());
  EXPECT_EQ(r.constraints[0].verdict(), "removes designs but binds no optimum");
}

TEST(SuiteBinding, APeBudgetBelowBothShapesBindsBothOptima) {
  DesignSpace space = density_space();
  space.add_constraint("area_mm2 <= 1000");  // never binds
  space.add_constraint("pes <= 64");         // leaves 8 x 8 only
  SuiteResult r = run_suite(space, {tall(), wide()}, two_threads());
  ASSERT_EQ(r.constraints.size(), 2u);
  EXPECT_TRUE(r.constraints[0].binds.empty());
  EXPECT_EQ(r.constraints[1].designs_removed, 3u);
  // Without it, each network would take its own shape, so it binds both optima; the
  // suite design moves too (it would be one of those shapes).
  EXPECT_EQ(r.constraints[1].binds, (std::vector<std::string>{"tall", "wide", "geomean"}));
  EXPECT_EQ(rows_of(space, r.selected().design), 8);
  EXPECT_EQ(cols_of(space, r.selected().design), 8);
}

// ---- One tie-break order ------------------------------------------------------------------------

TEST(Ranking, ObjectiveThenAreaThenEnergyThenDesign) {
  EXPECT_LT(compare_rank({1, 9, 9}, {2, 1, 1}), 0);  // the objective first
  EXPECT_LT(compare_rank({1, 1, 9}, {1, 2, 1}), 0);  // then the smaller area
  EXPECT_LT(compare_rank({1, 1, 1}, {1, 1, 2}), 0);  // then the lower energy
  EXPECT_EQ(compare_rank({1, 1, 1}, {1, 1, 1}), 0);
  Evaluation a, b;
  a.design.index = {1};
  b.design.index = {0};
  a.score = b.score = 5;
  a.metrics.area_mm2 = 1;
  b.metrics.area_mm2 = 2;
  EXPECT_TRUE(better(a, b));  // explore: smaller area wins a tied objective
  b.metrics.area_mm2 = 1;
  a.metrics.energy_pj = 10;
  b.metrics.energy_pj = 20;
  EXPECT_TRUE(better(a, b));  // then lower energy
  b.metrics.energy_pj = 10;
  EXPECT_TRUE(better(b, a));  // then the design's order
}

TEST(Ranking, SuiteTiesGoToAreaThenEnergyThenDesignNumber) {
  const std::vector<std::vector<double>> perf{{2, 2, 2, 2}};
  const std::vector<std::vector<char>> feasible{{1, 1, 1, 1}};
  const std::vector<double> area{2, 1, 1, 1};
  const std::vector<std::vector<double>> energy{{1, 5, 3, 3}};
  SuiteChoice c = choose_suite_designs(perf, feasible, area, {}, energy);
  EXPECT_EQ(c.optimum[0], 2u);  // design 0 is larger; 1 uses more energy; 2 before 3
  EXPECT_EQ(c.geomean, 2u);
}

// Designs that differ only in technology node (same cycles, different area) and in DRAM
// energy (same cycles and area, different energy): explore, suite and corun all pick
// 16 nm (smaller area) with the cheaper DRAM (lower energy), though the design order
// would pick 45 nm and the dearer DRAM first.
TEST(Ranking, ExploreSuiteAndCorunBreakTiesAlike) {
  const char* text = R"yaml(
name: ties
base: edge_32x32
parameters:
  technology: [45nm, 16nm]
  tech.dram.device_energy_pj_per_bit: [25, 12.5]
objective: throughput
)yaml";
  DesignSpace space = DesignSpace::from_yaml_text(text, "<ties>");
  auto expect_cheapest = [&](const Design& d, const char* who) {
    EXPECT_EQ(space.value(d, 0), "16nm") << who;
    EXPECT_EQ(space.value(d, 1), "12.5") << who;
  };
  auto cache = std::make_shared<cost::CostCache>();
  EvaluatorOptions eo;
  eo.threads = 2;
  Evaluator evaluator(space, network_metrics(tall(), cache), eo);
  ExploreOptions xo;
  xo.sensitivity = false;
  ExploreResult x = explore(evaluator, xo);
  ASSERT_TRUE(x.best);
  expect_cheapest(x.best->design, "explore");
  SuiteResult r = run_suite(space, {tall(), wide()}, two_threads());
  expect_cheapest(r.designs[0].design, "suite optimum");
  expect_cheapest(r.selected().design, "suite selection");
  CorunOptions co;
  co.mode = CorunMode::kTime;
  co.threads = 2;
  CorunResult c = run_corun(space, {tall(), wide()}, {Demand{1, 0}, Demand{1, 0}}, co);
  expect_cheapest(c.best.design, "corun");
}

// ---- Technology uncertainty ----------------------------------------------------------------------

TEST(Uncertainty, FactorsAreSeededBoundedAndPerConstant) {
  TechnologyPerturbation p{20, 7};
  EXPECT_EQ(p.factor("sram_area_mm2_per_kib"), TechnologyPerturbation({20, 7}).factor("sram_area_mm2_per_kib"));
  EXPECT_NE(p.factor("sram_area_mm2_per_kib"), p.factor("mac_area_um2.int8"));
  EXPECT_NE(p.factor("sram_area_mm2_per_kib"), TechnologyPerturbation({20, 8}).factor("sram_area_mm2_per_kib"));
  arch::Accelerator a = arch::load_accelerator("edge_32x32");
  std::map<std::string, double> o = p.overrides(a);
  ASSERT_FALSE(o.empty());
  EXPECT_TRUE(o.contains("mac_energy_pj.int8"));
  EXPECT_TRUE(o.contains("dram.device_energy_pj_per_bit"));  // the spec's memory type (LPDDR4)
  EXPECT_TRUE(o.contains("clock_energy_pj_per_mm2_cycle"));
  EXPECT_FALSE(o.contains("node_nm"));        // the node's name, not an uncertain constant
  EXPECT_FALSE(o.contains("vdd_nominal_v"));  // voltages keep their order
  EXPECT_FALSE(o.contains("dram.channel_gb_per_s"));
  for (const auto& [key, value] : o) {
    double f = p.factor(key);
    EXPECT_GE(f, 0.8) << key;
    EXPECT_LE(f, 1.2) << key;
  }
  EXPECT_TRUE((TechnologyPerturbation{0, 7}.overrides(a).empty()));
  arch::Accelerator perturbed = a;
  p.apply(perturbed);
  EXPECT_NEAR(perturbed.technology.sram_area_mm2_per_kib,
              a.technology.sram_area_mm2_per_kib * p.factor("sram_area_mm2_per_kib"), 1e-15);
}

class SuiteUncertaintyTest : public ::testing::Test {
 protected:
  DesignSpace space = density_space();
  std::vector<NetworkPtr> nets{tall(), wide()};
  SuiteOptions options = two_threads();
  SuiteResult nominal = run_suite(space, nets, options);
};

TEST_F(SuiteUncertaintyTest, ZeroPercentKeepsEveryAnswer) {
  SuiteUncertainty u = suite_uncertainty(space, nets, options, nominal, UncertaintyOptions{0, 3, 1});
  ASSERT_EQ(u.optimum_same.size(), 2u);
  for (size_t n = 0; n < 2; ++n) {
    EXPECT_EQ(u.optimum_same[n], 1.0);
    EXPECT_EQ(u.improvement_pct[n].min, nominal.improvement_pct[n]);
    EXPECT_EQ(u.improvement_pct[n].max, nominal.improvement_pct[n]);
  }
  EXPECT_EQ(u.selected_same, 1.0);
}

TEST_F(SuiteUncertaintyTest, TheSameSeedGivesTheSameSpread) {
  UncertaintyOptions o{20, 4, 11};
  SuiteUncertainty a = suite_uncertainty(space, nets, options, nominal, o);
  SuiteUncertainty b = suite_uncertainty(space, nets, options, nominal, o);
  for (size_t n = 0; n < 2; ++n) {
    EXPECT_EQ(a.optimum_same[n], b.optimum_same[n]);
    EXPECT_EQ(a.improvement_pct[n].min, b.improvement_pct[n].min);
    EXPECT_EQ(a.improvement_pct[n].median, b.improvement_pct[n].median);
    EXPECT_EQ(a.improvement_pct[n].max, b.improvement_pct[n].max);
    EXPECT_LE(a.improvement_pct[n].min, a.improvement_pct[n].median);
    EXPECT_LE(a.improvement_pct[n].median, a.improvement_pct[n].max);
  }
  EXPECT_EQ(a.selected_same, b.selected_same);
  // A perturbation moves area and energy, so the spread is not a single point.
  EXPECT_LT(a.geomean_relative.min, a.geomean_relative.max + 1e-12);
}

TEST_F(SuiteUncertaintyTest, BadOptionsAreInputErrors) {
  EXPECT_THROW(suite_uncertainty(space, nets, options, nominal, UncertaintyOptions{-1, 3, 1}), InputError);
  EXPECT_THROW(suite_uncertainty(space, nets, options, nominal, UncertaintyOptions{100, 3, 1}), InputError);
  EXPECT_THROW(suite_uncertainty(space, nets, options, nominal, UncertaintyOptions{10, 0, 1}), InputError);
}

// A budget the nominal designs just meet: samples that make every design bigger leave
// no answer, and are counted as changed rather than failing the study.
TEST_F(SuiteUncertaintyTest, SamplesWithoutAFeasibleDesignAreCounted) {
  double smallest = std::numeric_limits<double>::infinity();
  for (uint64_t d = 0; d < space.size(); ++d) {
    arch::Accelerator a = space.accelerator(space.design_at(d));
    smallest = std::min(smallest, cost::evaluate_network(*nets[0], a).area.total_mm2());
  }
  DesignSpace tight = space;
  tight.add_constraint("area_mm2 <= " + std::to_string(smallest * 1.0001));
  SuiteResult base = run_suite(tight, nets, options);
  SuiteUncertainty u = suite_uncertainty(tight, nets, options, base, UncertaintyOptions{20, 6, 3});
  EXPECT_GT(u.samples_without_answer, 0);
  EXPECT_LT(u.samples_without_answer, 6);
  EXPECT_LE(u.selected_same, 1.0 - u.samples_without_answer / 6.0 + 1e-12);
}

TEST(Uncertainty, SpreadOfValues) {
  Spread s = Spread::of({3, 1, std::numeric_limits<double>::quiet_NaN(), 2, 10});
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.median, 2.5);
  EXPECT_EQ(s.max, 10);
  EXPECT_TRUE(std::isnan(Spread::of({}).median));
}

// ---- A fixed node --------------------------------------------------------------------------------

TEST(SuiteTechnology, WithTechnologyDropsTheParameterAndSetsTheBase) {
  const char* text = R"yaml(
name: nodes
base: edge_32x32
parameters:
  technology: [45nm, 16nm]
  rows: [8, 64]
constraints:
  - pes <= 4096
objective: throughput
)yaml";
  DesignSpace space = DesignSpace::from_yaml_text(text, "<nodes>");
  DesignSpace fixed = with_technology(space, "16nm");
  ASSERT_EQ(fixed.parameters().size(), 1u);
  EXPECT_EQ(fixed.parameters()[0].name, "rows");
  EXPECT_EQ(fixed.base().technology_name, "16nm");
  ASSERT_EQ(fixed.constraints().size(), 1u);
  EXPECT_EQ(fixed.objective().name(), "throughput");
  EXPECT_THROW(with_technology(space, "3nm"), InputError);
}

}  // namespace
}  // namespace acceldse::dse
