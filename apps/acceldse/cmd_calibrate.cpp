// `acceldse calibrate`: the cost model set against published figures of real chips
// (calibration/published.yaml), one row per check, with each figure's source.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "dse/calibration.h"
#include "output_options.h"
#include "report/report.h"

namespace acceldse::cli {

namespace {

struct CalibrateOptions {
  std::string file;
  std::string format = "table";
};

std::string target_text(const dse::CalibrationRow& r) {
  if (!r.check.target_pct) return "-";
  const char* known = !r.within_target() && !r.check.known_miss.empty() ? " (known)" : "";
  return fmt::format("{} {:.0f}%{}", r.within_target() ? "within" : "OUTSIDE", *r.check.target_pct, known);
}

void print_table(const std::vector<dse::CalibrationRow>& rows) {
  report::TextTable table{.header = {"chip", "workload", "metric", "published", "model", "diff", "target"},
                          .numeric = {false, false, false, true, true, true, false}};
  for (const dse::CalibrationRow& r : rows) {
    table.rows.push_back({r.check.chip, r.check.model, r.check.metric, fmt::format("{:.4g}", r.check.published),
                          fmt::format("{:.4g}", r.modelled), fmt::format("{:+.1f}%", r.diff_pct), target_text(r)});
  }
  table.print(std::cout);
  std::cout << "\nsources:\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    std::cout << fmt::format("  {} {} {}: {}\n", rows[i].check.chip, rows[i].check.model, rows[i].check.metric,
                             rows[i].check.source);
  }
  bool header = false;
  for (const dse::CalibrationRow& r : rows) {
    if (r.within_target() || r.check.known_miss.empty()) continue;
    if (!header) std::cout << "\nknown misses (docs/validation.md, \"Calibration\"):\n";
    header = true;
    std::cout << fmt::format("  {} {} {}: {}\n", r.check.chip, r.check.model, r.check.metric, r.check.known_miss);
  }
}

nlohmann::json rows_json(const std::vector<dse::CalibrationRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const dse::CalibrationRow& r : rows) {
    out.push_back({{"chip", r.check.chip},
                   {"arch", r.check.arch},
                   {"model", r.check.model},
                   {"metric", r.check.metric},
                   {"published", r.check.published},
                   {"modelled", r.modelled},
                   {"diff_pct", r.diff_pct},
                   {"target_pct", r.check.target_pct ? nlohmann::json(*r.check.target_pct) : nlohmann::json()},
                   {"within_target", r.check.target_pct ? nlohmann::json(r.within_target()) : nlohmann::json()},
                   {"source", r.check.source},
                   {"known_miss", r.check.known_miss.empty() ? nlohmann::json() : nlohmann::json(r.check.known_miss)}});
  }
  return {{"checks", out}};
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  auto options = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = app.add_subcommand("calibrate", "Set the cost model against published figures of real chips");
  cmd->add_option("--file", options->file, "Checks to run (default calibration/published.yaml)");
  add_format_option(cmd, options->format, {"table", "json"});
  cmd->callback([options] {
    const auto rows = dse::run_calibration(dse::load_calibration_checks(options->file));
    if (options->format == "json") {
      std::cout << rows_json(rows).dump(2) << "\n";
    } else {
      print_table(rows);
    }
  });
}

}  // namespace acceldse::cli
