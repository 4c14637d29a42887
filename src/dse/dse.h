#pragma once
// Design-space exploration: a design space (named parameters over a base accelerator,
// constraints, an objective), search strategies behind one interface, a parallel
// evaluator sharing one cost cache, a SQLite result store, Pareto fronts and
// per-parameter sensitivity. No output formatting lives here (that is the CLI's and
// the report's job); everything is deterministic for a given seed and inputs.
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

#include "arch/arch.h"
#include "common/pareto.h"
#include "cost/cost.h"
#include "workload/workload.h"

namespace acceldse::dse {

// ---- Metrics --------------------------------------------------------------------------
// What one design achieves on one workload. Studies that aggregate several networks
// (suites, co-running) fill the same fields with their aggregate.
struct Metrics {
  double latency_s = 0;
  int64_t cycles = 0;
  double area_mm2 = 0;
  double energy_pj = 0;
  double power_w = 0;           // chip (the DRAM devices: dram_power_w)
  double throughput_per_s = 0;  // inferences per second
  double utilization = 0;       // MACs / (PEs * cycles)
  double edp = 0;               // energy-delay product in joule-seconds
  double perf_per_area = 0;     // inferences per second per mm2
  int64_t pes = 0;
  int64_t dram_bytes = 0;
  double dram_power_w = 0;
};

// Names usable in expressions, in the order append_metric_values() lays them out.
const std::vector<std::string>& metric_names();
// Appends the metrics in metric_names() order.
void append_metric_values(const Metrics& metrics, std::vector<double>& out);
std::optional<double> metric_value(const Metrics& metrics, std::string_view name);
// Derives the search metrics from the cost model's answer for `accel`.
Metrics metrics_of(const cost::NetworkCost& cost, const arch::Accelerator& accel);

// ---- Expressions ----------------------------------------------------------------------
// Arithmetic (+ - * / and parentheses, also × ÷ −) over named variables, optionally
// compared (< <= > >= == != , also ≤ ≥) and combined with `and`/`or` (&& ||).
// Comparisons yield 1 or 0.
class Expression {
 public:
  Expression();
  ~Expression();
  Expression(const Expression&);
  Expression& operator=(const Expression&);
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;

  // `names` fixes the variable order evaluate() expects. Errors name file and place.
  static Expression parse(std::string_view text, const std::vector<std::string>& names, const std::string& file,
                          const std::string& place);
  double evaluate(std::span<const double> values) const;
  // How far from true, relative to the compared magnitude: 0 when satisfied. Used to
  // steer heuristics towards feasibility.
  double violation(std::span<const double> values) const;
  const std::string& text() const;
  // Variables the expression reads, as indices into `names`.
  const std::vector<size_t>& uses() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- Design space ---------------------------------------------------------------------
struct Parameter {
  std::string name;                 // any name arch::set_parameter accepts
  std::vector<std::string> values;  // canonical text, in search order
  // True when every value is a number: then neighbouring values are "close" for the
  // heuristics and the parameter can be used in expressions.
  bool numeric = false;
  std::vector<double> numbers;  // values as numbers when numeric
};

// One point: the index of the chosen value of each parameter.
struct Design {
  std::vector<uint16_t> index;
  auto operator<=>(const Design&) const = default;
  bool operator==(const Design&) const = default;
};
struct DesignHash {
  size_t operator()(const Design& design) const;
};

struct Constraint {
  std::string text;  // e.g. "area_mm2 <= 50"
  Expression expression;
};

class Objective {
 public:
  enum class Sense { kMinimize, kMaximize };
  Objective();  // latency
  // "latency", "throughput", "perf_per_area", "energy", "edp", "pareto", or
  // "min EXPR" / "max EXPR" over metric names. Throws InputError naming file/place.
  static Objective parse(const std::string& text, const std::string& file = "<command line>",
                         const std::string& place = "objective");
  const std::string& name() const { return name_; }
  bool pareto() const { return pareto_; }
  Sense sense() const { return sense_; }
  // Lower is better. For pareto: the product of the front metrics (a scale-free
  // balance point used to pick one "best" design and for sensitivity).
  double score(const Metrics& metrics) const;
  // The metric the score follows, for reports ("latency_s", "edp", "expression").
  const std::string& metric() const { return metric_; }

 private:
  std::string name_, metric_;
  bool pareto_ = false;
  Sense sense_ = Sense::kMinimize;
  std::shared_ptr<const Expression> expression_;  // over metric_names()
};

// The metrics a Pareto front trades off (all minimised): latency_s, area_mm2, energy_pj.
std::array<double, 3> pareto_vector(const Metrics& metrics);

class DesignSpace {
 public:
  // A name in spaces/ (without .yaml) or a YAML file. Throws InputError naming the
  // file and key for malformed YAML, unknown parameters, bad values, empty ranges.
  static DesignSpace load(const std::string& name_or_path);
  static DesignSpace from_yaml_text(const std::string& text, const std::string& file_label);
  // The documented built-in default: spaces/default.yaml.
  static DesignSpace builtin_default();

  // Programmatic construction; every value is checked against `base`.
  DesignSpace(std::string name, std::string file, arch::Accelerator base);
  void add_parameter(const std::string& name, std::vector<std::string> values, const std::string& place = "");
  // Replaces the base accelerator (e.g. --arch); re-checks every parameter value.
  void set_base(arch::Accelerator base);
  void add_constraint(const std::string& text, const std::string& place = "");
  void set_objective(Objective objective) { objective_ = std::move(objective); }

  const std::string& name() const { return name_; }
  const std::string& file() const { return file_; }
  const arch::Accelerator& base() const { return base_; }
  const std::vector<Parameter>& parameters() const { return parameters_; }
  const std::vector<Constraint>& constraints() const { return constraints_; }
  const Objective& objective() const { return objective_; }

  // Number of designs, saturating at UINT64_MAX.
  uint64_t size() const;
  // Design number `flat` in grid order (first parameter slowest).
  Design design_at(uint64_t flat) const;
  // The accelerator of a design: base with every parameter set, in declared order.
  arch::Accelerator accelerator(const Design& design) const;
  const std::string& value(const Design& design, size_t parameter) const;
  // "name=value;..." sorted by parameter name: stable across declaration order.
  std::string key(const Design& design) const;
  // Identity of what determines the metrics: base accelerator + parameter lists.
  std::string hash() const;
  // Expression variables: metric_names() then numeric parameters.
  const std::vector<std::string>& variable_names() const { return variables_; }
  void variable_values(const Design& design, const Metrics& metrics, std::vector<double>& out) const;

 private:
  std::string name_, file_;
  arch::Accelerator base_;
  std::vector<Parameter> parameters_;
  std::vector<Constraint> constraints_;
  Objective objective_;
  std::vector<std::string> variables_;
  void check_value(const Parameter& parameter, size_t i, const std::string& place) const;
};

// What a command line adds to a design space; `explore` and the studies share it so
// that both accept and refuse the same options.
struct SpaceOptions {
  std::string space;                                // a name in spaces/ or a YAML file; empty: spaces/default.yaml
  std::string arch;                                 // replaces the space's base accelerator when given
  std::optional<double> area_max_mm2, power_max_w;  // must be positive and finite
  std::optional<int64_t> pes_max;                   // must be positive
  std::vector<std::string> constraints;             // extra expressions
  std::string objective;                            // empty: default_objective or the space's
};
// Throws InputError (file "<command line>", place the SpaceOptions field) for a limit that is not
// positive, and whatever loading the space or accelerator and parsing throws.
DesignSpace build_space(const SpaceOptions& options, const std::string& default_objective = "");

// ---- Evaluation -----------------------------------------------------------------------
struct Evaluation {
  Design design;
  Metrics metrics;
  std::string error;     // non-empty: the design could not be built or evaluated
  int violated = -1;     // first violated constraint (index), -1 if none
  double violation = 0;  // summed relative violation of all constraints
  double score = 0;      // objective, lower is better
  bool valid() const { return error.empty(); }
  bool feasible() const { return valid() && violated < 0; }
};

// ---- Ranking: the one tie-break order of explore, suite and corun --------------------
// A better objective first; equal objectives go to the smaller area (the cheaper chip),
// then to the lower energy. Callers break a full tie by the design's order, so results
// never depend on the order designs were evaluated in.
struct RankKey {
  double score = 0;  // objective, lower is better (maximised objectives negated)
  double area_mm2 = 0;
  double energy_pj = 0;
};
// <0 when a ranks before b, >0 when after, 0 on a full tie.
int compare_rank(const RankKey& a, const RankKey& b);
RankKey rank_key(const Evaluation& evaluation);

// Orders feasible designs by compare_rank, then by design.
bool better(const Evaluation& a, const Evaluation& b);

class ResultStore;

// Metrics of one design; must be thread-safe.
using MetricsFn = std::function<Metrics(const arch::Accelerator&)>;
// The usual MetricsFn: one network through the analytical model with a shared cache.
MetricsFn network_metrics(std::shared_ptr<const workload::Network> network, std::shared_ptr<cost::CostCache> cache);
// Identity of a network for store keys (hash of its YAML form).
std::string network_hash(const workload::Network& network);

class ThreadPool {
 public:
  explicit ThreadPool(int threads = 0);  // total workers incl. the caller; 0 = all cores
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  int size() const;
  // Runs fn(i, worker) for every i < n; workers claim contiguous chunks of `grain`.
  // Blocks until done; rethrows the first exception.
  void parallel_for(size_t n, size_t grain, const std::function<void(size_t, int)>& fn);

 private:
  void stop_all();  // stops and joins every started thread
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Computes designs somewhere else (other MPI ranks, apps/acceldse/mpi_*): one
// Evaluation per design, in order, with design, metrics and error as Evaluator would
// compute them here (the caller judges them against the constraints again).
using RemoteFn = std::function<std::vector<Evaluation>(std::span<const Design>)>;

struct EvaluatorOptions {
  int threads = 0;               // 0 = all cores
  RemoteFn remote;               // set: designs to compute go here instead of the pool
  ResultStore* store = nullptr;  // records every computed design
  bool resume = false;           // take designs found in the store instead of computing
  std::string model = "model";   // shown in the store
  std::string model_hash;        // with the space hash, keys the store
  size_t memo_limit = 100'000;   // designs remembered (~25 MB); beyond, recomputed
};

// Evaluates designs of one space in parallel (the space must outlive it). Remembers up
// to memo_limit evaluations, so revisits cost nothing; with a store, records every
// computed design as it goes and, with resume, reads stored ones back instead.
class Evaluator {
 public:
  Evaluator(const DesignSpace& space, MetricsFn metrics, EvaluatorOptions options = {});
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Results in the order of `designs`.
  std::vector<Evaluation> evaluate(std::span<const Design> designs);
  Evaluation evaluate(const Design& design);
  bool known(const Design& design) const;  // already evaluated in this run
  // Designs remembered (up to memo_limit), in design order: what a heuristic visited.
  std::vector<Design> remembered() const;

  const DesignSpace& space() const;
  int threads() const;
  uint64_t evaluated() const;   // distinct designs evaluated in this run (incl. store)
  uint64_t computed() const;    // of those, computed by the model
  uint64_t from_store() const;  // of those, read back from the store
  void flush();                 // commits pending store records

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

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

// ---- Result store ---------------------------------------------------------------------
struct StoredDesign {
  std::string space;  // space name
  std::string space_hash;
  std::string model;
  std::string model_hash;
  std::string key;    // DesignSpace::key()
  std::string error;  // non-empty: invalid design
  Metrics metrics;
  // The key split back into (name, value) pairs, sorted by name.
  std::vector<std::pair<std::string, std::string>> params() const;
};

// SQLite file (WAL) holding every evaluated design, committed in small batches so a
// killed run loses at most the last fraction of a second of work.
class ResultStore {
 public:
  // Creates or opens `file`. Throws InputError if it is not an acceldse store.
  explicit ResultStore(const std::filesystem::path& file);
  ~ResultStore();  // commits what is pending
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  std::optional<StoredDesign> find(const std::string& space_hash, const std::string& model_hash,
                                   const std::string& key);
  void record(const StoredDesign& design);  // buffered
  void commit_if_due();                     // commits every few hundred rows or 100 ms
  void commit();
  uint64_t count();
  // Every stored design, optionally of one model only.
  std::vector<StoredDesign> all(const std::string& model = "");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A question to a result store (`acceldse results`): the valid designs of one model (or
// all), those for which `where` holds, ranked or reduced to their Pareto front.
struct StoreQuery {
  std::string model;        // "" = every model
  std::string where;        // expression over metric names and numeric parameters; "" = all
  std::string where_place;  // names `where` in errors (e.g. the option it came from)
  bool pareto = false;      // the non-dominated designs over pareto_vector(), sorted by it
  Objective objective;      // otherwise best first by compare_rank, then by key ...
  size_t top = 10;          // ... at most this many
};
struct StoreAnswer {
  size_t matched = 0;  // designs the model and `where` selected
  std::vector<StoredDesign> designs;
};
// Throws InputError for a missing or foreign file or a bad `where`.
StoreAnswer query_store(const std::filesystem::path& db, const StoreQuery& query);

}  // namespace acceldse::dse
