// Designing for a suite of networks (the paper's main study): each network's own
// optimum, the one design with the best (weighted) geometric-mean performance, and the
// cross matrix of every network on every one of those designs.
#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "dse/study.h"
#include "dse/study_internal.h"

namespace acceldse::dse {

namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

// The best of `count` designs among those `eligible`, by compare_rank on key(d), then
// the lower design number; kNone when none is eligible.
template <typename Eligible, typename Key>
size_t best_design(size_t count, Eligible eligible, Key key) {
  size_t best = kNone;
  RankKey best_key;
  for (size_t d = 0; d < count; ++d) {
    if (!eligible(d)) continue;
    RankKey k = key(d);
    if (best == kNone || compare_rank(k, best_key) < 0) {
      best = d;
      best_key = k;
    }
  }
  return best;
}

double energy_at(const std::vector<std::vector<double>>& energy_pj, size_t n, size_t d) {
  return energy_pj.empty() ? 0.0 : energy_pj[n][d];
}

// Weighted sums of logs of performance and of energy over the networks: the geomean
// design's objective and its energy tie-break (exp of either / the weight sum would not
// change the order).
struct LogScore {
  double perf = 0, energy = 0;
};
LogScore log_score(const std::vector<std::vector<double>>& perf, const std::vector<std::vector<double>>& energy_pj,
                   std::span<const double> weights, size_t d) {
  LogScore s;
  for (size_t n = 0; n < perf.size(); ++n) {
    const double w = weights.empty() ? 1.0 : weights[n];
    s.perf += w * std::log(perf[n][d]);
    const double e = energy_at(energy_pj, n, d);
    s.energy += e > 0 ? w * std::log(e) : 0.0;
  }
  return s;
}

// Best for network n among designs `allowed(d)` with positive performance.
template <typename Allowed>
size_t best_for(const std::vector<std::vector<double>>& perf, std::span<const double> area_mm2,
                const std::vector<std::vector<double>>& energy_pj, size_t n, Allowed allowed) {
  return best_design(
      perf[n].size(), [&](size_t d) { return allowed(d) && perf[n][d] > 0; },
      [&](size_t d) {
        return RankKey{-perf[n][d], area_mm2[d], energy_at(energy_pj, n, d)};
      });
}

// Best weighted geomean among designs every network may use (`allowed(n, d)`).
template <typename Allowed>
size_t best_geomean(const std::vector<std::vector<double>>& perf, std::span<const double> area_mm2,
                    const std::vector<std::vector<double>>& energy_pj, std::span<const double> weights,
                    Allowed allowed) {
  const size_t designs = perf.empty() ? 0 : perf[0].size();
  return best_design(
      designs,
      [&](size_t d) {
        for (size_t n = 0; n < perf.size(); ++n) {
          if (!allowed(n, d) || !(perf[n][d] > 0)) return false;
        }
        return true;
      },
      [&](size_t d) {
        LogScore s = log_score(perf, energy_pj, weights, d);
        return RankKey{-s.perf, area_mm2[d], s.energy};
      });
}

}  // namespace

SuiteChoice choose_suite_designs(const std::vector<std::vector<double>>& perf,
                                 const std::vector<std::vector<char>>& feasible, std::span<const double> area_mm2,
                                 std::span<const double> weights, const std::vector<std::vector<double>>& energy_pj) {
  SuiteChoice choice;
  for (size_t n = 0; n < perf.size(); ++n) {
    size_t best = best_for(perf, area_mm2, energy_pj, n, [&](size_t d) { return feasible[n][d] != 0; });
    if (best == kNone) throw InputError("<suite>", "network #" + std::to_string(n + 1), "no feasible design");
    choice.optimum.push_back(best);
  }
  size_t geomean =
      best_geomean(perf, area_mm2, energy_pj, weights, [&](size_t n, size_t d) { return feasible[n][d] != 0; });
  if (geomean == kNone) throw InputError("<suite>", "constraints", "no design is feasible for every network");
  choice.geomean = geomean;
  return choice;
}

std::vector<double> suite_improvement_pct(const std::vector<std::vector<double>>& cross,
                                          std::span<const double> weights) {
  std::vector<double> out;
  if (cross.empty()) return out;
  const std::vector<double>& selected = cross.back();
  for (size_t n = 0; n + 1 < cross.size(); ++n) {
    // Networks that optimum cannot run within the constraints (NaN) are left out.
    std::vector<double> ratio, used_weights;
    for (size_t m = 0; m < selected.size(); ++m) {
      if (std::isnan(cross[n][m])) continue;
      ratio.push_back(cross[n][m] > 0 ? selected[m] / cross[n][m] : std::numeric_limits<double>::infinity());
      used_weights.push_back(weights.empty() ? 1.0 : weights[m]);
    }
    out.push_back((geometric_mean(ratio, used_weights) - 1) * 100);
  }
  return out;
}

namespace {

std::vector<double> checked_weights(const SuiteOptions& options, size_t networks) {
  if (options.weights.empty()) return std::vector<double>(networks, 1.0);
  if (options.weights.size() != networks) {
    throw InputError("<command line>", "weights",
                     "got " + std::to_string(options.weights.size()) + " weights for " + std::to_string(networks) +
                         " networks; give one weight per network, in the same order");
  }
  for (double w : options.weights) {
    if (!std::isfinite(w) || w <= 0) throw InputError("<command line>", "weights", "every weight must be positive");
  }
  return options.weights;
}

void check_each_feasible(const study_detail::SpaceMatrix& m, const std::vector<NetworkPtr>& networks,
                         const DesignSpace& space) {
  for (size_t n = 0; n < networks.size(); ++n) {
    bool any = false;
    for (char f : m.feasible[n]) any = any || f;
    if (!any) {
      throw InputError(space.file(), "constraints",
                       "no design of the space is feasible for network '" + networks[n]->name + "'");
    }
  }
}

// The matrix as the pure core reads it: performance and energy [network][design].
struct Derived {
  std::vector<std::vector<double>> perf, energy_pj;
};

Derived derive(const study_detail::SpaceMatrix& m, const Objective& objective) {
  Derived x;
  x.perf.assign(m.metrics.size(), std::vector<double>(m.designs, 0));
  x.energy_pj.assign(m.metrics.size(), std::vector<double>(m.designs, 0));
  for (size_t n = 0; n < m.metrics.size(); ++n) {
    for (uint64_t d = 0; d < m.designs; ++d) {
      if (!m.valid[n][d]) continue;
      x.perf[n][d] = performance(objective, m.metrics[n][d]);
      x.energy_pj[n][d] = m.metrics[n][d].energy_pj;
    }
  }
  return x;
}

SuiteDesign make_row(const std::string& label, size_t d, const study_detail::SpaceMatrix& m,
                     const std::vector<std::vector<double>>& perf, const std::vector<double>& best_perf,
                     const DesignSpace& space) {
  SuiteDesign row;
  row.label = label;
  row.design = m.design(space, d);
  for (size_t n = 0; n < perf.size(); ++n) {
    row.metrics.push_back(m.metrics[n][d]);
    // A design that breaks a constraint when it runs this network (e.g. a power budget)
    // has no comparable performance for it.
    row.relative.push_back(m.feasible[n][d] ? perf[n][d] / best_perf[n] : std::numeric_limits<double>::quiet_NaN());
  }
  return row;
}

// ---- What each constraint did ----------------------------------------------------------

// Without constraint c, an optimum moves exactly when the best design that breaks no
// other constraint breaks c (the order is total, so the optimum is unique).
ConstraintBinding binding_of(size_t c, const DesignSpace& space, const study_detail::SpaceMatrix& m, const Derived& x,
                             std::span<const double> weights, const SuiteChoice& choice,
                             const std::vector<std::string>& names) {
  const uint64_t bit = uint64_t{1} << c;
  ConstraintBinding b;
  b.text = space.constraints()[c].text;
  for (uint64_t d = 0; d < m.designs; ++d) {
    bool removed = false;
    for (size_t n = 0; n < names.size(); ++n) {
      if (m.violated[n][d] & bit) {
        ++b.pairs_removed;
        removed = true;
      }
    }
    b.designs_removed += removed ? 1 : 0;
  }
  if (b.pairs_removed == 0) return b;
  auto allowed = [&](size_t n, size_t d) { return m.valid[n][d] && (m.violated[n][d] & ~bit) == 0; };
  for (size_t n = 0; n < names.size(); ++n) {
    size_t relaxed = best_for(x.perf, m.area_mm2, x.energy_pj, n, [&](size_t d) { return allowed(n, d); });
    if (relaxed != kNone && relaxed != choice.optimum[n]) b.binds.push_back(names[n]);
  }
  size_t relaxed = best_geomean(x.perf, m.area_mm2, x.energy_pj, weights, allowed);
  if (relaxed != kNone && relaxed != choice.geomean) b.binds.push_back("geomean");
  return b;
}

std::vector<ConstraintBinding> bindings(const DesignSpace& space, const study_detail::SpaceMatrix& m, const Derived& x,
                                        std::span<const double> weights, const SuiteChoice& choice,
                                        const std::vector<std::string>& names) {
  std::vector<ConstraintBinding> out;
  for (size_t c = 0; c < space.constraints().size(); ++c) {
    if (c >= 64) {  // beyond the mask: reported, not analysed
      out.push_back(ConstraintBinding{space.constraints()[c].text, 0, 0, {}, false});
      continue;
    }
    out.push_back(binding_of(c, space, m, x, weights, choice, names));
  }
  return out;
}

// ---- Heuristic candidates ----------------------------------------------------------------

uint64_t genetic_budget(const SuiteOptions& options, uint64_t space_size) {
  if (options.budget > 0) return std::min(options.budget, space_size);
  return std::min(space_size, std::clamp<uint64_t>(space_size / 10, 1000, 5000));
}

// Each network's own NSGA-II search; every design any of them visited is a candidate.
std::vector<Design> searched_designs(const DesignSpace& space, const std::vector<NetworkPtr>& networks,
                                     const SuiteOptions& options, const std::shared_ptr<cost::CostCache>& cache,
                                     uint64_t& evaluations) {
  const uint64_t budget = genetic_budget(options, space.size());
  ExploreOptions explore_options;
  explore_options.strategy = "genetic";
  explore_options.budget.evaluations = budget;
  explore_options.seed = options.seed;
  explore_options.sensitivity = false;
  std::vector<Design> out;
  for (uint32_t n = 0; n < networks.size(); ++n) {
    std::unique_ptr<Evaluator> evaluator = study_detail::task_evaluator(
        space, networks, StudyTask{n, options.perturbation}, cache, options.threads, options.remote, budget + 1024);
    explore(*evaluator, explore_options);
    evaluations += evaluator->evaluated();
    std::vector<Design> seen = evaluator->remembered();
    out.insert(out.end(), seen.begin(), seen.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Coordinate descent on the geomean from the best candidate: every single-parameter
// move of the current design is tried, the best taken, until none improves. The suite
// design is a compromise none of the per-network searches aims at, so it gets its own
// local search. Returns the designs it visited.
std::vector<Design> polish_geomean(const DesignSpace& space, const std::vector<NetworkPtr>& networks,
                                   const SuiteOptions& options, const std::shared_ptr<cost::CostCache>& cache,
                                   const std::vector<double>& weights, Design current, uint64_t& evaluations) {
  std::vector<Design> visited{current};
  constexpr int kMaxSteps = 64;
  for (int step = 0; step < kMaxSteps; ++step) {
    std::vector<Design> around{current};
    for (size_t p = 0; p < space.parameters().size(); ++p) {
      for (size_t v = 0; v < space.parameters()[p].values.size(); ++v) {
        if (v == current.index[p]) continue;
        Design d = current;
        d.index[p] = static_cast<uint16_t>(v);
        around.push_back(std::move(d));
      }
    }
    study_detail::SpaceMatrix m = study_detail::evaluate_designs(space, around, networks, options.threads, cache, {}, 0,
                                                                 options.perturbation, options.remote);
    evaluations += m.designs * networks.size();
    visited.insert(visited.end(), around.begin(), around.end());
    Derived x = derive(m, space.objective());
    size_t best = best_geomean(x.perf, m.area_mm2, x.energy_pj, weights,
                               [&](size_t n, size_t d) { return m.feasible[n][d] != 0; });
    // Index 0 is the current design; `around` is not sorted, so ties go to the earlier.
    if (best == kNone || best == 0) break;
    current = around[best];
  }
  return visited;
}

study_detail::SpaceMatrix heuristic_matrix(const DesignSpace& space, const std::vector<NetworkPtr>& networks,
                                           const SuiteOptions& options, const std::shared_ptr<cost::CostCache>& cache,
                                           const std::vector<double>& weights, double start, uint64_t& evaluations) {
  std::vector<Design> candidates = searched_designs(space, networks, options, cache, evaluations);
  study_detail::SpaceMatrix m =
      study_detail::evaluate_designs(space, candidates, networks, options.threads, cache, options.on_progress, start,
                                     options.perturbation, options.remote);
  Derived x = derive(m, space.objective());
  size_t seed_design =
      best_geomean(x.perf, m.area_mm2, x.energy_pj, weights, [&](size_t n, size_t d) { return m.feasible[n][d] != 0; });
  if (seed_design == kNone) return m;  // reported as "no design feasible for every network"
  std::vector<Design> polished =
      polish_geomean(space, networks, options, cache, weights, m.list[seed_design], evaluations);
  candidates.insert(candidates.end(), polished.begin(), polished.end());
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  return study_detail::evaluate_designs(space, std::move(candidates), networks, options.threads, cache, {}, start,
                                        options.perturbation, options.remote);
}

bool use_grid(const SuiteOptions& options, const DesignSpace& space, size_t networks) {
  if (options.strategy == "grid") return true;
  if (options.strategy == "genetic") return false;
  if (options.strategy != "auto") {
    throw InputError("<command line>", "strategy", "expected auto, grid or genetic, got '" + options.strategy + "'");
  }
  const uint64_t size = space.size();
  return size <= kExhaustivePairs / std::max<size_t>(1, networks);
}

}  // namespace

std::string ConstraintBinding::verdict() const {
  if (!analysed) return "not analysed (only the first 64 constraints are)";
  if (pairs_removed == 0) return "never binds (removes no design)";
  if (binds.empty()) return "removes designs but binds no optimum";
  std::string out = "binds the optimum of ";
  for (size_t i = 0; i < binds.size(); ++i) out += (i ? ", " : "") + binds[i];
  return out;
}

SuiteResult run_suite(const DesignSpace& space, const std::vector<NetworkPtr>& networks, const SuiteOptions& options) {
  const double start = study_detail::now_s();
  check_scalar_objective(space.objective(), "<command line>", "objective");
  study_detail::check_unique_names(networks, "geomean", "networks");
  SuiteResult result;
  result.weights = checked_weights(options, networks.size());
  auto cache = std::make_shared<cost::CostCache>();
  const bool grid = use_grid(options, space, networks.size());
  uint64_t search_evaluations = 0;
  study_detail::SpaceMatrix m =
      grid ? study_detail::evaluate_space(space, networks, options.threads, cache, options.on_progress, start,
                                          options.perturbation, options.remote)
           : heuristic_matrix(space, networks, options, cache, result.weights, start, search_evaluations);
  check_each_feasible(m, networks, space);

  Derived x = derive(m, space.objective());
  SuiteChoice choice = choose_suite_designs(x.perf, m.feasible, m.area_mm2, result.weights, x.energy_pj);
  for (size_t n = 0; n < networks.size(); ++n) {
    result.networks.push_back(networks[n]->name);
    result.best_perf.push_back(x.perf[n][choice.optimum[n]]);
  }
  for (size_t n = 0; n < networks.size(); ++n) {
    result.designs.push_back(make_row(networks[n]->name, choice.optimum[n], m, x.perf, result.best_perf, space));
  }
  result.designs.push_back(make_row("geomean", choice.geomean, m, x.perf, result.best_perf, space));

  std::vector<std::vector<double>> cross;
  for (const SuiteDesign& row : result.designs) cross.push_back(row.relative);
  result.improvement_pct = suite_improvement_pct(cross, result.weights);
  result.geomean_relative = geometric_mean(result.selected().relative, result.weights);
  result.objective = space.objective().name();
  result.space_size = space.size();
  result.strategy = grid ? "grid" : "genetic";
  result.proven = grid;
  result.designs_evaluated = m.designs;
  result.search_budget = grid ? 0 : genetic_budget(options, space.size());
  result.evaluations = m.designs * networks.size() + search_evaluations;
  result.constraints = bindings(space, m, x, result.weights, choice, result.networks);
  for (uint64_t d = 0; d < m.designs; ++d) {
    bool all = true;
    for (size_t n = 0; n < networks.size(); ++n) all = all && m.feasible[n][d];
    result.feasible_for_all += all ? 1 : 0;
  }
  result.cache_entries = cache->size();
  result.cache_hits = cache->hits();
  result.cache_misses = cache->misses();
  result.elapsed_s = study_detail::now_s() - start;
  return result;
}

DesignSpace with_technology(const DesignSpace& space, const std::string& node) {
  arch::Accelerator base = space.base();
  arch::set_parameter(base, "technology", node, "<command line>");
  DesignSpace out(space.name(), space.file(), base);
  for (const Parameter& p : space.parameters()) {
    if (p.name != "technology") out.add_parameter(p.name, p.values);
  }
  for (const Constraint& c : space.constraints()) out.add_constraint(c.text);
  out.set_objective(space.objective());
  return out;
}

}  // namespace acceldse::dse
