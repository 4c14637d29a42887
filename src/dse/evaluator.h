#pragma once
// Evaluating designs: one evaluation's outcome and the ranking every search shares, the
// thread pool and the evaluator that computes batches of designs (through a shared cost
// cache, a result store, or another process).
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

#include "dse/space.h"

namespace acceldse::dse {
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
// What to evaluate in place of the design a MetricsFn is given (the design on a perturbed
// technology, a part of the chip); may throw InputError, which the evaluator records as
// an invalid design.
using AcceleratorTransform = std::function<arch::Accelerator(const arch::Accelerator&)>;
// The usual MetricsFn: one network through the analytical model with a shared cache, its
// micro-batched copies built once (cost::PreparedNetwork); with `transform`, each design
// is evaluated as transform(design).
MetricsFn network_metrics(std::shared_ptr<const workload::Network> network, std::shared_ptr<cost::CostCache> cache,
                          AcceleratorTransform transform = {});
// Identity of a network for store keys (hash of its YAML form).
std::string network_hash(const workload::Network& network);

// The workers a pool of `threads` has: threads, or all cores when 0.
int worker_threads(int threads);

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

}  // namespace acceldse::dse
