#include "documents/documents.h"

#include <cmath>
#include <limits>

#include "report/report.h"

namespace acceldse::documents {
namespace {

using json = nlohmann::json;

// ---- evaluate ----------------------------------------------------------------------------

json energy_json(const cost::Energy& e) {
  return {{"mac_pj", e.mac_pj},
          {"register_pj", e.register_pj},
          {"input_sram_pj", e.input_sram_pj},
          {"weight_sram_pj", e.weight_sram_pj},
          {"output_sram_pj", e.output_sram_pj},
          {"dram_pj", e.dram_pj},
          {"vector_pj", e.vector_pj},
          {"leakage_pj", e.leakage_pj},
          {"pe_storage_pj", e.pe_storage_pj},
          {"noc_pj", e.noc_pj},
          {"clock_pj", e.clock_pj},
          {"io_pj", e.io_pj},
          {"dram_background_pj", e.dram_background_pj},
          {"chip_pj", e.chip_pj()},
          {"total_pj", e.total_pj()}};
}

json area_json(const cost::Area& a) {
  return {{"pe_mm2", a.pe_mm2},
          {"register_mm2", a.register_mm2},
          {"input_sram_mm2", a.input_sram_mm2},
          {"weight_sram_mm2", a.weight_sram_mm2},
          {"output_sram_mm2", a.output_sram_mm2},
          {"vector_mm2", a.vector_mm2},
          {"interconnect_mm2", a.interconnect_mm2},
          {"pe_storage_mm2", a.pe_storage_mm2},
          {"array_control_mm2", a.array_control_mm2},
          {"clock_tree_mm2", a.clock_tree_mm2},
          {"whitespace_mm2", a.whitespace_mm2},
          {"dram_phy_mm2", a.dram_phy_mm2},
          {"host_interface_mm2", a.host_interface_mm2},
          {"core_mm2", a.core_mm2()},
          {"total_mm2", a.total_mm2()}};
}

json sram_json(const cost::OpCost& c) {
  return {{"input_reads_bytes", c.input_sram_reads_bytes},   {"input_writes_bytes", c.input_sram_writes_bytes},
          {"weight_reads_bytes", c.weight_sram_reads_bytes}, {"weight_writes_bytes", c.weight_sram_writes_bytes},
          {"output_reads_bytes", c.output_sram_reads_bytes}, {"output_writes_bytes", c.output_sram_writes_bytes}};
}

// Fields common to a layer and the totals.
json cost_json(const cost::OpCost& c) {
  return {{"cycles", c.cycles},
          {"compute_cycles", c.compute_cycles},
          {"stall_cycles", c.stall_cycles},
          {"vector_cycles", c.vector_cycles},
          {"utilization", c.utilization},
          {"macs", c.macs},
          {"dram_bytes", c.dram_bytes()},
          {"dram_read_bytes", c.dram_read_bytes},
          {"dram_write_bytes", c.dram_write_bytes},
          {"energy_pj", c.energy.total_pj()},
          {"energy", energy_json(c.energy)},
          {"sram", sram_json(c)},
          {"bound", cost::to_string(c.bound)}};
}

json layer_json(const workload::Op& op, const cost::OpCost& c) {
  json j = cost_json(c);
  j["name"] = op.name;
  j["op"] = op.type;
  j["fused"] = c.fused;
  j["mapping"] = c.fused ? "fused" : c.mapping.to_string();
  const cost::Mapping& m = c.mapping;
  j["mapping_detail"] = {{"dataflow", m.loop_order.empty() ? "" : arch::to_string(m.dataflow)},
                         {"on_vector_unit", m.on_vector_unit},
                         {"tile_m", m.tile_m},
                         {"tile_k", m.tile_k},
                         {"tile_n", m.tile_n},
                         {"loop_order", m.loop_order}};
  return j;
}

json arch_params_json(const arch::Accelerator& a) {
  return {{"rows", a.tensor.rows},
          {"cols", a.tensor.cols},
          {"arrays", a.tensor.arrays},
          {"dataflow", arch::to_string(a.tensor.dataflow)},
          {"pes", a.pes()},
          {"peak_macs_per_cycle", a.pes()},
          {"vector_lanes", a.vector.lanes},
          {"clock_ghz", a.clock_ghz},
          {"dram_bandwidth_gb_per_s", a.dram.bandwidth_gb_per_s},
          {"dram_bytes_per_cycle", a.dram_bytes_per_cycle()},
          {"dram_stall_free", a.dram.stall_free},
          {"precision", a.precision.mac_type()},
          {"technology", a.technology.name},
          {"dram_type", a.dram.type},
          {"dram_channels", arch::dram_channels(a)},
          {"host_interface", a.host_interface},
          {"vdd_v", arch::operating_vdd(a)}};
}

}  // namespace

json evaluation(const workload::Network& net, const arch::Accelerator& accel, int64_t batch,
                const cost::NetworkCost& nc) {
  json totals = cost_json(nc.totals);
  totals["latency_s"] = nc.latency_s;
  totals["throughput_per_s"] = nc.throughput_per_s;
  totals["micro_batch"] = nc.micro_batch;
  totals["power_w"] = nc.power_w;
  totals["dram_power_w"] = nc.dram_power_w;
  totals["idle_power_w"] = cost::idle_power_w(accel);
  totals["area_mm2"] = nc.area.total_mm2();
  totals["area"] = area_json(nc.area);
  json layers = json::array();
  for (size_t i = 0; i < nc.layers.size(); ++i) layers.push_back(layer_json(net.ops[i], nc.layers[i]));
  json doc = {{"model", net.name},
              {"arch", accel.name},
              {"batch", batch},
              {"arch_params", arch_params_json(accel)},
              {"totals", totals},
              {"energy", energy_json(nc.totals.energy)},
              {"area", area_json(nc.area)},
              {"layers", layers}};
  return doc;
}

// ---- designs and explore ---------------------------------------------------------------

bool is_integer_metric(const std::string& name) { return name == "cycles" || name == "pes" || name == "dram_bytes"; }

Json metrics(const dse::Metrics& metrics) {
  Json out = Json::object();
  for (const std::string& name : dse::metric_names()) {
    double v = *dse::metric_value(metrics, name);
    if (is_integer_metric(name)) {
      out[name] = static_cast<int64_t>(v);
    } else {
      out[name] = v;
    }
  }
  return out;
}

Json params(const std::vector<std::pair<std::string, std::string>>& values) {
  Json out = Json::object();
  for (const auto& [name, value] : values) out[name] = report::json_value(value);
  return out;
}

std::vector<std::pair<std::string, std::string>> design_params(const dse::DesignSpace& space,
                                                               const dse::Design& design) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < space.parameters().size(); ++i)
    out.emplace_back(space.parameters()[i].name, space.value(design, i));
  return out;
}

double objective_value(const dse::Objective& objective, const dse::Evaluation& e) {
  if (!e.valid()) return std::numeric_limits<double>::quiet_NaN();
  return objective.sense() == dse::Objective::Sense::kMaximize ? -e.score : e.score;
}

Json breakdown(const cost::NetworkCost& cost) {
  const cost::OpCost& t = cost.totals;
  Json bound = Json::object();
  for (const cost::OpCost& layer : cost.layers) {
    std::string name = cost::to_string(layer.bound);
    bound[name] = bound.value(name, 0) + 1;
  }
  const cost::Energy& e = t.energy;
  const cost::Area& a = cost.area;
  return Json{{"compute_cycles", t.compute_cycles},
              {"stall_cycles", t.stall_cycles},
              {"vector_cycles", t.vector_cycles},
              {"macs", t.macs},
              {"dram_read_bytes", t.dram_read_bytes},
              {"dram_write_bytes", t.dram_write_bytes},
              {"energy_pj",
               {{"mac", e.mac_pj},
                {"register", e.register_pj},
                {"input_sram", e.input_sram_pj},
                {"weight_sram", e.weight_sram_pj},
                {"output_sram", e.output_sram_pj},
                {"dram", e.dram_pj},
                {"vector", e.vector_pj},
                {"leakage", e.leakage_pj},
                {"pe_storage", e.pe_storage_pj},
                {"noc", e.noc_pj},
                {"clock", e.clock_pj},
                {"io", e.io_pj},
                {"dram_background", e.dram_background_pj}}},
              {"area_mm2",
               {{"pe", a.pe_mm2},
                {"register", a.register_mm2},
                {"input_sram", a.input_sram_mm2},
                {"weight_sram", a.weight_sram_mm2},
                {"output_sram", a.output_sram_mm2},
                {"vector", a.vector_mm2},
                {"interconnect", a.interconnect_mm2},
                {"pe_storage", a.pe_storage_mm2},
                {"array_control", a.array_control_mm2},
                {"clock_tree", a.clock_tree_mm2},
                {"whitespace", a.whitespace_mm2},
                {"dram_phy", a.dram_phy_mm2},
                {"host_interface", a.host_interface_mm2}}},
              {"layers_by_bound", bound}};
}

Json design(const dse::DesignSpace& space, const dse::Evaluation& e) {
  return Json{{"params", params(design_params(space, e.design))}, {"metrics", metrics(e.metrics)}};
}

namespace {

Json sensitivity_json(const Exploration& run) {
  Json out = Json::array();
  const dse::Objective& objective = run.space.objective();
  double best = objective_value(objective, *run.result.best);
  for (const dse::Sensitivity& s : run.result.sensitivity) {
    Json points = Json::array();
    for (const dse::SensitivityPoint& p : s.points) {
      double v = objective_value(objective, p.evaluation);
      Json point{{"value", report::json_value(p.value)},
                 {"valid", p.evaluation.valid()},
                 {"feasible", p.evaluation.feasible()}};
      point["objective"] = std::isnan(v) ? Json(nullptr) : Json(v);
      point["relative"] = std::isnan(v) || best == 0 ? Json(nullptr) : Json(v / best);
      points.push_back(std::move(point));
    }
    out.push_back(Json{{"parameter", s.parameter},
                       {"best_value", report::json_value(s.points[s.best_index].value)},
                       {"points", points}});
  }
  return out;
}

Json spread_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json uncertainty_json(const dse::ExploreUncertainty& u) {
  return Json{{"pct", u.options.pct},
              {"samples", u.options.samples},
              {"seed", u.options.seed},
              {"best_same", u.best_same},
              {"objective",
               {{"min", spread_or_null(u.objective.min)},
                {"median", spread_or_null(u.objective.median)},
                {"max", spread_or_null(u.objective.max)}}},
              {"elapsed_s", u.elapsed_s}};
}

}  // namespace

Json exploration(const Exploration& run) {
  const dse::ExploreResult& r = run.result;
  const dse::DesignSpace& space = run.space;
  Json constraints = Json::array();
  for (const dse::Constraint& c : space.constraints()) constraints.push_back(c.text);
  Json out{{"model", run.network.name},
           {"space", {{"name", space.name()}, {"file", space.file()}, {"size", space.size()}, {"hash", space.hash()}}},
           {"objective", space.objective().name()},
           {"objective_metric", space.objective().metric()},
           {"constraints", constraints},
           {"strategy", r.strategy},
           {"seed", r.seed},
           {"evaluated", r.evaluated},
           {"search_evaluated", r.search_evaluated},
           {"feasible", r.feasible}};
  Json best = design(space, *r.best);
  best["objective"] = objective_value(space.objective(), *r.best);
  arch::Accelerator accel = space.accelerator(r.best->design);
  best["breakdown"] = breakdown(cost::evaluate_network(run.network, accel, &run.cache));
  best["accelerator_yaml"] = arch::to_yaml(accel);
  out["best"] = best;
  Json pareto = Json::array();
  for (const dse::Evaluation& e : r.pareto) pareto.push_back(design(space, e));
  out["pareto"] = pareto;
  out["sensitivity"] = sensitivity_json(run);
  if (run.uncertainty) out["uncertainty"] = uncertainty_json(*run.uncertainty);
  double rate = r.elapsed_s > 0 ? static_cast<double>(r.computed) / r.elapsed_s : 0;
  out["run"] =
      Json{{"threads", run.threads},
           {"elapsed_s", r.elapsed_s},
           {"designs_per_s", rate},
           {"computed", r.computed},
           {"from_store", r.from_store},
           {"cost_cache", {{"entries", run.cache.size()}, {"hits", run.cache.hits()}, {"misses", run.cache.misses()}}}};
  if (run.mpi_ranks > 1) out["run"]["mpi_ranks"] = run.mpi_ranks;
  return out;
}

Json stored_designs(const std::string& db, size_t matched, const std::vector<dse::StoredDesign>& designs) {
  Json out = Json::array();
  for (const dse::StoredDesign& d : designs) {
    out.push_back(
        Json{{"model", d.model}, {"space", d.space}, {"params", params(d.params())}, {"metrics", metrics(d.metrics)}});
  }
  return Json{{"db", db}, {"matched", matched}, {"designs", out}};
}

// ---- validate ----------------------------------------------------------------------------

Json validation(const ValidationHeader& h, const std::vector<validation::NetworkComparison>& results) {
  Json j;
  j["metric"] = h.compute_cycles_only ? "compute_cycles" : "cycles";
  j["unlimited_bandwidth"] = h.compute_cycles_only;
  j["mapping"] = h.mapping;
  j["im2col"] = h.im2col;
  j["bound_pct"] = h.bound_pct;
  if (h.layer_bound_pct >= 0) j["layer_bound_pct"] = h.layer_bound_pct;
  j["pass"] = h.pass;
  j["networks"] = Json::array();
  j["layers"] = Json::array();
  for (const validation::NetworkComparison& n : results) {
    const validation::LayerComparison* w = n.worst();
    j["networks"].push_back({{"model", n.model},
                             {"arch", n.arch},
                             {"dataflow", arch::to_string(n.dataflow)},
                             {"layers", n.layers.size()},
                             {"skipped_vector_layers", n.skipped},
                             {"sim", n.sim_total},
                             {"cost", n.cost_total},
                             {"error_pct", 100 * n.total_error()},
                             {"mean_abs_layer_error_pct", 100 * n.mean_abs_error()},
                             {"max_abs_layer_error_pct", w ? 100 * std::abs(w->error()) : 0.0},
                             {"max_error_layer", w ? w->layer : ""},
                             {"sim_dram_bytes", n.sim_dram},
                             {"cost_dram_bytes", n.cost_dram},
                             {"dram_error_pct", 100 * n.dram_error()},
                             {"pass", n.passes(h.bound_pct, h.layer_bound_pct)}});
    for (const validation::LayerComparison& l : n.layers) {
      j["layers"].push_back({{"model", n.model},
                             {"arch", n.arch},
                             {"dataflow", arch::to_string(n.dataflow)},
                             {"layer", l.layer},
                             {"op", l.op},
                             {"sim", l.sim},
                             {"cost", l.cost},
                             {"error_pct", 100 * l.error()},
                             {"sim_compute_cycles", l.sim_compute},
                             {"cost_compute_cycles", l.cost_compute},
                             {"sim_dram_bytes", l.sim_dram},
                             {"cost_dram_bytes", l.cost_dram},
                             {"cost_mapping", l.mapping}});
    }
  }
  return j;
}

std::string dumped(const Json& doc) { return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace); }
std::string dumped(const nlohmann::json& doc) {
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}
nlohmann::json for_report(const Json& doc) { return nlohmann::json::parse(dumped(doc)); }

}  // namespace acceldse::documents
