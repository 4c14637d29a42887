#pragma once
// Searching a space: the Pareto front, budgets and progress, the Search a strategy
// drives, the strategies behind one interface, and explore() with its sensitivity sweep.
#include <array>
#include <compare>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dse/evaluator.h"

namespace acceldse::dse {
// ---- Pareto front ---------------------------------------------------------------------
// Non-dominated feasible designs over pareto_vector() (latency × area × energy). The
// set kept does not depend on insertion order.
class ParetoFront {
 public:
  // Returns true if `evaluation` joined the front.
  bool insert(const Evaluation& evaluation);
  // Sorted by latency, area, energy, then design.
  std::vector<Evaluation> sorted() const;
  size_t size() const { return points_.size(); }

 private:
  std::vector<Evaluation> points_;
};

// ---- Search ---------------------------------------------------------------------------
struct Budget {
  uint64_t evaluations = 0;  // 0 = the strategy's default
  double seconds = 0;        // 0 = no time limit
  // "500" (evaluations) or "30s" / "2m" (time). Throws InputError for anything else.
  static Budget parse(const std::string& text, const std::string& place = "budget");
};

struct Progress {
  uint64_t evaluated = 0;
  uint64_t planned = 0;  // 0 = unknown (time budget)
  double elapsed_s = 0;
};

// One constraint stage of the feasibility funnel: how many designs it removed.
struct FunnelStage {
  std::string what;  // "valid design" or the constraint text
  uint64_t removed = 0;
  uint64_t remaining = 0;  // designs still feasible after this stage
};

// What a strategy drives: evaluation within the budget, plus the running best,
// Pareto front and funnel. Every design a strategy evaluates goes through here.
class Search {
 public:
  Search(Evaluator& evaluator, Budget budget, uint64_t seed, std::function<void(const Progress&)> on_progress = {});
  ~Search();
  Search(const Search&) = delete;
  Search& operator=(const Search&) = delete;
  const DesignSpace& space() const;
  uint64_t seed() const { return seed_; }
  // Evaluates the longest prefix of `designs` that fits the remaining budget (designs
  // this search saw before are free). Returns one evaluation per design taken.
  std::vector<Evaluation> evaluate(std::span<const Design> designs);
  bool known(const Design& design) const;            // seen earlier by this search
  bool done() const;                                 // budget or time spent, or the space exhausted
  uint64_t remaining() const;                        // evaluations left (UINT64_MAX when time-bounded)
  double fraction_used() const;                      // of the budget, 0..1 (by evaluations or time)
  uint64_t evaluated() const { return evaluated_; }  // distinct designs, by this search
  uint64_t planned() const { return planned_; }

  const std::optional<Evaluation>& best() const { return best_; }
  const ParetoFront& pareto() const { return pareto_; }
  std::vector<FunnelStage> funnel() const;
  // Why the first invalid design was invalid (empty if none was).
  const std::string& first_error() const { return first_error_; }

 private:
  Evaluator& evaluator_;
  uint64_t seed_, planned_, evaluated_ = 0;
  double seconds_;
  std::function<void(const Progress&)> on_progress_;
  double start_s_;
  std::optional<Evaluation> best_;
  ParetoFront pareto_;
  std::vector<uint64_t> removed_;  // [0] invalid, [1+i] by constraint i
  std::string first_error_;
  struct Seen;
  std::unique_ptr<Seen> seen_;  // designs this search has recorded
  void record(const Evaluation& evaluation);
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string name() const = 0;
  // Evaluations when the budget names none.
  virtual uint64_t default_budget(uint64_t space_size) const;
  // Must derive every choice from search.seed() and the evaluations it gets back, never
  // from timing or thread count, so results are reproducible.
  virtual void run(Search& search) = 0;
};
// grid | random | anneal | genetic. Throws InputError for another name.
std::unique_ptr<Strategy> make_strategy(const std::string& name);

// ---- Exploration ----------------------------------------------------------------------
struct SensitivityPoint {
  std::string value;
  Evaluation evaluation;
};
// The objective as one parameter moves through its values, the others at the optimum.
struct Sensitivity {
  std::string parameter;
  size_t best_index = 0;  // the optimum's value
  std::vector<SensitivityPoint> points;
};

struct ExploreOptions {
  std::string strategy = "grid";
  Budget budget;
  uint64_t seed = 1;
  bool sensitivity = true;
  std::function<void(const Progress&)> on_progress;
};

struct ExploreResult {
  std::string strategy;
  uint64_t seed = 0;
  uint64_t evaluated = 0;         // distinct designs in this run (search + sensitivity)
  uint64_t search_evaluated = 0;  // by the strategy alone
  uint64_t computed = 0;          // evaluated by the model (the rest came from the store)
  uint64_t from_store = 0;
  uint64_t feasible = 0;  // feasible designs the strategy saw
  double elapsed_s = 0;
  std::optional<Evaluation> best;  // best feasible design
  std::vector<Evaluation> pareto;  // feasible, non-dominated, sorted
  std::vector<Sensitivity> sensitivity;
  std::vector<FunnelStage> funnel;
  std::string first_error;  // why the first invalid design was invalid
  // Empty if a feasible design was found; else which constraint removed the last ones.
  std::string infeasible_reason() const;
};

ExploreResult explore(Evaluator& evaluator, const ExploreOptions& options);
// With a strategy of one's own.
ExploreResult explore(Evaluator& evaluator, Strategy& strategy, const ExploreOptions& options);
std::vector<Sensitivity> sensitivity(Evaluator& evaluator, const Design& optimum);

}  // namespace acceldse::dse
