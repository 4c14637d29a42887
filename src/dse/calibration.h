#pragma once
// Calibration: the cost model set against published figures of real chips
// (calibration/published.yaml): each check evaluates a built-in accelerator on a
// workload written from the paper and compares one metric with the published value.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace acceldse::dse {

struct CalibrationCheck {
  std::string chip;    // "TPU v1"
  std::string arch;    // accelerator: built-in name or path
  std::string model;   // network: calibration/models/NAME.yaml, built-in name or path
  std::string metric;  // one of calibration_metrics()
  double published = 0;
  std::optional<double> target_pct;  // agreement aimed for; none: shown for information
  std::optional<int64_t> batch;      // inferences per run of the model, for inferences_per_s
  std::string source;                // where the published value comes from
  std::string known_miss;            // why the model misses the target, when it is known to
};

struct CalibrationRow {
  CalibrationCheck check;
  double modelled = 0;
  double diff_pct = 0;  // (modelled - published) / published, in percent
  bool within_target() const { return !check.target_pct || std::abs(diff_pct) <= *check.target_pct; }
};

// Metric names with what each measures (docs/validation.md, "Calibration").
const std::vector<std::pair<std::string, std::string>>& calibration_metrics();

// Reads the checks (default file: calibration/published.yaml in the data folder).
// Throws InputError naming the file and entry for a bad entry.
std::vector<CalibrationCheck> load_calibration_checks(const std::string& path = "");

// Evaluates every check; networks and accelerators are loaded once each.
std::vector<CalibrationRow> run_calibration(const std::vector<CalibrationCheck>& checks);

}  // namespace acceldse::dse
