// `acceldse suite`: one design for a suite of networks (src/dse study.h, run_suite):
// each network's optimum, the cross matrix and the best geometric-mean design.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "design_file.h"
#include "documents/documents.h"
#include "report/report.h"
#include "study_options.h"

namespace acceldse::cli {
namespace {

using report::csv_field;
using report::join;

struct SuiteArgs : SpaceArgs {
  std::string models, weights, technology, strategy = "auto", save_design;
  uint64_t budget = 0, seed = 1;
  std::optional<double> uncertainty_pct;
  int samples = 10;
};

using SuiteRun = documents::Suite;

// A cross-matrix row's weighted geomean, or `none` when the design cannot run every
// network within the constraints.
std::string row_geomean(const dse::SuiteDesign& d, const dse::SuiteResult& r, const char* format, const char* none) {
  for (double v : d.relative) {
    if (std::isnan(v)) return none;
  }
  return fmt::format(fmt::runtime(format), dse::geometric_mean(d.relative, r.weights));
}

void print_suite_csv(std::ostream& os, const SuiteRun& run) {
  const dse::SuiteResult& r = run.result;
  std::vector<std::string> header{"design"};
  for (const std::string& n : r.networks) header.push_back(csv_field(n));
  header.insert(header.end(), {"geomean_relative", "improvement_pct", "area_mm2"});
  for (const dse::Parameter& p : run.space.parameters()) header.push_back(csv_field(p.name));
  os << join(header) << "\n";
  for (size_t i = 0; i < r.designs.size(); ++i) {
    const dse::SuiteDesign& d = r.designs[i];
    std::vector<std::string> row{csv_field(d.label)};
    for (double v : d.relative) row.push_back(std::isnan(v) ? "" : fmt::format("{:.17g}", v));
    row.push_back(row_geomean(d, r, "{:.17g}", ""));
    row.push_back(i < r.improvement_pct.size() ? fmt::format("{:.17g}", r.improvement_pct[i]) : "");
    row.push_back(fmt::format("{:.17g}", d.metrics.front().area_mm2));
    for (size_t p = 0; p < run.space.parameters().size(); ++p) row.push_back(csv_field(run.space.value(d.design, p)));
    os << join(row) << "\n";
  }
}

std::string search_text(const SuiteRun& run) {
  const dse::SuiteResult& r = run.result;
  if (r.proven) {
    return fmt::format(
        "search: exhaustive grid (space x networks <= {} pairs), every design evaluated: each optimum is proven",
        dse::kExhaustivePairs);
  }
  return fmt::format(
      "search: genetic (NSGA-II per network, {} designs each, seed {}) plus a local search of the suite "
      "design, over {} distinct designs of {}: each optimum is the best found, not proven",
      r.search_budget, run.seed, r.designs_evaluated, r.space_size);
}

void print_cross_matrix(std::ostream& os, const dse::SuiteResult& r) {
  os << "(a) Performance of each network (column) on each design (row), relative to the network's own optimum\n";
  std::vector<std::string> header{"design"};
  header.insert(header.end(), r.networks.begin(), r.networks.end());
  header.push_back("geomean");
  std::vector<std::vector<std::string>> rows;
  bool any_infeasible = false;
  for (const dse::SuiteDesign& d : r.designs) {
    std::vector<std::string> row{d.label == "geomean" ? "geomean (selected)" : d.label + " optimum"};
    for (double v : d.relative) {
      row.push_back(std::isnan(v) ? "-" : fmt::format("{:.3f}", v));
      any_infeasible = any_infeasible || std::isnan(v);
    }
    row.push_back(row_geomean(d, r, "{:.3f}", "-"));
    rows.push_back(std::move(row));
  }
  report::TextTable{.header = header, .rows = rows, .indent = "  ", .rule = false}.print(os);
  if (any_infeasible) {
    os << "  - : the design breaks a constraint when it runs that network (left out of its improvement)\n";
  }
}

void print_constraint_report(std::ostream& os, const SuiteRun& run) {
  const dse::SuiteResult& r = run.result;
  os << "\n(d) What bound the study";
  if (r.constraints.empty()) {
    os << (r.proven ? ": no constraint; each optimum is the best design of the space for its objective\n"
                    : ": no constraint; each optimum is the best design found for its objective\n");
    return;
  }
  os << (r.proven ? "\n" : " (over the designs evaluated)\n");
  std::vector<std::vector<std::string>> rows;
  const uint64_t pairs = r.designs_evaluated * r.networks.size();
  for (const dse::ConstraintBinding& c : r.constraints) {
    rows.push_back({c.text, fmt::format("{} of {}", c.designs_removed, r.designs_evaluated),
                    fmt::format("{} of {}", c.pairs_removed, pairs), c.verdict()});
  }
  report::TextTable{.header = {"constraint", "designs removed", "network x design pairs removed", "verdict"},
                    .rows = rows,
                    .indent = "  ",
                    .rule = false}
      .print(os);
}

std::string spread_text(const dse::Spread& s, const char* format) {
  if (std::isnan(s.median)) return "-";
  return fmt::format(fmt::runtime(format), s.min) + " / " + fmt::format(fmt::runtime(format), s.median) + " / " +
         fmt::format(fmt::runtime(format), s.max);
}

void print_uncertainty(std::ostream& os, const SuiteRun& run) {
  const dse::SuiteResult& r = run.result;
  const dse::SuiteUncertainty& u = *run.uncertainty;
  os << fmt::format(
      "\n(e) Under technology uncertainty: every technology constant scaled within +-{}%, {} samples (seed {}), "
      "{:.1f} s\n",
      u.options.pct, u.options.samples, u.options.seed, u.elapsed_s);
  std::vector<std::vector<std::string>> rows;
  for (size_t n = 0; n < r.networks.size(); ++n) {
    rows.push_back({r.networks[n], fmt::format("{:.0f}%", u.optimum_same[n] * 100),
                    fmt::format("{:+.1f}%", r.improvement_pct[n]), spread_text(u.improvement_pct[n], "{:+.1f}%")});
  }
  report::TextTable{.header = {"network", "same optimum", "improvement (nominal)", "improvement min / median / max"},
                    .rows = rows,
                    .indent = "  ",
                    .rule = false}
      .print(os);
  os << fmt::format(
      "  the selected design stays the nominal one in {:.0f}% of the samples; its geomean of relative "
      "performance {}\n",
      u.selected_same * 100, spread_text(u.geomean_relative, "{:.3f}") + " (min / median / max)");
  if (u.samples_without_answer > 0) {
    os << fmt::format("  {} of the samples had no design feasible for every network (counted as changed)\n",
                      u.samples_without_answer);
  }
}

void print_suite_table(std::ostream& os, const SuiteRun& run) {
  const dse::SuiteResult& r = run.result;
  std::string technology = documents::fixed_technology(run.space);
  os << fmt::format("Suite of {} networks on space '{}' ({} designs){}, objective {}", r.networks.size(),
                    run.space.name(), r.space_size, technology.empty() ? " over technologies" : " at " + technology,
                    r.objective);
  for (const dse::Constraint& c : run.space.constraints()) os << ", " << c.text;
  os << "\n" << search_text(run) << "\n";
  os << fmt::format(
      "evaluated {} network x design pairs in {:.1f} s on {} threads; {} designs feasible for every network\n\n",
      r.evaluations, r.elapsed_s, run.threads, r.feasible_for_all);
  print_cross_matrix(os, r);
  os << "\n(b) Geometric-mean improvement of the selected design over each network's optimum, across the suite\n";
  std::vector<std::vector<std::string>> rows;
  for (size_t n = 0; n < r.networks.size(); ++n) {
    rows.push_back({r.networks[n], r.proven ? "proven" : "found", fmt::format("{:+.1f}%", r.improvement_pct[n]),
                    params_text(run.space, r.designs[n].design)});
  }
  report::TextTable{
      .header = {"optimum of", "optimum", "improvement", "its design"}, .rows = rows, .indent = "  ", .rule = false}
      .print(os);
  const dse::SuiteDesign& s = r.selected();
  os << "\n(c) Selected design: " << params_text(run.space, s.design) << "\n";
  os << fmt::format("    area {:.4g} mm2; weighted geomean of relative performance {:.3f}\n",
                    s.metrics.front().area_mm2, r.geomean_relative);
  print_constraint_report(os, run);
  if (run.uncertainty) print_uncertainty(os, run);
}

dse::DesignSpace suite_space(const SuiteArgs& args) {
  SuiteArgs a = args;
  if (a.space.space.empty()) a.space.space = "suite";  // the paper's study: the suite space, not explore's default
  dse::DesignSpace space = dse::build_space(a.space, "perf_per_area");
  if (!args.technology.empty()) space = dse::with_technology(space, args.technology);
  return space;
}

void run_suite_command(const SuiteArgs& args) {
  dse::DesignSpace space = suite_space(args);
  std::vector<std::string> names =
      args.models.empty() ? workload::paper_suite_names() : split_list(args.models, "--models");
  std::vector<dse::NetworkPtr> networks;
  for (const std::string& name : names) networks.push_back(load_model(name, "--models", args.network));
  dse::SuiteOptions options;
  options.threads = args.threads;
  options.strategy = args.strategy;
  options.budget = args.budget;
  options.seed = args.seed;
  if (!args.weights.empty()) options.weights = dse::parse_weights(args.weights, networks.size(), "--weights");
  dse::UncertaintyOptions uncertainty{args.uncertainty_pct.value_or(0), args.samples, args.seed};
  if (args.uncertainty_pct) uncertainty.check();  // before the long run, not after it
  auto cache = std::make_shared<cost::CostCache>();
  mpi::Team team(space, study_metrics_for(networks, cache), args.threads);
  if (!team.leader()) {
    team.serve();
    return;
  }
  options.remote = study_remote(team);
  options.on_progress = progress_bar("suite");
  dse::SuiteResult result = dse::run_suite(space, networks, options);
  if (mpi::ranks() > 1) {  // rank 0 computed its share through the team's cache, not the study's
    result.cache_entries = cache->size();
    result.cache_hits = cache->hits();
    result.cache_misses = cache->misses();
  }
  std::optional<dse::SuiteUncertainty> spread;
  if (args.uncertainty_pct) {
    options.on_progress = progress_bar("uncertainty");
    spread = dse::suite_uncertainty(space, networks, options, result, uncertainty);
  }
  options.on_progress = nullptr;  // erases the bar
  const SuiteRun run{
      space, result, args.seed, dse::worker_threads(args.threads), mpi::ranks(), spread ? &*spread : nullptr};
  const documents::Json doc = documents::suite(run);
  Sink sink(args.out);
  if (args.format == "json")
    sink.stream() << documents::dumped(doc) << "\n";
  else if (args.format == "csv")
    print_suite_csv(sink.stream(), run);
  else
    print_suite_table(sink.stream(), run);
  sink.close();
  if (!args.html.empty()) report::write_html(args.html, report::suite_html(documents::for_report(doc)));
  if (!args.save_design.empty()) {
    save_design(
        args.save_design, space.accelerator(result.selected().design), "suite-best-" + space.name(),
        "the selected design of `acceldse suite` (objective " + result.objective + ") on space '" + space.name() + "'");
  }
}

}  // namespace

void add_suite_commands(CLI::App& app) {
  auto args = std::make_shared<SuiteArgs>();
  CLI::App* cmd = app.add_subcommand(
      "suite", "Design for a suite: each network's optimum, the best geomean design, the cross matrix");
  cmd->add_option("--models", args->models, "Comma-separated built-in names or files (default: the paper suite)");
  add_space_options(cmd, *args, "suite");
  cmd->add_option(
      "--objective", args->space.objective,
      "Performance to maximise: perf_per_area (default: throughput per mm2), throughput, latency, energy, edp, "
      "'max EXPR'/'min EXPR'");
  cmd->add_option(
      "--technology", args->technology,
      "Technology node of every design (e.g. 16nm); default: the space's own (spaces/suite.yaml: its base's)");
  cmd->add_option("--weights", args->weights, "Comma-separated weights of the geometric mean, one per network");
  cmd->add_option("--strategy", args->strategy,
                  fmt::format("auto (default: grid up to {} network x design pairs, else genetic), grid or genetic",
                              dse::kExhaustivePairs));
  cmd->add_option("--budget", args->budget,
                  "genetic: designs each search may evaluate (default 10% of the space, 1000-5000)");
  cmd->add_option("--seed", args->seed, "Seed of the genetic search and of the --uncertainty samples (default 1)");
  cmd->add_option("--uncertainty", args->uncertainty_pct,
                  "Re-run the study with every technology constant scaled within +-PCT percent and report the spread");
  cmd->add_option("--samples", args->samples, "With --uncertainty: perturbed re-runs (default 10)");
  cmd->add_option("--save-design", args->save_design,
                  "Write the selected design as an accelerator YAML (named suite-best-SPACE) to FILE");
  cmd->callback([args] { run_suite_command(*args); });
}

}  // namespace acceldse::cli
