#pragma once
// Helpers for the dse tests: small spaces over the real cost model and a quick network.
#include <memory>
#include <string>

#include "cost/cost.h"
#include "dse/dse.h"
#include "workload/workload.h"

namespace acceldse::dse::test {

// 16 x 16 x 3 x 4 x 3 = 9,216 designs: big enough that 10% is a real sample, small
// enough that the grid optimum is cheap to know.
inline const char* kSearchSpace = R"yaml(
name: search-test
base: edge_32x32
parameters:
  rows: {min: 4, max: 64, step: 4}
  cols: {min: 4, max: 64, step: 4}
  dataflow: [ws, os, is]
  weight_kib: [32, 64, 128, 256]
  dram_gb_per_s: [6.4, 12.8, 25.6]
constraints:
  - area_mm2 <= 8
objective: latency
)yaml";

inline DesignSpace space_from(const std::string& yaml, const std::string& label = "<test space>") {
  return DesignSpace::from_yaml_text(yaml, label);
}

// Owns what an Evaluator borrows.
struct Bench {
  std::shared_ptr<const workload::Network> network;
  std::shared_ptr<cost::CostCache> cache = std::make_shared<cost::CostCache>();
  DesignSpace space;
  std::unique_ptr<Evaluator> evaluator;

  Bench(DesignSpace s, const std::string& model, int threads = 2, ResultStore* store = nullptr, bool resume = false)
      : network(std::make_shared<const workload::Network>(workload::load_network(model))), space(std::move(s)) {
    EvaluatorOptions options;
    options.threads = threads;
    options.store = store;
    options.resume = resume;
    options.model = network->name;
    options.model_hash = network_hash(*network);
    evaluator = std::make_unique<Evaluator>(space, network_metrics(network, cache), options);
  }
  ExploreResult run(const std::string& strategy, uint64_t budget = 0, uint64_t seed = 1, bool sensitivity = false) {
    ExploreOptions options;
    options.strategy = strategy;
    options.budget.evaluations = budget;
    options.seed = seed;
    options.sensitivity = sensitivity;
    return explore(*evaluator, options);
  }
};

}  // namespace acceldse::dse::test
