#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "common/error.h"
#include "dse/dse.h"
#include "test_dse_util.h"

namespace acceldse::dse {
namespace {

using test::Bench;
using test::kSearchSpace;
using test::space_from;

std::vector<std::string> keys(const DesignSpace& space, const std::vector<Evaluation>& evaluations) {
  std::vector<std::string> out;
  for (const Evaluation& e : evaluations) out.push_back(space.key(e.design));
  return out;
}

void expect_no_dominated_point(const std::vector<Evaluation>& front) {
  for (const Evaluation& a : front) {
    EXPECT_TRUE(a.feasible());
    for (const Evaluation& b : front) {
      EXPECT_FALSE(dominates(pareto_vector(b.metrics), pareto_vector(a.metrics)));
    }
  }
}

// One front for the search, the store's --pareto and the report (common/pareto.h):
// dominated points go, equal points all stay, the front comes sorted by objectives.
TEST(ParetoFrontOf, KeepsTiesDropsDominatedSortsByObjectives) {
  using V = std::array<double, 3>;
  const std::vector<std::pair<char, V>> items = {{'a', {2, 2, 3}}, {'b', {1, 2, 3}},   {'c', {2, 1, 3}},
                                                 {'d', {1, 2, 3}}, {'e', {0.5, 5, 5}}, {'f', {1, 2, 4}}};
  const auto front = pareto_front(items, [](const std::pair<char, V>& i) { return i.second; });
  std::string names;
  for (const auto& i : front) names += i.first;
  EXPECT_EQ(names, "ebdc");  // a is beaten by b (and d), f by b in energy; b and d tie
  EXPECT_FALSE(dominates(V{1, 2, 3}, V{1, 2, 3}));
  EXPECT_TRUE(dominates(V{1, 2, 3}, V{1, 2, 4}));
}

class DseHeuristics : public ::testing::TestWithParam<std::string> {};
class DseGuidedHeuristics : public ::testing::TestWithParam<std::string> {};

// The guided heuristics must land within 2% of the exhaustive optimum using a tenth of the
// evaluations, for every seed tried (a lucky seed proves nothing).
TEST_P(DseGuidedHeuristics, ReachGridOptimumWithATenthOfTheEvaluations) {
  for (const char* objective : {"latency", "edp", "perf_per_area"}) {
    DesignSpace space = space_from(kSearchSpace);
    space.set_objective(Objective::parse(objective));
    Bench bench(std::move(space), "alexnet");
    ExploreResult grid = bench.run("grid");
    ASSERT_TRUE(grid.best.has_value());
    EXPECT_EQ(grid.search_evaluated, bench.space.size());
    uint64_t budget = bench.space.size() / 10;
    for (uint64_t seed : {1, 2, 3, 4, 5}) {
      ExploreResult r = bench.run(GetParam(), budget, seed);
      ASSERT_TRUE(r.best.has_value()) << "seed " << seed;
      EXPECT_LE(r.search_evaluated, budget);
      double gap = r.best->score / grid.best->score - 1;
      EXPECT_LE(gap, 0.02) << GetParam() << " " << objective << " seed " << seed << ": "
                           << bench.space.key(r.best->design) << " vs optimum " << bench.space.key(grid.best->design);
    }
  }
}

// The same seed gives the same answer whatever the thread count.
TEST_P(DseHeuristics, DeterministicAcrossThreadCounts) {
  Bench one(space_from(kSearchSpace), "alexnet", 1);
  Bench four(space_from(kSearchSpace), "alexnet", 4);
  ExploreResult a = one.run(GetParam(), 600, 7, true);
  ExploreResult b = four.run(GetParam(), 600, 7, true);
  ASSERT_TRUE(a.best && b.best);
  EXPECT_EQ(one.space.key(a.best->design), four.space.key(b.best->design));
  EXPECT_EQ(a.best->score, b.best->score);
  EXPECT_EQ(a.evaluated, b.evaluated);
  EXPECT_EQ(keys(one.space, a.pareto), keys(four.space, b.pareto));
  ExploreResult c = one.run(GetParam(), 600, 8);
  EXPECT_EQ(c.search_evaluated, 600u);
}

// Whatever the strategy and objective, the reported front holds no dominated design.
TEST_P(DseHeuristics, ParetoFrontHasNoDominatedPoint) {
  DesignSpace space = space_from(kSearchSpace);
  space.set_objective(Objective::parse("pareto"));
  Bench bench(std::move(space), "alexnet");
  for (uint64_t seed : {1, 2}) {
    ExploreResult r = bench.run(GetParam(), 500, seed);
    EXPECT_FALSE(r.pareto.empty());
    expect_no_dominated_point(r.pareto);
  }
}

INSTANTIATE_TEST_SUITE_P(Strategies, DseHeuristics, ::testing::Values("random", "anneal", "genetic"));
INSTANTIATE_TEST_SUITE_P(Strategies, DseGuidedHeuristics, ::testing::Values("anneal", "genetic"));

TEST(DseSearch, GridFrontIsExactlyTheNonDominatedFeasibleSet) {
  Bench bench(space_from(R"(
base: edge_32x32
parameters:
  rows: [8, 16, 32, 64]
  cols: [8, 16, 32, 64]
  weight_kib: [32, 128]
  clock_ghz: [0.5, 1]
constraints: [power_w <= 2]
)"),
              "alexnet");
  ExploreResult r = bench.run("grid");
  expect_no_dominated_point(r.pareto);
  std::vector<Design> all;
  for (uint64_t i = 0; i < bench.space.size(); ++i) all.push_back(bench.space.design_at(i));
  std::vector<Evaluation> evaluations = bench.evaluator->evaluate(all);
  size_t expected = 0;
  for (const Evaluation& e : evaluations) {
    if (!e.feasible()) continue;
    bool dominated = std::any_of(evaluations.begin(), evaluations.end(), [&](const Evaluation& o) {
      return o.feasible() && dominates(pareto_vector(o.metrics), pareto_vector(e.metrics));
    });
    expected += dominated ? 0 : 1;
  }
  EXPECT_EQ(r.pareto.size(), expected);
}

TEST(DseSearch, InfeasibleSpaceNamesTheConstraintThatRemovedTheLastDesigns) {
  Bench bench(space_from(R"(
base: edge_32x32
parameters: {rows: [8, 16, 32], cols: [8, 16, 32]}
constraints:
  - pes <= 512
  - area_mm2 <= 0.000001
  - power_w <= 100
)"),
              "alexnet");
  ExploreResult r = bench.run("grid");
  EXPECT_FALSE(r.best.has_value());
  std::string reason = r.infeasible_reason();
  EXPECT_NE(reason.find("area_mm2 <= 0.000001"), std::string::npos) << reason;
  EXPECT_EQ(r.funnel.at(1).removed, 1u);  // 32x32 has 1024 PEs
  EXPECT_EQ(r.funnel.at(2).remaining, 0u);
}

TEST(DseSearch, SensitivityWalksEachParameterAroundTheOptimum) {
  Bench bench(space_from("base: edge_32x32\nparameters: {rows: [8, 16, 32], cols: [8, 16], dataflow: [ws, os]}"),
              "alexnet");
  ExploreResult r = bench.run("grid", 0, 1, true);
  ASSERT_TRUE(r.best.has_value());
  ASSERT_EQ(r.sensitivity.size(), 3u);
  for (size_t p = 0; p < r.sensitivity.size(); ++p) {
    const Sensitivity& s = r.sensitivity[p];
    EXPECT_EQ(s.points.size(), bench.space.parameters()[p].values.size());
    EXPECT_EQ(s.best_index, r.best->design.index[p]);
    EXPECT_EQ(s.points[s.best_index].evaluation.score, r.best->score);
    for (const SensitivityPoint& point : s.points) EXPECT_GE(point.evaluation.score, r.best->score);
  }
  EXPECT_EQ(r.evaluated, bench.space.size());  // sensitivity revisits only known designs
}

TEST(DseSearch, UnknownStrategyIsAnInputError) { EXPECT_THROW(make_strategy("hillclimb"), InputError); }

// Property test: random clouds inserted in random orders give the same, exact front.
TEST(DseParetoFront, KeepsExactlyTheNonDominatedSetInAnyOrder) {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 30; ++trial) {
    std::vector<Evaluation> points;
    std::uniform_int_distribution<int> coarse(1, 6);  // ties on purpose
    for (uint16_t i = 0; i < 150; ++i) {
      Evaluation e;
      e.design.index = {i};
      e.metrics.latency_s = coarse(rng);
      e.metrics.area_mm2 = coarse(rng);
      e.metrics.energy_pj = coarse(rng);
      points.push_back(e);
    }
    ParetoFront in_order, shuffled;
    for (const Evaluation& e : points) in_order.insert(e);
    std::shuffle(points.begin(), points.end(), rng);
    for (const Evaluation& e : points) shuffled.insert(e);
    std::vector<Evaluation> front = in_order.sorted();
    expect_no_dominated_point(front);
    EXPECT_EQ(front.size(), shuffled.size());
    std::vector<Evaluation> other = shuffled.sorted();
    for (size_t i = 0; i < std::min(front.size(), other.size()); ++i) EXPECT_EQ(front[i].design, other[i].design);
    for (const Evaluation& e : points) {
      bool on_front =
          std::any_of(front.begin(), front.end(), [&](const Evaluation& f) { return f.design == e.design; });
      bool dominated = std::any_of(front.begin(), front.end(), [&](const Evaluation& f) {
        return dominates(pareto_vector(f.metrics), pareto_vector(e.metrics));
      });
      EXPECT_NE(on_front, dominated);
    }
  }
}

}  // namespace
}  // namespace acceldse::dse
