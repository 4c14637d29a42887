// The built-in default space must not contain a free knob: for every parameter, which
// value is best must depend on the network or the objective. A knob whose top value
// wins everywhere (bandwidth or clock costing nothing, the smallest node) makes every
// search answer the same and the space a waste of evaluations.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "dse/dse.h"
#include "workload/workload.h"

namespace acceldse::dse {
namespace {

struct Goal {
  const char* name;
  double (*score)(const Metrics&);  // lower is better
};

const std::vector<Goal>& goals() {
  static const std::vector<Goal> all{
      {"latency", [](const Metrics& m) { return m.latency_s; }},
      {"energy", [](const Metrics& m) { return m.energy_pj; }},
      {"edp", [](const Metrics& m) { return m.edp; }},
      {"perf_per_area", [](const Metrics& m) { return -m.perf_per_area; }},
      {"area", [](const Metrics& m) { return m.area_mm2; }},
      {"power", [](const Metrics& m) { return m.power_w; }},
  };
  return all;
}

// The best design of every goal, by the ranking explore uses (ties: smaller area, lower
// energy, then the design's order).
std::vector<Design> best_per_goal(const DesignSpace& space, const std::vector<Evaluation>& all) {
  std::vector<Design> best;
  for (const Goal& goal : goals()) {
    const Evaluation* winner = nullptr;
    RankKey winner_key;
    for (const Evaluation& e : all) {
      if (!e.feasible()) continue;
      const RankKey key{goal.score(e.metrics), e.metrics.area_mm2, e.metrics.energy_pj};
      if (!winner || compare_rank(key, winner_key) < 0) winner = &e, winner_key = key;
    }
    EXPECT_NE(winner, nullptr) << goal.name;
    if (winner) best.push_back(winner->design);
  }
  EXPECT_EQ(best.size(), goals().size()) << space.name();
  return best;
}

TEST(DseDefaultSpace, NoParameterHasOneBestValueForEveryNetworkAndObjective) {
  const DesignSpace space = DesignSpace::builtin_default();
  std::vector<Design> designs;
  for (uint64_t i = 0; i < space.size(); ++i) designs.push_back(space.design_at(i));
  // A CNN, a transformer and a recurrent network at batch 1: large feature maps, large
  // weights reused over tokens, and weights used once per step.
  std::map<std::string, std::set<std::string>> best_values;   // parameter -> best values seen
  std::map<std::string, std::set<std::string>> best_by_goal;  // "goal parameter" -> best values seen
  for (const char* name : {"resnet50", "bert_base", "deepspeech2"}) {
    auto network = std::make_shared<const workload::Network>(workload::load_network(name));
    EvaluatorOptions options;
    options.threads = 2;
    Evaluator evaluator(space, network_metrics(network, std::make_shared<cost::CostCache>()), options);
    const std::vector<Evaluation> all = evaluator.evaluate(designs);
    const std::vector<Design> best = best_per_goal(space, all);
    for (size_t g = 0; g < best.size(); ++g) {
      for (size_t p = 0; p < space.parameters().size(); ++p) {
        const std::string& parameter = space.parameters()[p].name;
        best_values[parameter].insert(space.value(best[g], p));
        best_by_goal[std::string(goals()[g].name) + " " + parameter].insert(space.value(best[g], p));
      }
    }
  }
  ASSERT_EQ(best_values.size(), space.parameters().size());
  for (const auto& [parameter, values] : best_values) {
    EXPECT_GE(values.size(), 2u) << parameter << ": one value is best for every network under every objective";
  }
  // The reason for the rule: speed must cost something. The fastest design takes the
  // top clock; the smallest and the least power-hungry take neither it nor the top
  // bandwidth.
  for (const Parameter& parameter : space.parameters()) {
    if (parameter.name != "clock_ghz" && parameter.name != "dram_gb_per_s") continue;
    const std::string& top = parameter.values.back();
    for (const char* goal : {"area", "power"}) {
      EXPECT_EQ(best_by_goal[std::string(goal) + " " + parameter.name].count(top), 0u) << goal << " " << parameter.name;
    }
    if (parameter.name == "clock_ghz") {
      EXPECT_EQ(best_by_goal["latency clock_ghz"], std::set<std::string>{top});
    }
  }
}

}  // namespace
}  // namespace acceldse::dse
