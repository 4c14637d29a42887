#pragma once
// The result documents: the JSON `--format json` prints and the HTML report reads,
// built here once from what the library computed (their keys are a contract, listed in
// docs/formats.md). Commands print them; report:: renders them.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "arch/arch.h"
#include "cost/cost.h"
#include "dse/dse.h"
#include "dse/study.h"
#include "validation/validation.h"
#include "workload/workload.h"

namespace acceldse::documents {

using Json = nlohmann::ordered_json;  // keys in the order written

// ---- evaluate (keys sorted, as nlohmann::json keeps them) ----
nlohmann::json evaluation(const workload::Network& net, const arch::Accelerator& accel, int64_t batch,
                          const cost::NetworkCost& cost);

// ---- designs of a space ----
// A design's parameters as (name, value) in the space's order.
std::vector<std::pair<std::string, std::string>> design_params(const dse::DesignSpace& space,
                                                               const dse::Design& design);
// Parameters as an object, numbers as numbers.
Json params(const std::vector<std::pair<std::string, std::string>>& params);
// Metrics written as whole numbers: cycles, pes, dram_bytes.
bool is_integer_metric(const std::string& name);
// Every metric by name (the integer ones as integers).
Json metrics(const dse::Metrics& metrics);
// {"params", "metrics"} of one evaluated design.
Json design(const dse::DesignSpace& space, const dse::Evaluation& evaluation);
// Where a design's cycles, energy and area go (explore's best).
Json breakdown(const cost::NetworkCost& cost);

// The objective in its own units (NaN for an invalid design; the search negates
// maximised objectives).
double objective_value(const dse::Objective& objective, const dse::Evaluation& evaluation);

// ---- explore ----
struct Exploration {
  const workload::Network& network;
  const dse::DesignSpace& space;
  const dse::ExploreResult& result;
  cost::CostCache& cache;
  int threads = 0;
  int mpi_ranks = 1;                                     // > 1: run.mpi_ranks
  const dse::ExploreUncertainty* uncertainty = nullptr;  // with --uncertainty
};
Json exploration(const Exploration& run);

// ---- results (a result store's designs) ----
Json stored_designs(const std::string& db, size_t matched, const std::vector<dse::StoredDesign>& designs);

// ---- suite ----
// The node every design is evaluated at, or empty when the space searches over it.
std::string fixed_technology(const dse::DesignSpace& space);
struct Suite {
  const dse::DesignSpace& space;
  const dse::SuiteResult& result;
  uint64_t seed = 1;  // of its genetic search
  int threads = 0;
  int mpi_ranks = 1;                                   // > 1: run.mpi_ranks
  const dse::SuiteUncertainty* uncertainty = nullptr;  // with --uncertainty
};
Json suite(const Suite& run);

// ---- corun ----
// `targets` as the user typed them, one per network.
Json corun(const dse::DesignSpace& space, const dse::CorunResult& result, const std::vector<std::string>& targets,
           const std::string& requested_mode, int mpi_ranks);

// ---- fit-model ----
double change_pct(int64_t before, int64_t after);  // 0 when before is 0
Json fit(const dse::FitResult& result, const std::string& model, const std::string& arch, double tolerance_pct,
         const std::string& output);
// The best `top` array shapes of suggest-array.
Json suggested_arrays(int64_t pes, bool exact, const std::vector<std::string>& networks,
                      const std::vector<dse::ArrayCandidate>& found, size_t top);

// ---- validate ----
struct ValidationHeader {
  bool compute_cycles_only = false;
  std::string mapping, im2col;  // as given on the command line ("spec": each spec's)
  double bound_pct = 0;
  double layer_bound_pct = -1;  // < 0: none
  bool pass = false;
};
Json validation(const ValidationHeader& header, const std::vector<validation::NetworkComparison>& results);

// The document as it prints: indented by 2, invalid UTF-8 in its strings replaced.
std::string dumped(const Json& doc);
std::string dumped(const nlohmann::json& doc);
// The document as the HTML report reads it (same strings as dumped()).
nlohmann::json for_report(const Json& doc);

}  // namespace acceldse::documents
