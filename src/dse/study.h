#pragma once
// The paper's studies built on the search (DESIGN.md jobs 4-6): one design for a suite
// of networks, several networks co-running on one chip, and fitting a network to a
// design (or an array shape to networks). Like the rest of dse: no formatting, no I/O;
// bad input throws acceldse::InputError.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "cost/cost.h"
#include "dse/dse.h"
#include "workload/workload.h"

namespace acceldse::dse {

using NetworkPtr = std::shared_ptr<const workload::Network>;

// ---- Shared ---------------------------------------------------------------------------
// The objective as "higher is better" performance: the metric itself when maximised,
// its reciprocal when minimised (so latency gives throughput at batch 1). Throws
// InputError (file/place as given) for `pareto`, which has no single performance.
void check_scalar_objective(const Objective& objective, const std::string& file, const std::string& place);
double performance(const Objective& objective, const Metrics& metrics);

// exp(sum w_i ln v_i / sum w_i); equal weights when `weights` is empty. Values must be
// positive (a zero gives 0).
double geometric_mean(std::span<const double> values, std::span<const double> weights = {});

// "1,2,0.5" -> {1, 2, 0.5}; every weight positive and finite, exactly `count` of them.
std::vector<double> parse_weights(const std::string& text, size_t count, const std::string& place);

// ---- Suite study ------------------------------------------------------------------------
// Pure core: perf[n][d] = performance of network n on design d (0 when the design is
// invalid for it), feasible[n][d] = the design meets the constraints for network n, and
// area[d] breaks ties (smaller wins, then the lower design number).
struct SuiteChoice {
  std::vector<size_t> optimum;  // per network: its own best feasible design
  size_t geomean = 0;           // best weighted geomean over designs feasible for all
};
// Ties follow compare_rank (dse.h): smaller area, then lower energy (energy_pj[n][d];
// for the geomean design the weighted geomean over networks; none when empty), then the
// lower design number.
SuiteChoice choose_suite_designs(const std::vector<std::vector<double>>& perf,
                                 const std::vector<std::vector<char>>& feasible, std::span<const double> area_mm2,
                                 std::span<const double> weights,
                                 const std::vector<std::vector<double>>& energy_pj = {});
// cross[d][m] = performance of network m on design d / network m on its own optimum.
// improvement_pct[n] = (geomean over m of cross[G][m] / cross[n][m] - 1) * 100 where G is
// the selected (last) row: how much the selected design beats network n's optimum
// across the suite, with the same weights as the selection.
std::vector<double> suite_improvement_pct(const std::vector<std::vector<double>>& cross,
                                          std::span<const double> weights);

// ---- Technology uncertainty ------------------------------------------------------------
// Every numeric technology constant (arch::technology_numeric_fields(), map entries one
// by one) scaled by its own factor, uniform in [1 - pct/100, 1 + pct/100], drawn from
// (seed, constant name): the same seed gives the same factors on every machine, and a
// constant added to the tables later is perturbed too. pct = 0 is the nominal model.
struct TechnologyPerturbation {
  double pct = 0;
  uint64_t seed = 0;
  double factor(const std::string& key) const;
  // The perturbed constants of `accel`'s technology (its table and its overrides) as
  // override values; empty when pct = 0.
  std::map<std::string, double> overrides(const arch::Accelerator& accel) const;
  void apply(arch::Accelerator& accel) const;
};
// network_metrics (dse.h) on the perturbed technology.
MetricsFn perturbed_network_metrics(NetworkPtr network, std::shared_ptr<cost::CostCache> cache,
                                    TechnologyPerturbation perturbation);

struct UncertaintyOptions {
  double pct = 0;    // 0 <= pct < 100
  int samples = 10;  // perturbed re-runs, >= 1
  uint64_t seed = 1;
  // Sample s uses TechnologyPerturbation{pct, sample_seed(s)}.
  uint64_t sample_seed(int sample) const;
  void check() const;  // InputError for a pct or sample count out of range
};

struct Spread {
  double min = 0, median = 0, max = 0;
  static Spread of(std::vector<double> values);  // NaNs left out; all NaN gives NaN
};

// ---- Spreading a study over processes -----------------------------------------------------
// One kind of evaluation a study makes: one of its networks (index into the study's
// list) on the perturbed technology and, for corun's spatial plans, on `part_units` of
// the chip's split into partition_units(chip, requested_units) equal units. Processes
// running the same command line (MPI ranks, apps/acceldse/mpi_team.h) rebuild the same
// metrics from its key(), so only the key travels with the designs.
struct StudyTask {
  uint32_t network = 0;
  TechnologyPerturbation perturbation;
  int part_units = 0;       // 0: the whole chip
  int requested_units = 0;  // with part_units: the split asked for (at least the networks)
  std::string key() const;
  static StudyTask from_key(const std::string& key);  // std::invalid_argument for a bad key
};
// The metrics `task` stands for. A part the chip does not split into (or one that leaves
// another network no unit) throws InputError, so an evaluator records an invalid design.
MetricsFn study_task_metrics(const std::vector<NetworkPtr>& networks, const StudyTask& task,
                             std::shared_ptr<cost::CostCache> cache);
// Where the evaluator of `task` sends the designs it computes (EvaluatorOptions::remote);
// unset, or giving an unset RemoteFn: computed in this process. The answer is the same.
using StudyRemoteFn = std::function<RemoteFn(const StudyTask& task)>;

// ---- Suite study ------------------------------------------------------------------------
// Network x design pairs up to which the `auto` strategy evaluates the whole space (its
// optima are then proven); beyond it a genetic search (NSGA-II) finds them.
constexpr uint64_t kExhaustivePairs = 1'500'000;

struct SuiteOptions {
  std::vector<double> weights;                       // per network, > 0; empty = equal
  int threads = 0;                                   // 0 = all cores
  std::function<void(const Progress&)> on_progress;  // over all network x design pairs
  std::string strategy = "auto";                     // auto | grid | genetic
  // genetic: distinct designs each search may evaluate (one search per network and one
  // for the geomean design); 0 = 10% of the space, at least 1000.
  uint64_t budget = 0;
  uint64_t seed = 1;                    // genetic search
  TechnologyPerturbation perturbation;  // pct 0: the nominal technology
  StudyRemoteFn remote;                 // see StudyRemoteFn
};

// What one constraint did to the study.
struct ConstraintBinding {
  std::string text;
  uint64_t pairs_removed = 0;    // network x design pairs (of those evaluated) it rules out
  uint64_t designs_removed = 0;  // designs it rules out for at least one network
  // Labels (network names, "geomean") whose optimum would be another design without it.
  std::vector<std::string> binds;
  bool analysed = true;  // false beyond the first 64 constraints (counts then 0)
  // "never binds" (removes nothing), "removes designs but binds no optimum", or "binds
  // the optimum of a, b".
  std::string verdict() const;
};

struct SuiteDesign {
  std::string label;  // a network's name (its own optimum) or "geomean"
  Design design;
  std::vector<Metrics> metrics;  // every network on this design, in network order
  // Cross-matrix row: perf / the network's own best; NaN where this design breaks a
  // constraint when it runs that network.
  std::vector<double> relative;
};

struct SuiteResult {
  std::vector<std::string> networks;
  std::vector<double> weights;    // as used (1 each when none were given)
  std::string objective;          // the space's objective
  std::vector<double> best_perf;  // each network's performance on its own optimum
  // One per network (its optimum, labelled with its name), then "geomean" last.
  std::vector<SuiteDesign> designs;
  std::vector<double> improvement_pct;  // per network, see suite_improvement_pct
  double geomean_relative = 0;          // weighted geomean of the selected row
  uint64_t space_size = 0;
  uint64_t evaluations = 0;       // network x design pairs evaluated
  uint64_t feasible_for_all = 0;  // designs feasible for every network (of those evaluated)
  std::string strategy;           // "grid" or "genetic"
  // grid: every design was evaluated, so each optimum is proven; genetic: found.
  bool proven = false;
  uint64_t designs_evaluated = 0;              // distinct designs the study evaluated
  uint64_t search_budget = 0;                  // genetic: designs each per-network search could evaluate
  std::vector<ConstraintBinding> constraints;  // one per constraint of the space
  double elapsed_s = 0;
  size_t cache_entries = 0;
  uint64_t cache_hits = 0, cache_misses = 0;
  const SuiteDesign& selected() const { return designs.back(); }
};

// Evaluates every design of `space` once per network (grid, shared CostCache) and
// derives everything from that matrix. Throws InputError for duplicate network names,
// a network named "geomean", a pareto objective, a space too large to enumerate, or no
// design feasible for every network.
SuiteResult run_suite(const DesignSpace& space, const std::vector<NetworkPtr>& networks, const SuiteOptions& options);

// The study re-run on perturbed technologies: how often each network's optimum and the
// selected design stay the nominal ones, and the spread of each improvement figure.
struct SuiteUncertainty {
  UncertaintyOptions options;
  std::vector<double> optimum_same;     // per network: fraction of samples, 0..1
  double selected_same = 0;             // fraction of samples selecting the nominal design
  std::vector<Spread> improvement_pct;  // per network, over the samples
  Spread geomean_relative;
  // Samples where no design met the constraints for every network (counted as neither
  // the same optimum nor the same selection; left out of the spreads).
  int samples_without_answer = 0;
  double elapsed_s = 0;
};
// Throws InputError for bad options; `nominal` is run_suite's answer with `options`.
SuiteUncertainty suite_uncertainty(const DesignSpace& space, const std::vector<NetworkPtr>& networks,
                                   const SuiteOptions& options, const SuiteResult& nominal,
                                   const UncertaintyOptions& uncertainty);

// The same for explore: how often the best design stays the nominal one, and the spread
// of its objective (in the objective's units) over the samples.
struct ExploreUncertainty {
  UncertaintyOptions options;
  double best_same = 0;
  Spread objective;
  double elapsed_s = 0;
};
ExploreUncertainty explore_uncertainty(const DesignSpace& space, NetworkPtr network, const ExploreOptions& options,
                                       int threads, const Design& nominal_best, const UncertaintyOptions& uncertainty);

// The space with its technology fixed to `node` (the base's technology set to it and a
// `technology` parameter, if any, dropped): a team does not choose its node per network.
DesignSpace with_technology(const DesignSpace& space, const std::string& node);

// ---- Co-running networks ----------------------------------------------------------------
// What one network needs: a relative weight, or a throughput it must reach.
struct Demand {
  double weight = 0;        // > 0: share of the weighted mix
  double target_per_s = 0;  // > 0: required inferences per second
  bool is_target() const { return target_per_s > 0; }
};
// "2" (weight), "30/s" or "30fps" (target). Throws InputError naming `place`.
Demand parse_demand(const std::string& text, const std::string& place);

enum class CorunMode { kSpatial, kTime, kBoth };
CorunMode parse_corun_mode(const std::string& text);  // spatial | time | both
const char* to_string(CorunMode mode);                // never kBoth for a plan

// The part of the chip one network gets.
struct Share {
  int64_t rows = 0, cols = 0, arrays = 0;
  int64_t pes = 0;
  double buffer_kib = 0;  // all on-chip buffers
  double dram_gb_per_s = 0;
  int64_t vector_lanes = 0;
  double time = 1;  // fraction of time (time multiplexing), 1 for spatial
};

struct CorunNetwork {
  std::string name;
  Demand demand;
  double throughput_per_s = 0;  // what it gets in this plan
  double latency_s = 0;         // one inference on its share
  Share share;
  Metrics metrics;  // one inference on its partition / the whole chip
  bool meets_target() const { return !demand.is_target() || throughput_per_s >= demand.target_per_s * (1 - 1e-9); }
};

struct CorunPlan {
  CorunMode mode = CorunMode::kTime;  // kSpatial or kTime
  Design design;
  double area_mm2 = 0;
  // Rounds of the weighted mix per second: every weighted network n runs weight_n *
  // mix_rate inferences per second (0 when every network has a target).
  double mix_rate_per_s = 0;
  // Targets only: the least factor by which the plan exceeds the targets (>= 1).
  double headroom = 0;
  // Per second of operation: chip area, total inferences per second, summed power,
  // energy and DRAM traffic, PE utilisation of the whole chip; the space's constraints
  // are checked on these.
  Metrics aggregate;
  std::vector<CorunNetwork> networks;
};

struct CorunOptions {
  CorunMode mode = CorunMode::kBoth;
  int threads = 0;
  // The tensor unit is split into this many equal units (array count when arrays > 1,
  // else columns; fewer when the dimension has no such divisor).
  int partition_units = 8;
  std::function<void(const Progress&)> on_progress;
  // See StudyRemoteFn; initialised, so brace lists of the fields above may leave it out.
  StudyRemoteFn remote = {};
};

struct CorunResult {
  CorunPlan best;  // by the chosen mode (the better of both for kBoth)
  std::optional<CorunPlan> best_spatial, best_time;
  uint64_t space_size = 0;
  uint64_t evaluations = 0;  // network evaluations (whole chip and partitions)
  double elapsed_s = 0;
};

// Weights only: maximise the mix rate (ties: less area). Targets only: meet every
// target at least area (ties: more headroom). Mixed: meet the targets and maximise the
// mix rate of the weighted networks with what is left. The space's constraints are
// checked on the aggregate metrics. Throws InputError if no design and partition meets
// every target (naming the network that falls furthest short) or names are repeated.
CorunResult run_corun(const DesignSpace& space, const std::vector<NetworkPtr>& networks,
                      const std::vector<Demand>& demands, const CorunOptions& options);

// One partition: `units` of `total` equal units of `chip`'s tensor unit, with the same
// fraction of every buffer, the DRAM bandwidth and the vector lanes. Nullopt when the
// tensor unit cannot be split into `total` units or the part is not a valid design.
std::optional<arch::Accelerator> partition(const arch::Accelerator& chip, int units, int total);
// Units the tensor unit splits into for `requested` (largest divisor <= requested).
int partition_units(const arch::Accelerator& chip, int requested);

// ---- Fitting a network to the hardware ----------------------------------------------------
struct FitOptions {
  double tolerance_pct = 10;  // both per changed width and for the network's parameters
};

struct FitChange {
  std::string layer;
  std::string field;                          // out_channels, out_features, hidden, embed_dim, groups, dims
  std::vector<int64_t> old_value, new_value;  // one element except for dims
  std::string reason;
};

struct LayerUtil {
  std::string layer;
  double utilization = 0;
  int64_t cycles = 0;
};

struct FitResult {
  workload::Network fitted;
  std::vector<FitChange> changes;
  int64_t cycles_before = 0, cycles_after = 0;
  double latency_before_s = 0, latency_after_s = 0;
  int64_t macs_before = 0, macs_after = 0;
  int64_t params_before = 0, params_after = 0;
  size_t classes = 0, frozen_classes = 0;              // channel classes found / left unchanged by rule
  std::vector<LayerUtil> layers_before, layers_after;  // tensor-unit layers only
  double speedup() const {
    return cycles_after > 0 ? static_cast<double>(cycles_before) / static_cast<double>(cycles_after) : 1;
  }
};

// Greedy search over channel classes (channel dimensions tied by adds, concat-free
// reshapes and the like; classes touching network inputs or outputs stay fixed): each
// round tries, for every class, the nearest multiples of the array rows and columns
// above and below, and keeps the change that saves the most cycles while the width
// moves by at most the tolerance and the network's parameters stay within it.
// Throws InputError for a tolerance outside 0-100.
FitResult fit_network(const workload::Network& network, const arch::Accelerator& accel, const FitOptions& options,
                      cost::CostCache* cache = nullptr);

// ---- Array shape for networks as they are --------------------------------------------------
struct ArrayCandidate {
  int64_t rows = 0, cols = 0;
  std::vector<double> latency_s;    // per network
  std::vector<double> utilization;  // per network
  double geomean_latency_s = 0;
  double geomean_utilization = 0;
};
// Every rows x cols with rows*cols = pes (exact) or pes/2 <= rows*cols <= pes, rows and
// cols divisors of `pes` or multiples of 8 (at least 4), on `base` otherwise unchanged;
// sorted by geomean latency, then fewer PEs, then geomean utilisation. Throws
// InputError for pes < 16.
std::vector<ArrayCandidate> suggest_array(const std::vector<NetworkPtr>& networks, const arch::Accelerator& base,
                                          int64_t pes, bool exact, int threads = 0);

}  // namespace acceldse::dse
