// Designing for a suite of networks (the paper's main study): each network's own
// optimum, the one design with the best (weighted) geometric-mean performance, and the
// cross matrix of every network on every one of those designs.
#include <cmath>
#include <limits>

#include "common/error.h"
#include "dse/study.h"
#include "dse/study_internal.h"

namespace acceldse::dse {

namespace {

// Lexicographic (value higher, area lower, design number lower): results never depend
// on the order designs were evaluated in, and equal-performance designs (e.g. ones
// differing only in technology) resolve to the cheapest.
bool preferred(double value, double area, size_t d, double best_value, double best_area, size_t best) {
  if (value != best_value) return value > best_value;
  if (area != best_area) return area < best_area;
  return d < best;
}

size_t best_for_network(const std::vector<double>& perf, const std::vector<char>& feasible,
                        std::span<const double> area_mm2, size_t network) {
  size_t best = perf.size();
  for (size_t d = 0; d < perf.size(); ++d) {
    if (!feasible[d] || !(perf[d] > 0)) continue;
    if (best == perf.size() || preferred(perf[d], area_mm2[d], d, perf[best], area_mm2[best], best)) best = d;
  }
  if (best == perf.size()) {
    throw InputError("<suite>", "network #" + std::to_string(network + 1), "no feasible design");
  }
  return best;
}

// Weighted sum of logs, or -infinity when the design is not feasible for every network.
double log_score(const std::vector<std::vector<double>>& perf, const std::vector<std::vector<char>>& feasible,
                 std::span<const double> weights, size_t d) {
  double sum = 0;
  for (size_t n = 0; n < perf.size(); ++n) {
    if (!feasible[n][d] || !(perf[n][d] > 0)) return -std::numeric_limits<double>::infinity();
    sum += (weights.empty() ? 1.0 : weights[n]) * std::log(perf[n][d]);
  }
  return sum;
}

}  // namespace

SuiteChoice choose_suite_designs(const std::vector<std::vector<double>>& perf,
                                 const std::vector<std::vector<char>>& feasible,
                                 std::span<const double> area_mm2, std::span<const double> weights) {
  SuiteChoice choice;
  for (size_t n = 0; n < perf.size(); ++n) choice.optimum.push_back(best_for_network(perf[n], feasible[n], area_mm2, n));
  const size_t designs = perf.empty() ? 0 : perf[0].size();
  const double none = -std::numeric_limits<double>::infinity();
  double best_score = none;
  for (size_t d = 0; d < designs; ++d) {
    double score = log_score(perf, feasible, weights, d);
    if (score == none) continue;
    if (best_score == none || preferred(score, area_mm2[d], d, best_score, area_mm2[choice.geomean], choice.geomean)) {
      best_score = score;
      choice.geomean = d;
    }
  }
  if (best_score == none) throw InputError("<suite>", "constraints", "no design is feasible for every network");
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
    throw InputError("<command line>", "--weights",
                     "got " + std::to_string(options.weights.size()) + " weights for " + std::to_string(networks) +
                         " networks; give one weight per network, in the same order");
  }
  for (double w : options.weights) {
    if (!std::isfinite(w) || w <= 0) throw InputError("<command line>", "--weights", "every weight must be positive");
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

SuiteDesign make_row(const std::string& label, size_t d, const study_detail::SpaceMatrix& m,
                     const std::vector<std::vector<double>>& perf, const std::vector<double>& best_perf,
                     const DesignSpace& space) {
  SuiteDesign row;
  row.label = label;
  row.design = space.design_at(d);
  for (size_t n = 0; n < perf.size(); ++n) {
    row.metrics.push_back(m.metrics[n][d]);
    // A design that breaks a constraint when it runs this network (e.g. a power budget)
    // has no comparable performance for it.
    row.relative.push_back(m.feasible[n][d] ? perf[n][d] / best_perf[n] : std::numeric_limits<double>::quiet_NaN());
  }
  return row;
}

}  // namespace

SuiteResult run_suite(const DesignSpace& space, const std::vector<NetworkPtr>& networks,
                      const SuiteOptions& options) {
  const double start = study_detail::now_s();
  check_scalar_objective(space.objective(), "<command line>", "--objective");
  study_detail::check_unique_names(networks, "geomean", "--models");
  SuiteResult result;
  result.weights = checked_weights(options, networks.size());
  auto cache = std::make_shared<cost::CostCache>();
  study_detail::SpaceMatrix m =
      study_detail::evaluate_space(space, networks, options.threads, cache, options.on_progress, start);
  check_each_feasible(m, networks, space);

  std::vector<std::vector<double>> perf(networks.size(), std::vector<double>(m.designs, 0));
  for (size_t n = 0; n < networks.size(); ++n) {
    for (uint64_t d = 0; d < m.designs; ++d) {
      if (m.valid[n][d]) perf[n][d] = performance(space.objective(), m.metrics[n][d]);
    }
  }
  SuiteChoice choice = choose_suite_designs(perf, m.feasible, m.area_mm2, result.weights);
  for (size_t n = 0; n < networks.size(); ++n) {
    result.networks.push_back(networks[n]->name);
    result.best_perf.push_back(perf[n][choice.optimum[n]]);
  }
  for (size_t n = 0; n < networks.size(); ++n) {
    result.designs.push_back(make_row(networks[n]->name, choice.optimum[n], m, perf, result.best_perf, space));
  }
  result.designs.push_back(make_row("geomean", choice.geomean, m, perf, result.best_perf, space));

  std::vector<std::vector<double>> cross;
  for (const SuiteDesign& row : result.designs) cross.push_back(row.relative);
  result.improvement_pct = suite_improvement_pct(cross, result.weights);
  result.geomean_relative = geometric_mean(result.selected().relative, result.weights);
  result.objective = space.objective().name();
  result.space_size = m.designs;
  result.evaluations = m.designs * networks.size();
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

}  // namespace acceldse::dse
