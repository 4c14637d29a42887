// The documents of the studies: suite, corun and fit-model (keys in docs/commands.md).
#include <fmt/format.h>

#include <cmath>

#include "documents/documents.h"
#include "report/report.h"

namespace acceldse::documents {
namespace {

Json finite_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json spread_json(const dse::Spread& s) {
  return Json{{"min", finite_or_null(s.min)}, {"median", finite_or_null(s.median)}, {"max", finite_or_null(s.max)}};
}

Json uncertainty_json(const dse::SuiteUncertainty& u, const dse::SuiteResult& r) {
  Json optimum = Json::object(), improvement = Json::object();
  for (size_t n = 0; n < r.networks.size(); ++n) {
    optimum[r.networks[n]] = u.optimum_same[n];
    improvement[r.networks[n]] = spread_json(u.improvement_pct[n]);
  }
  return Json{{"pct", u.options.pct},
              {"samples", u.options.samples},
              {"seed", u.options.seed},
              {"optimum_same", optimum},
              {"selected_same", u.selected_same},
              {"improvement_pct", improvement},
              {"geomean", spread_json(u.geomean_relative)},
              {"samples_without_answer", u.samples_without_answer},
              {"elapsed_s", u.elapsed_s}};
}

Json constraint_report_json(const dse::SuiteResult& r) {
  Json out = Json::array();
  for (const dse::ConstraintBinding& c : r.constraints) {
    out.push_back(Json{{"constraint", c.text},
                       {"pairs_removed", c.pairs_removed},
                       {"designs_removed", c.designs_removed},
                       {"binds", c.binds},
                       {"verdict", c.verdict()}});
  }
  return out;
}

Json share_json(const dse::Share& s) {
  return Json{{"pes", s.pes},
              {"rows", s.rows},
              {"cols", s.cols},
              {"arrays", s.arrays},
              {"buffer_kib", s.buffer_kib},
              {"dram_gb_per_s", s.dram_gb_per_s},
              {"vector_lanes", s.vector_lanes},
              {"time", s.time}};
}

Json plan_networks_json(const dse::CorunPlan& plan, const std::vector<std::string>& targets) {
  Json out = Json::array();
  for (size_t i = 0; i < plan.networks.size(); ++i) {
    const dse::CorunNetwork& n = plan.networks[i];
    Json entry{{"name", n.name}, {"target", targets[i]}};
    if (n.demand.is_target())
      entry["target_per_s"] = n.demand.target_per_s;
    else
      entry["weight"] = n.demand.weight;
    entry["throughput_per_s"] = n.throughput_per_s;
    entry["latency_s"] = n.latency_s;
    entry["meets_target"] = n.meets_target();
    entry["share"] = share_json(n.share);
    out.push_back(std::move(entry));
  }
  return out;
}

Json plan_summary_json(const dse::DesignSpace& space, const dse::CorunPlan& plan) {
  Json throughput = Json::object();
  for (const dse::CorunNetwork& n : plan.networks) throughput[n.name] = n.throughput_per_s;
  return Json{{"mode", dse::to_string(plan.mode)},
              {"design", {{"params", params(design_params(space, plan.design))}, {"area_mm2", plan.area_mm2}}},
              {"mix_rate_per_s", plan.mix_rate_per_s},
              {"headroom", plan.headroom},
              {"power_w", plan.aggregate.power_w},
              {"throughput_per_s", throughput}};
}

Json values_json(const std::vector<int64_t>& v) { return v.size() == 1 ? Json(v[0]) : Json(v); }

Json layers_json(const std::vector<dse::LayerUtil>& layers) {
  Json out = Json::array();
  for (const dse::LayerUtil& l : layers)
    out.push_back(Json{{"name", l.layer}, {"utilization", l.utilization}, {"cycles", l.cycles}});
  return out;
}

Json array_candidates_json(const std::vector<dse::ArrayCandidate>& found, const std::vector<std::string>& names,
                           size_t top) {
  Json out = Json::array();
  for (size_t i = 0; i < found.size() && i < top; ++i) {
    const dse::ArrayCandidate& c = found[i];
    Json latency = Json::object(), util = Json::object();
    for (size_t n = 0; n < names.size(); ++n) {
      latency[names[n]] = c.latency_s[n];
      util[names[n]] = c.utilization[n];
    }
    out.push_back(Json{{"rows", c.rows},
                       {"cols", c.cols},
                       {"pes", c.rows * c.cols},
                       {"geomean_latency_s", c.geomean_latency_s},
                       {"geomean_utilization", c.geomean_utilization},
                       {"latency_s", latency},
                       {"utilization", util}});
  }
  return out;
}

}  // namespace

std::string fixed_technology(const dse::DesignSpace& space) {
  for (const dse::Parameter& p : space.parameters()) {
    if (p.name == "technology") return "";
  }
  return space.base().technology_name;
}

double change_pct(int64_t before, int64_t after) {
  return before != 0 ? (static_cast<double>(after) - static_cast<double>(before)) / static_cast<double>(before) * 100
                     : 0;
}

Json suite(const Suite& run) {
  const dse::SuiteResult& r = run.result;
  Json designs = Json::object(), cross = Json::object(), improvement = Json::object(), best = Json::object();
  for (const dse::SuiteDesign& d : r.designs) {
    Json metrics = Json::object();
    for (size_t n = 0; n < r.networks.size(); ++n) {
      metrics[r.networks[n]] =
          Json{{"latency_s", d.metrics[n].latency_s},     {"throughput_per_s", d.metrics[n].throughput_per_s},
               {"utilization", d.metrics[n].utilization}, {"energy_pj", d.metrics[n].energy_pj},
               {"power_w", d.metrics[n].power_w},         {"perf_per_area", d.metrics[n].perf_per_area}};
    }
    designs[d.label] = Json{{"params", params(design_params(run.space, d.design))},
                            {"area_mm2", d.metrics.front().area_mm2},
                            {"metrics", metrics}};
    Json row = Json::object();
    for (size_t n = 0; n < r.networks.size(); ++n) row[r.networks[n]] = finite_or_null(d.relative[n]);
    cross[d.label] = row;
  }
  for (size_t n = 0; n < r.networks.size(); ++n) {
    improvement[r.networks[n]] = finite_or_null(r.improvement_pct[n]);
    best[r.networks[n]] = r.best_perf[n];
  }
  Json constraints = Json::array();
  for (const dse::Constraint& c : run.space.constraints()) constraints.push_back(c.text);
  std::string technology = fixed_technology(run.space);
  Json out{{"networks", r.networks},
           {"designs", designs},
           {"cross_matrix", cross},
           {"improvement_pct", improvement},
           {"selected", "geomean"},
           {"geomean", r.geomean_relative},
           {"objective", r.objective},
           {"objective_metric", run.space.objective().metric()},
           {"best_performance", best},
           {"weights", r.weights},
           {"space", {{"name", run.space.name()}, {"file", run.space.file()}, {"size", r.space_size}}},
           {"constraints", constraints},
           {"technology", technology.empty() ? Json(nullptr) : Json(technology)},
           {"search",
            {{"strategy", r.strategy},
             {"proven", r.proven},
             {"evaluations", r.evaluations},
             {"designs_evaluated", r.designs_evaluated},
             {"exhaustive_limit_pairs", dse::kExhaustivePairs},
             {"seed", r.strategy == "grid" ? Json(nullptr) : Json(run.seed)},
             {"budget", r.strategy == "grid" ? Json(nullptr) : Json(r.search_budget)}}},
           {"constraint_report", constraint_report_json(r)},
           {"run",
            {{"threads", run.threads},
             {"elapsed_s", r.elapsed_s},
             {"evaluations", r.evaluations},
             {"feasible_for_all", r.feasible_for_all},
             {"cost_cache", {{"entries", r.cache_entries}, {"hits", r.cache_hits}, {"misses", r.cache_misses}}}}}};
  if (run.mpi_ranks > 1) out["run"]["mpi_ranks"] = run.mpi_ranks;
  if (run.uncertainty) out["uncertainty"] = uncertainty_json(*run.uncertainty, r);
  return out;
}

Json corun(const dse::DesignSpace& space, const dse::CorunResult& r, const std::vector<std::string>& targets,
           const std::string& requested_mode, int mpi_ranks) {
  Json alternatives = Json::array();
  for (const auto* plan : {&r.best_spatial, &r.best_time}) {
    if (*plan) alternatives.push_back(plan_summary_json(space, **plan));
  }
  Json out{{"mode", dse::to_string(r.best.mode)},
           {"requested_mode", requested_mode},
           {"design", {{"params", params(design_params(space, r.best.design))}, {"area_mm2", r.best.area_mm2}}},
           {"mix_rate_per_s", r.best.mix_rate_per_s},
           {"headroom", r.best.headroom},
           {"power_w", r.best.aggregate.power_w},
           {"networks", plan_networks_json(r.best, targets)},
           {"alternatives", alternatives},
           {"space", {{"name", space.name()}, {"file", space.file()}, {"size", r.space_size}}},
           {"run", {{"elapsed_s", r.elapsed_s}, {"evaluations", r.evaluations}}}};
  if (mpi_ranks > 1) out["run"]["mpi_ranks"] = mpi_ranks;
  return out;
}

Json fit(const dse::FitResult& r, const std::string& model, const std::string& arch, double tolerance_pct,
         const std::string& output) {
  Json changes = Json::array();
  for (const dse::FitChange& c : r.changes) {
    changes.push_back(Json{{"layer", c.layer},
                           {"field", c.field},
                           {"old", values_json(c.old_value)},
                           {"new", values_json(c.new_value)},
                           {"reason", c.reason}});
  }
  return Json{{"model", model},
              {"arch", arch},
              {"tolerance_pct", tolerance_pct},
              {"speedup", r.speedup()},
              {"cycles_before", r.cycles_before},
              {"cycles_after", r.cycles_after},
              {"latency_before_s", r.latency_before_s},
              {"latency_after_s", r.latency_after_s},
              {"macs_before", r.macs_before},
              {"macs_after", r.macs_after},
              {"macs_change_pct", change_pct(r.macs_before, r.macs_after)},
              {"params_before", r.params_before},
              {"params_after", r.params_after},
              {"params_change_pct", change_pct(r.params_before, r.params_after)},
              {"classes", r.classes},
              {"frozen_classes", r.frozen_classes},
              {"changes", changes},
              {"layers_before", layers_json(r.layers_before)},
              {"layers_after", layers_json(r.layers_after)},
              {"output", output.empty() ? Json(nullptr) : Json(output)}};
}

Json suggested_arrays(int64_t pes, bool exact, const std::vector<std::string>& networks,
                      const std::vector<dse::ArrayCandidate>& found, size_t top) {
  return Json{{"pes", pes},
              {"exact", exact},
              {"networks", networks},
              {"candidates", array_candidates_json(found, networks, top)}};
}

}  // namespace acceldse::documents
