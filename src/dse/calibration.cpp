// Calibration against published chips: read the checks, evaluate, compare.
#include "dse/calibration.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <map>

#include "arch/arch.h"
#include "common/data_dir.h"
#include "common/error.h"
#include "common/input_limits.h"
#include "common/yaml_check.h"
#include "cost/cost.h"
#include "workload/workload.h"

namespace acceldse::dse {
namespace {

namespace fs = std::filesystem;

struct Run {
  const arch::Accelerator& accel;
  const workload::Network& net;
  const cost::NetworkCost& cost;
  std::optional<int64_t> batch;
};

double core_pj(const cost::NetworkCost& c) { return c.totals.energy.chip_pj() - c.totals.energy.io_pj; }

struct Metric {
  const char* name;
  const char* meaning;
  std::function<double(const Run&)> value;
};

const std::vector<Metric>& metric_table() {
  static const std::vector<Metric> table = {
      {"die_area_mm2", "chip area with the off-chip interfaces (DRAM PHYs, host link)",
       [](const Run& r) { return r.cost.area.total_mm2(); }},
      {"core_area_mm2", "chip area without the off-chip interfaces",
       [](const Run& r) { return r.cost.area.core_mm2(); }},
      {"busy_power_w", "chip + DRAM devices, average while running the workload",
       [](const Run& r) { return r.cost.power_w + r.cost.dram_power_w; }},
      {"core_power_w", "chip without the off-chip interfaces, average while running",
       [](const Run& r) { return core_pj(r.cost) * 1e-12 / r.cost.latency_s; }},
      {"idle_power_w", "chip + DRAM devices doing no work (clock, leakage, I/O static, DRAM background)",
       [](const Run& r) { return cost::idle_power_w(r.accel) + cost::dram_idle_power_w(r.accel); }},
      {"tops", "2 x MACs per second / 1e12",
       [](const Run& r) { return 2.0 * static_cast<double>(r.cost.totals.macs) / r.cost.latency_s * 1e-12; }},
      {"inferences_per_s", "the check's batch (or the network's) / latency",
       [](const Run& r) {
         return r.batch ? static_cast<double>(*r.batch) / r.cost.latency_s : r.cost.throughput_per_s;
       }},
      {"core_energy_per_mac_pj", "core energy of the workload / its MACs",
       [](const Run& r) { return core_pj(r.cost) / static_cast<double>(r.cost.totals.macs); }},
      {"dram_accesses_per_mac", "DRAM bytes / input word bytes / MACs",
       [](const Run& r) {
         return static_cast<double>(r.cost.totals.dram_bytes()) / r.accel.precision.input_bytes /
                static_cast<double>(r.cost.totals.macs);
       }},
  };
  return table;
}

const Metric* find_metric(const std::string& name) {
  for (const Metric& m : metric_table()) {
    if (name == m.name) return &m;
  }
  return nullptr;
}

std::string text_of(const YAML::Node& entry, const char* key, const std::string& file, const std::string& place) {
  if (!entry[key] || !entry[key].IsScalar() || entry[key].Scalar().empty()) {
    throw InputError(file, place + "." + key, "expected a text value");
  }
  return entry[key].Scalar();
}

double number_of(const YAML::Node& node, const std::string& file, const std::string& place) {
  try {
    const double value = node.as<double>();
    if (std::isfinite(value) && value > 0) return value;
  } catch (const YAML::Exception&) {}
  throw InputError(file, place, "expected a number > 0");
}

CalibrationCheck read_check(const YAML::Node& entry, const std::string& file, const std::string& place) {
  if (!entry.IsMap()) throw InputError(file, place, "expected a map with chip, arch, model, metric, published, source");
  CalibrationCheck c;
  c.chip = text_of(entry, "chip", file, place);
  c.arch = text_of(entry, "arch", file, place);
  c.model = text_of(entry, "model", file, place);
  c.metric = text_of(entry, "metric", file, place);
  c.source = text_of(entry, "source", file, place);
  if (find_metric(c.metric) == nullptr) {
    std::string known;
    for (const Metric& m : metric_table()) known += (known.empty() ? "" : ", ") + std::string(m.name);
    throw InputError(file, place + ".metric", "unknown metric '" + c.metric + "'; known: " + known);
  }
  if (!entry["published"]) throw InputError(file, place + ".published", "expected a number > 0");
  c.published = number_of(entry["published"], file, place + ".published");
  if (entry["target_pct"]) c.target_pct = number_of(entry["target_pct"], file, place + ".target_pct");
  if (entry["batch"]) c.batch = static_cast<int64_t>(number_of(entry["batch"], file, place + ".batch"));
  if (entry["known_miss"]) {
    if (!c.target_pct) throw InputError(file, place + ".known_miss", "a check without target_pct cannot miss it");
    c.known_miss = text_of(entry, "known_miss", file, place);
  }
  return c;
}

// A model name without a path is first looked for in calibration/models/.
workload::Network load_model(const std::string& model) {
  const fs::path local = data_path("calibration") / "models" / (model + ".yaml");
  std::error_code ec;
  if (model.find('/') == std::string::npos && fs::is_regular_file(local, ec))
    return workload::load_network(local.string());
  return workload::load_network(model);
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& calibration_metrics() {
  static const std::vector<std::pair<std::string, std::string>> names = [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const Metric& m : metric_table()) out.emplace_back(m.name, m.meaning);
    return out;
  }();
  return names;
}

std::vector<CalibrationCheck> load_calibration_checks(const std::string& path) {
  const std::string file = path.empty() ? (data_path("calibration") / "published.yaml").string() : path;
  const YAML::Node root =
      parse_yaml_document(read_input_file(file, kMaxTextInputBytes, "a calibration YAML file"), file);
  if (!root.IsMap() || !root["checks"] || !root["checks"].IsSequence() || root["checks"].size() == 0) {
    throw InputError(file, "checks", "expected a list of checks");
  }
  std::vector<CalibrationCheck> checks;
  for (size_t i = 0; i < root["checks"].size(); ++i) {
    checks.push_back(read_check(root["checks"][i], file, "checks[" + std::to_string(i) + "]"));
  }
  return checks;
}

std::vector<CalibrationRow> run_calibration(const std::vector<CalibrationCheck>& checks) {
  std::map<std::string, arch::Accelerator> accels;
  std::map<std::pair<std::string, std::string>, std::pair<workload::Network, cost::NetworkCost>> runs;
  std::vector<CalibrationRow> rows;
  for (const CalibrationCheck& check : checks) {
    auto accel = accels.find(check.arch);
    if (accel == accels.end()) accel = accels.emplace(check.arch, arch::load_accelerator(check.arch)).first;
    auto run = runs.find({check.arch, check.model});
    if (run == runs.end()) {
      workload::Network net = load_model(check.model);
      cost::NetworkCost cost = cost::evaluate_network(net, accel->second);
      run =
          runs.emplace(std::make_pair(check.arch, check.model), std::make_pair(std::move(net), std::move(cost))).first;
    }
    CalibrationRow row;
    row.check = check;
    row.modelled =
        find_metric(check.metric)->value(Run{accel->second, run->second.first, run->second.second, check.batch});
    row.diff_pct = 100.0 * (row.modelled - check.published) / check.published;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace acceldse::dse
