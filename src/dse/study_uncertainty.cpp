// Robustness of a study's conclusions: the technology constants are uncertain (tables
// cite papers at one voltage, one process corner, one memory part), so the study is
// re-run with each constant scaled by a seeded random factor and the answers compared
// with the nominal ones.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <set>

#include "common/data_dir.h"
#include "common/error.h"
#include "dse/internal.h"
#include "dse/study.h"
#include "dse/study_internal.h"

namespace acceldse::dse {

namespace {

uint64_t fnv1a(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Costs are uncertain (areas, energies, leakage, overheads, the memory's figures); the
// node's identity, its voltages and the shape of its fits are not, and scaling them
// would break the table's own order (vdd_min <= vdd_nominal <= vdd_max, utilisation <= 1).
bool is_perturbed(const std::string& key) {
  static const std::set<std::string> fixed = {"node_nm",
                                              "sram_ref_kib",
                                              "sram_energy_exponent",
                                              "sram_bank_kib",
                                              "cell_utilization",
                                              "vdd_nominal_v",
                                              "vdd_min_v",
                                              "vdd_max_v",
                                              "vth_v",
                                              "alpha_power",
                                              "fmax_nominal_ghz",
                                              "leakage_voltage_exponent",
                                              "dram.channel_gb_per_s"};
  return !fixed.contains(key);
}

// The spec's memory type and host link, resolved into its technology, by override key.
void add_interfaces(const arch::Technology& tech, std::map<std::string, double>& values) {
  for (const auto& [prefix, link] : {std::pair{"dram.", &tech.dram}, std::pair{"host.", &tech.host}}) {
    for (const auto& [field, value] : arch::interface_numbers(*link)) values[prefix + field] = value;
  }
}

// Numeric constants of tech/NAME.yaml by override key ("sram_area_mm2_per_kib",
// "mac_energy_pj.int8"): arch::Technology has no lookup by name, and reading the names
// arch::technology_numeric_fields() lists keeps working when fields are added. Scalars
// and maps of numbers are read; other shapes are left alone.
std::map<std::string, double> read_table(const std::string& name) {
  std::map<std::string, double> out;
  const YAML::Node root = YAML::LoadFile((data_path("tech") / (name + ".yaml")).string());
  for (const std::string& field : arch::technology_numeric_fields()) {
    const YAML::Node node = root[field];
    if (!node) continue;
    try {
      if (node.IsScalar()) out[field] = node.as<double>();
      if (!node.IsMap()) continue;
      for (const auto& entry : node) {
        if (entry.second.IsScalar()) out[field + "." + entry.first.Scalar()] = entry.second.as<double>();
      }
    } catch (const YAML::Exception&) {  // not a number: nothing to perturb
    }
  }
  return out;
}

const std::map<std::string, double>& table_values(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::map<std::string, double>> tables;
  std::lock_guard lock(mutex);
  auto it = tables.find(name);
  if (it == tables.end()) {
    try {
      it = tables.emplace(name, read_table(name)).first;
    } catch (const YAML::Exception& e) {
      throw InputError("tech/" + name + ".yaml", "", std::string("cannot read the table to perturb it: ") + e.what());
    }
  }
  return it->second;
}

}  // namespace

// ---- Perturbation -----------------------------------------------------------------------

double TechnologyPerturbation::factor(const std::string& key) const {
  detail::Rng rng(seed ^ fnv1a(key));
  return 1 + pct / 100 * (2 * rng.uniform() - 1);
}

std::map<std::string, double> TechnologyPerturbation::overrides(const arch::Accelerator& accel) const {
  std::map<std::string, double> out;
  if (pct == 0) return out;
  std::map<std::string, double> values = table_values(accel.technology_name);
  add_interfaces(accel.technology, values);
  for (const auto& [key, value] : accel.technology_overrides) values[key] = value;  // the spec's own numbers
  for (const auto& [key, value] : values) {
    if (is_perturbed(key)) out[key] = value * factor(key);
  }
  return out;
}

void TechnologyPerturbation::apply(arch::Accelerator& accel) const {
  if (pct == 0) return;
  arch::apply_technology_overrides(accel.technology, overrides(accel), "<uncertainty>");
}

MetricsFn perturbed_network_metrics(NetworkPtr network, std::shared_ptr<cost::CostCache> cache,
                                    TechnologyPerturbation perturbation) {
  return network_metrics(std::move(network), std::move(cache), [perturbation](const arch::Accelerator& accel) {
    arch::Accelerator perturbed = accel;
    perturbation.apply(perturbed);
    return perturbed;
  });
}

uint64_t UncertaintyOptions::sample_seed(int sample) const {
  return fnv1a("sample " + std::to_string(seed) + " " + std::to_string(sample));
}

void UncertaintyOptions::check() const {
  if (!(pct >= 0 && pct < 100)) {
    throw InputError("<command line>", "uncertainty_pct", "expected a percentage from 0 to below 100");
  }
  if (samples < 1) throw InputError("<command line>", "samples", "expected at least 1 sample");
}

Spread Spread::of(std::vector<double> values) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (values.empty()) return Spread{nan, nan, nan};
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  double median = values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  return Spread{values.front(), median, values.back()};
}

namespace {

// Perturbs the base once before any sample: a constant the override mechanism rejects
// is then one clear error naming it, rather than every design turning invalid.
void check_perturbable(const DesignSpace& space, const UncertaintyOptions& uncertainty) {
  uncertainty.check();
  arch::Accelerator base = space.base();
  TechnologyPerturbation{uncertainty.pct, uncertainty.sample_seed(0)}.apply(base);
}

}  // namespace

// ---- Suite ----------------------------------------------------------------------------------

SuiteUncertainty suite_uncertainty(const DesignSpace& space, const std::vector<NetworkPtr>& networks,
                                   const SuiteOptions& options, const SuiteResult& nominal,
                                   const UncertaintyOptions& uncertainty) {
  check_perturbable(space, uncertainty);
  const double start = study_detail::now_s();
  const size_t count = networks.size();
  SuiteUncertainty out;
  out.options = uncertainty;
  std::vector<int> optimum_same(count, 0);
  int selected_same = 0;
  std::vector<std::vector<double>> improvement(count);
  std::vector<double> geomean;
  for (int s = 0; s < uncertainty.samples; ++s) {
    SuiteOptions sample = options;
    sample.perturbation = TechnologyPerturbation{uncertainty.pct, uncertainty.sample_seed(s)};
    SuiteResult r;
    try {
      r = run_suite(space, networks, sample);
    } catch (const InputError&) {  // e.g. a budget no perturbed design meets: no answer
      ++out.samples_without_answer;
      continue;
    }
    for (size_t n = 0; n < count; ++n) {
      optimum_same[n] += r.designs[n].design == nominal.designs[n].design ? 1 : 0;
      improvement[n].push_back(r.improvement_pct[n]);
    }
    selected_same += r.selected().design == nominal.selected().design ? 1 : 0;
    geomean.push_back(r.geomean_relative);
  }
  const double samples = uncertainty.samples;
  for (size_t n = 0; n < count; ++n) {
    out.optimum_same.push_back(optimum_same[n] / samples);
    out.improvement_pct.push_back(Spread::of(improvement[n]));
  }
  out.selected_same = selected_same / samples;
  out.geomean_relative = Spread::of(geomean);
  out.elapsed_s = study_detail::now_s() - start;
  return out;
}

// ---- Explore --------------------------------------------------------------------------------

ExploreUncertainty explore_uncertainty(const DesignSpace& space, NetworkPtr network, const ExploreOptions& options,
                                       int threads, const Design& nominal_best, const UncertaintyOptions& uncertainty) {
  check_perturbable(space, uncertainty);
  const double start = study_detail::now_s();
  ExploreUncertainty out;
  out.options = uncertainty;
  int same = 0;
  std::vector<double> objective;
  for (int s = 0; s < uncertainty.samples; ++s) {
    TechnologyPerturbation perturbation{uncertainty.pct, uncertainty.sample_seed(s)};
    EvaluatorOptions eo;
    eo.threads = threads;
    eo.model = network->name;
    Evaluator evaluator(space, perturbed_network_metrics(network, std::make_shared<cost::CostCache>(), perturbation),
                        eo);
    ExploreOptions sample = options;
    sample.sensitivity = false;
    sample.on_progress = {};
    ExploreResult r = explore(evaluator, sample);
    if (!r.best) {
      objective.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    same += r.best->design == nominal_best ? 1 : 0;
    const bool maximised = space.objective().sense() == Objective::Sense::kMaximize;
    objective.push_back(maximised ? -r.best->score : r.best->score);
  }
  out.best_same = same / static_cast<double>(uncertainty.samples);
  out.objective = Spread::of(objective);
  out.elapsed_s = study_detail::now_s() - start;
  return out;
}

}  // namespace acceldse::dse
