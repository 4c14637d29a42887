// What the studies share: performance from an objective, geometric means, weight lists,
// the tasks a study's evaluations are made of (which other processes may compute) and
// the evaluation of a whole space for several networks.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "common/error.h"
#include "dse/internal.h"
#include "dse/study.h"
#include "dse/study_internal.h"

namespace acceldse::dse {

void check_scalar_objective(const Objective& objective, const std::string& file, const std::string& place) {
  if (objective.pareto()) {
    throw InputError(file, place,
                     "a study needs one performance number per design; 'pareto' has none. Use "
                     "throughput, latency, perf_per_area, energy, edp or 'max EXPR'/'min EXPR'");
  }
}

double performance(const Objective& objective, const Metrics& metrics) {
  // score() is lower-is-better: the negated metric when maximised, the metric itself
  // when minimised.
  double score = objective.score(metrics);
  if (objective.sense() == Objective::Sense::kMaximize) return -score;
  return score > 0 ? 1.0 / score : 0.0;
}

double geometric_mean(std::span<const double> values, std::span<const double> weights) {
  if (values.empty()) return 0;
  double log_sum = 0, weight_sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    double w = weights.empty() ? 1.0 : weights[i];
    if (!(values[i] > 0)) return 0;
    log_sum += w * std::log(values[i]);
    weight_sum += w;
  }
  return std::exp(log_sum / weight_sum);
}

std::vector<double> parse_weights(const std::string& text, size_t count, const std::string& place) {
  std::vector<double> weights;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const std::optional<double> w = detail::parse_number(item);
    if (!w || *w <= 0) throw InputError("<command line>", place, "expected a positive number, got '" + item + "'");
    weights.push_back(*w);
  }
  if (weights.size() != count) {
    throw InputError("<command line>", place,
                     "got " + std::to_string(weights.size()) + " weights for " + std::to_string(count) +
                         " networks; give one weight per network, in the same order");
  }
  return weights;
}

// ---- Study tasks ------------------------------------------------------------------------

std::string StudyTask::key() const {
  // The percentage by its bits, so every process reads back exactly the same double.
  return "network " + std::to_string(network) + " pct " + std::to_string(std::bit_cast<uint64_t>(perturbation.pct)) +
         " seed " + std::to_string(perturbation.seed) + " part " + std::to_string(part_units) + " of " +
         std::to_string(requested_units);
}

StudyTask StudyTask::from_key(const std::string& key) {
  std::istringstream in(key);
  std::string words[5];
  uint64_t pct_bits = 0;
  StudyTask t;
  in >> words[0] >> t.network >> words[1] >> pct_bits >> words[2] >> t.perturbation.seed >> words[3] >> t.part_units >>
      words[4] >> t.requested_units;
  if (!in || words[0] != "network" || words[1] != "pct" || words[2] != "seed" || words[3] != "part" ||
      words[4] != "of") {
    throw std::invalid_argument("not a study task: '" + key + "'");
  }
  t.perturbation.pct = std::bit_cast<double>(pct_bits);
  return t;
}

MetricsFn study_task_metrics(const std::vector<NetworkPtr>& networks, const StudyTask& task,
                             std::shared_ptr<cost::CostCache> cache) {
  if (task.network >= networks.size()) {
    throw std::invalid_argument("study task for network #" + std::to_string(task.network) + " of " +
                                std::to_string(networks.size()));
  }
  NetworkPtr network = networks[task.network];
  if (task.part_units == 0) {
    if (task.perturbation.pct == 0) return network_metrics(network, cache);
    return perturbed_network_metrics(network, cache, task.perturbation);
  }
  // Each of the other networks needs at least one unit, so larger parts are never used.
  const int others = static_cast<int>(networks.size()) - 1;
  return network_metrics(network, cache, [task, others](const arch::Accelerator& chip) {
    const int total = partition_units(chip, task.requested_units);
    std::optional<arch::Accelerator> part;
    if (task.part_units + others <= total) part = partition(chip, task.part_units, total);
    if (!part) throw InputError("<partition>", "", "the chip has no such part");
    task.perturbation.apply(*part);
    return std::move(*part);
  });
}

namespace study_detail {

double now_s() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

void check_unique_names(const std::vector<NetworkPtr>& networks, const std::string& reserved,
                        const std::string& place) {
  if (networks.empty()) throw InputError("<command line>", place, "expected at least one network");
  std::set<std::string> seen;
  for (const NetworkPtr& net : networks) {
    if (!reserved.empty() && net->name == reserved) {
      throw InputError("<command line>", place, "a network may not be named '" + reserved + "' (a reserved label)");
    }
    if (!seen.insert(net->name).second) {
      throw InputError("<command line>", place, "network '" + net->name + "' is listed twice");
    }
  }
}

namespace {

void check_size(const DesignSpace& space, size_t networks) {
  uint64_t size = space.size();
  if (size == 0) throw InputError(space.file(), "parameters", "the design space is empty");
  if (size > kMaxPairs / std::max<size_t>(1, networks)) {
    throw InputError(space.file(), "parameters",
                     "the space has " + std::to_string(size) +
                         " designs; a study evaluates every design for each of the " + std::to_string(networks) +
                         " networks, at most " + std::to_string(kMaxPairs) + " pairs in all. Use a smaller space");
  }
}

uint64_t violated_mask(const DesignSpace& space, const Evaluation& e) {
  if (!e.valid() || e.violated < 0) return 0;
  thread_local std::vector<double> values;
  space.variable_values(e.design, e.metrics, values);
  uint64_t mask = 0;
  const auto& constraints = space.constraints();
  for (size_t i = 0; i < constraints.size() && i < 64; ++i) {
    if (constraints[i].expression.evaluate(values) == 0) mask |= uint64_t{1} << i;
  }
  return mask;
}

// One network (row) over the matrix's designs, in chunks so progress can be reported.
void evaluate_network_row(const DesignSpace& space, const std::vector<NetworkPtr>& networks, size_t row, int threads,
                          const std::shared_ptr<cost::CostCache>& cache, SpaceMatrix& m,
                          const std::function<void(const Progress&)>& on_progress, double start_s,
                          const TechnologyPerturbation& perturbation, const StudyRemoteFn& remote) {
  const StudyTask task{static_cast<uint32_t>(row), perturbation};
  // Every design is asked for once (memo 0); the matrix keeps the answer.
  std::unique_ptr<Evaluator> evaluator = task_evaluator(space, networks, task, cache, threads, remote, 0);
  constexpr uint64_t kChunk = 4096;
  std::vector<Design> designs;
  for (uint64_t first = 0; first < m.designs; first += kChunk) {
    uint64_t last = std::min(m.designs, first + kChunk);
    designs.clear();
    for (uint64_t d = first; d < last; ++d) designs.push_back(m.design(space, d));
    std::vector<Evaluation> results = evaluator->evaluate(designs);
    for (uint64_t d = first; d < last; ++d) {
      const Evaluation& e = results[d - first];
      m.metrics[row][d] = e.metrics;
      m.valid[row][d] = e.valid() ? 1 : 0;
      m.feasible[row][d] = e.feasible() ? 1 : 0;
      m.violated[row][d] = violated_mask(space, e);
      if (e.valid()) m.area_mm2[d] = e.metrics.area_mm2;
    }
    if (on_progress) {
      on_progress(Progress{row * m.designs + last, m.designs * m.metrics.size(), now_s() - start_s});
    }
  }
}

SpaceMatrix fill_matrix(const DesignSpace& space, SpaceMatrix m, const std::vector<NetworkPtr>& networks, int threads,
                        const std::shared_ptr<cost::CostCache>& cache,
                        const std::function<void(const Progress&)>& on_progress, double start_s,
                        const TechnologyPerturbation& perturbation, const StudyRemoteFn& remote) {
  const size_t n = networks.size();
  m.metrics.assign(n, std::vector<Metrics>(m.designs));
  m.valid.assign(n, std::vector<char>(m.designs, 0));
  m.feasible.assign(n, std::vector<char>(m.designs, 0));
  m.violated.assign(n, std::vector<uint64_t>(m.designs, 0));
  m.area_mm2.assign(m.designs, std::numeric_limits<double>::infinity());
  for (size_t row = 0; row < n; ++row) {
    evaluate_network_row(space, networks, row, threads, cache, m, on_progress, start_s, perturbation, remote);
  }
  return m;
}

}  // namespace

std::unique_ptr<Evaluator> task_evaluator(const DesignSpace& space, const std::vector<NetworkPtr>& networks,
                                          const StudyTask& task, const std::shared_ptr<cost::CostCache>& cache,
                                          int threads, const StudyRemoteFn& remote, size_t memo_limit) {
  EvaluatorOptions options;
  options.threads = threads;
  options.model = networks.at(task.network)->name;
  options.memo_limit = memo_limit;
  if (remote) options.remote = remote(task);
  return std::make_unique<Evaluator>(space, study_task_metrics(networks, task, cache), options);
}

SpaceMatrix evaluate_space(const DesignSpace& space, const std::vector<NetworkPtr>& networks, int threads,
                           const std::shared_ptr<cost::CostCache>& cache,
                           const std::function<void(const Progress&)>& on_progress, double start_s,
                           const TechnologyPerturbation& perturbation, const StudyRemoteFn& remote) {
  check_size(space, networks.size());
  SpaceMatrix m;
  m.designs = space.size();
  return fill_matrix(space, std::move(m), networks, threads, cache, on_progress, start_s, perturbation, remote);
}

SpaceMatrix evaluate_designs(const DesignSpace& space, std::vector<Design> designs,
                             const std::vector<NetworkPtr>& networks, int threads,
                             const std::shared_ptr<cost::CostCache>& cache,
                             const std::function<void(const Progress&)>& on_progress, double start_s,
                             const TechnologyPerturbation& perturbation, const StudyRemoteFn& remote) {
  SpaceMatrix m;
  m.designs = designs.size();
  m.list = std::move(designs);
  return fill_matrix(space, std::move(m), networks, threads, cache, on_progress, start_s, perturbation, remote);
}

}  // namespace study_detail
}  // namespace acceldse::dse
