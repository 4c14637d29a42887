// Metrics derived from the cost model, and the objectives over them.
#include <cmath>
#include <limits>

#include "common/error.h"
#include "dse/dse.h"

namespace acceldse::dse {

namespace {

// One table so names, layout and lookup can never disagree.
struct MetricField {
  const char* name;
  double (*get)(const Metrics&);
};
constexpr MetricField kFields[] = {
    {"latency_s", [](const Metrics& m) { return m.latency_s; }},
    {"cycles", [](const Metrics& m) { return static_cast<double>(m.cycles); }},
    {"area_mm2", [](const Metrics& m) { return m.area_mm2; }},
    {"energy_pj", [](const Metrics& m) { return m.energy_pj; }},
    {"power_w", [](const Metrics& m) { return m.power_w; }},
    {"throughput_per_s", [](const Metrics& m) { return m.throughput_per_s; }},
    {"utilization", [](const Metrics& m) { return m.utilization; }},
    {"edp", [](const Metrics& m) { return m.edp; }},
    {"perf_per_area", [](const Metrics& m) { return m.perf_per_area; }},
    {"pes", [](const Metrics& m) { return static_cast<double>(m.pes); }},
    {"dram_bytes", [](const Metrics& m) { return static_cast<double>(m.dram_bytes); }},
    {"dram_power_w", [](const Metrics& m) { return m.dram_power_w; }},
};

struct NamedObjective {
  const char* name;
  const char* metric;
  Objective::Sense sense;
};
constexpr NamedObjective kObjectives[] = {
    {"latency", "latency_s", Objective::Sense::kMinimize},
    {"throughput", "throughput_per_s", Objective::Sense::kMaximize},
    {"perf_per_area", "perf_per_area", Objective::Sense::kMaximize},
    {"energy", "energy_pj", Objective::Sense::kMinimize},
    {"edp", "edp", Objective::Sense::kMinimize},
};

}  // namespace

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const MetricField& field : kFields) out.emplace_back(field.name);
    return out;
  }();
  return names;
}

void append_metric_values(const Metrics& metrics, std::vector<double>& out) {
  for (const MetricField& field : kFields) out.push_back(field.get(metrics));
}

std::optional<double> metric_value(const Metrics& metrics, std::string_view name) {
  for (const MetricField& field : kFields) {
    if (name == field.name) return field.get(metrics);
  }
  return std::nullopt;
}

Metrics metrics_of(const cost::NetworkCost& cost, const arch::Accelerator& accel) {
  Metrics m;
  m.latency_s = cost.latency_s;
  m.cycles = cost.totals.cycles;
  m.area_mm2 = cost.area.total_mm2();
  m.energy_pj = cost.totals.energy.total_pj();
  m.power_w = cost.power_w;
  m.dram_power_w = cost.dram_power_w;
  m.throughput_per_s = cost.throughput_per_s;
  m.utilization = cost.totals.utilization;
  m.edp = m.energy_pj * 1e-12 * m.latency_s;
  m.perf_per_area = m.area_mm2 > 0 ? m.throughput_per_s / m.area_mm2 : 0;
  m.pes = accel.pes();
  m.dram_bytes = cost.totals.dram_bytes();
  return m;
}

std::array<double, 3> pareto_vector(const Metrics& metrics) {
  return {metrics.latency_s, metrics.area_mm2, metrics.energy_pj};
}

Objective::Objective()
    : name_("latency"),
      metric_("latency_s"),
      expression_(std::make_shared<Expression>(Expression::parse("latency_s", metric_names(), "", ""))) {}

Objective Objective::parse(const std::string& text, const std::string& file, const std::string& place) {
  Objective objective;
  objective.name_ = text;
  if (text == "pareto") {
    objective.pareto_ = true;
    objective.expression_.reset();
    objective.metric_ = "latency_s*area_mm2*energy_pj";
    return objective;
  }
  for (const NamedObjective& named : kObjectives) {
    if (text == named.name) {
      objective.metric_ = named.metric;
      objective.sense_ = named.sense;
      objective.expression_ =
          std::make_shared<Expression>(Expression::parse(named.metric, metric_names(), file, place));
      return objective;
    }
  }
  bool is_min = text.starts_with("min ");
  if (!is_min && !text.starts_with("max ")) {
    throw InputError(file, place,
                     "unknown objective '" + text +
                         "'; expected latency, throughput, perf_per_area, energy, edp, pareto, "
                         "or 'min EXPR' / 'max EXPR' over metric names");
  }
  std::string body = text.substr(4);
  objective.sense_ = is_min ? Sense::kMinimize : Sense::kMaximize;
  objective.metric_ = body;
  objective.expression_ = std::make_shared<Expression>(Expression::parse(body, metric_names(), file, place));
  // An expression of constants only has one value for every design: refuse it now when
  // it is not finite (e.g. 1/0) instead of ranking designs by infinity.
  if (objective.expression_->uses().empty()) {
    const double value = objective.expression_->evaluate({});
    if (!std::isfinite(value)) {
      throw InputError(file, place,
                       "objective '" + text + "' is " + std::to_string(value) +
                           " for every design; expected an expression with a finite value");
    }
  }
  return objective;
}

double Objective::score(const Metrics& metrics) const {
  if (pareto_) return metrics.latency_s * metrics.area_mm2 * metrics.energy_pj;
  // Metrics come first in every variable layout, so the metric values alone suffice.
  thread_local std::vector<double> values;
  values.clear();
  append_metric_values(metrics, values);
  double v = expression_->evaluate(values);
  return sense_ == Sense::kMinimize ? v : -v;
}

}  // namespace acceldse::dse
