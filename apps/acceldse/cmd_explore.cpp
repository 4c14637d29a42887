// `acceldse explore` (search a design space for one network) and `acceldse results`
// (query a result store). The search itself lives in src/dse; this file parses options
// and formats answers as a table, CSV or JSON.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "commands.h"
#include "common/data_dir.h"
#include "common/error.h"
#include "design_file.h"
#include "documents/documents.h"
#include "dse/dse.h"
#include "dse/study.h"
#include "mpi_team.h"
#include "network_options.h"
#include "output_options.h"
#include "report/report.h"
#include "study_options.h"

namespace acceldse::cli {

namespace {

using Json = nlohmann::ordered_json;
using report::csv_field;

struct ExploreArgs {
  std::string model, strategy = "grid", budget, db, format = "table", html;
  NetworkOptions network;
  dse::SpaceOptions space;
  int threads = 0;
  bool resume = false, no_sensitivity = false;
  uint64_t seed = 1;
  std::string save_design;
  std::optional<double> uncertainty_pct;
  int samples = 10;
};

struct ResultsArgs {
  std::string db, where, model, objective = "latency", format = "table";
  size_t top = 10;
  bool pareto = false;
};

// ---- Shared formatting ----------------------------------------------------------------------

std::string number_text(double v) {
  if (std::isnan(v)) return "";
  return fmt::format("{:.6g}", v);
}

const std::vector<std::string> kTableMetrics{"latency_ms", "area_mm2", "energy_uj", "power_w", "util"};

std::vector<std::string> metric_cells(const dse::Metrics& m) {
  return {number_text(m.latency_s * 1e3), number_text(m.area_mm2), number_text(m.energy_pj * 1e-6),
          number_text(m.power_w), number_text(m.utilization)};
}

// ---- explore ------------------------------------------------------------------------------

using ExploreRun = documents::Exploration;

void print_explore_csv(const ExploreRun& run) {
  const dse::DesignSpace& space = run.space;
  std::string header = "kind,parameter";
  for (const dse::Parameter& p : space.parameters()) header += "," + csv_field(p.name);
  for (const std::string& m : dse::metric_names()) header += "," + m;
  std::cout << header << ",feasible\n";
  auto row = [&](const std::string& kind, const std::string& parameter, const dse::Evaluation& e) {
    std::string line = kind + "," + csv_field(parameter);
    for (size_t i = 0; i < space.parameters().size(); ++i) line += "," + csv_field(space.value(e.design, i));
    for (const std::string& m : dse::metric_names()) {
      double v = *dse::metric_value(e.metrics, m);
      line += "," + (e.valid() ? (documents::is_integer_metric(m) ? std::to_string(static_cast<int64_t>(v))
                                                                  : fmt::format("{:.17g}", v))
                               : "");
    }
    std::cout << line << "," << (e.feasible() ? "true" : "false") << "\n";
  };
  row("best", "", *run.result.best);
  for (const dse::Evaluation& e : run.result.pareto) row("pareto", "", e);
  for (const dse::Sensitivity& s : run.result.sensitivity) {
    for (const dse::SensitivityPoint& p : s.points) row("sensitivity", s.parameter, p.evaluation);
  }
}

std::string params_text(const dse::DesignSpace& space, const dse::Design& design) {
  std::string out;
  for (const auto& [name, value] : documents::design_params(space, design))
    out += (out.empty() ? "" : " ") + name + "=" + value;
  return out;
}

void print_explore_table(const ExploreRun& run) {
  const dse::ExploreResult& r = run.result;
  const dse::DesignSpace& space = run.space;
  const dse::Metrics& m = r.best->metrics;
  double rate = r.elapsed_s > 0 ? static_cast<double>(r.computed) / r.elapsed_s : 0;
  std::cout << fmt::format("{} on space '{}' ({} designs), strategy {}, objective {}\n", run.network.name, space.name(),
                           space.size(), r.strategy, space.objective().name());
  std::cout << fmt::format(
      "evaluated {} designs ({} computed, {} from the store) in {:.2f} s, {:.0f} designs/s on {} threads; {} "
      "feasible\n\n",
      r.evaluated, r.computed, r.from_store, r.elapsed_s, rate, run.threads, r.feasible);
  std::cout << "Best design: " << params_text(space, r.best->design) << "\n";
  std::cout << fmt::format("  latency {:.6g} ms ({} cycles), throughput {:.6g}/s, utilization {:.3f}\n",
                           m.latency_s * 1e3, m.cycles, m.throughput_per_s, m.utilization);
  std::cout << fmt::format(
      "  area {:.6g} mm2, energy {:.6g} uJ, power {:.6g} W, EDP {:.6g} J*s, perf/area {:.6g}/s/mm2\n\n", m.area_mm2,
      m.energy_pj * 1e-6, m.power_w, m.edp, m.perf_per_area);
  std::cout << "Pareto front (latency x area x energy): " << r.pareto.size() << " designs\n";
  std::vector<std::string> header{"#"};
  for (const dse::Parameter& p : space.parameters()) header.push_back(p.name);
  header.insert(header.end(), kTableMetrics.begin(), kTableMetrics.end());
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < r.pareto.size(); ++i) {
    std::vector<std::string> row{std::to_string(i + 1)};
    for (const auto& kv : documents::design_params(space, r.pareto[i].design)) row.push_back(kv.second);
    auto cells = metric_cells(r.pareto[i].metrics);
    row.insert(row.end(), cells.begin(), cells.end());
    rows.push_back(std::move(row));
  }
  report::TextTable{.header = header, .rows = rows, .indent = "  ", .rule = false}.print(std::cout);
  if (run.uncertainty) {
    const dse::ExploreUncertainty& u = *run.uncertainty;
    std::cout << fmt::format(
        "\nUnder technology uncertainty (every constant within +-{}%, {} samples, seed {}): the best design "
        "stays this one in {:.0f}% of the samples; best {} min / median / max {:.6g} / {:.6g} / {:.6g}\n",
        u.options.pct, u.options.samples, u.options.seed, u.best_same * 100, space.objective().metric(),
        u.objective.min, u.objective.median, u.objective.max);
  }
  if (r.sensitivity.empty()) return;
  std::cout << "\nSensitivity around the best (" << space.objective().metric()
            << " relative to the best; * = infeasible, x = invalid)\n";
  double best = documents::objective_value(space.objective(), *r.best);
  for (const dse::Sensitivity& s : r.sensitivity) {
    std::string line;
    for (size_t i = 0; i < s.points.size(); ++i) {
      const dse::Evaluation& e = s.points[i].evaluation;
      std::string mark = !e.valid() ? "x" : (e.feasible() ? "" : "*");
      std::string rel =
          e.valid() ? fmt::format("{:.3f}", documents::objective_value(space.objective(), e) / best) : "-";
      line += fmt::format("{}{}{}={}{} ", i == s.best_index ? "[" : "", s.points[i].value, "", rel, mark) +
              (i == s.best_index ? "] " : "");
    }
    std::cout << fmt::format("  {:<16} {}\n", s.parameter, line);
  }
}

void run_explore(const ExploreArgs& args) {
  if (args.uncertainty_pct) dse::UncertaintyOptions{*args.uncertainty_pct, args.samples, args.seed}.check();
  if (args.resume && args.db.empty()) throw InputError("<command line>", "--resume", "needs --db FILE to resume from");
  dse::Budget budget = args.budget.empty() ? dse::Budget{} : dse::Budget::parse(args.budget);
  std::unique_ptr<dse::Strategy> strategy = dse::make_strategy(args.strategy);
  if (args.threads < 0) throw InputError("<command line>", "--threads", "expected a positive number of threads");
  workload::Network loaded = workload::load_network(args.model, load_options(args.network));
  loaded.name += options_suffix(args.network);  // results are stored by network name
  auto network = std::make_shared<const workload::Network>(std::move(loaded));
  dse::DesignSpace space = dse::build_space(args.space);
  auto cache = std::make_shared<cost::CostCache>();
  // Under mpirun the other ranks only compute designs for rank 0 (mpi_team.h).
  mpi::Team team(
      space, [&](const std::string&) { return dse::network_metrics(network, cache); }, args.threads);
  if (!team.leader()) {
    team.serve();
    return;
  }
  std::unique_ptr<dse::ResultStore> store;
  if (!args.db.empty()) store = std::make_unique<dse::ResultStore>(args.db);
  dse::EvaluatorOptions options;
  options.threads = args.threads;
  options.remote = team.remote();
  options.store = store.get();
  options.resume = args.resume;
  options.model = network->name;
  options.model_hash = dse::network_hash(*network);
  dse::Evaluator evaluator(space, dse::network_metrics(network, cache), options);
  // Under mpirun stderr is a pipe to mpirun whatever the user's terminal: rank 0 (the
  // only rank here) always draws the bar then.
  report::ProgressBar bar(isatty(STDERR_FILENO) != 0 || mpi::ranks() > 1);
  dse::ExploreOptions explore;
  explore.budget = budget;
  explore.seed = args.seed;
  explore.sensitivity = !args.no_sensitivity;
  explore.on_progress = [&bar](const dse::Progress& p) { bar.update(p.evaluated, p.planned, p.elapsed_s); };
  dse::ExploreResult result = dse::explore(evaluator, *strategy, explore);
  bar.update(result.search_evaluated, result.search_evaluated, result.elapsed_s);
  if (!result.best) {
    throw InputError(space.file(), space.constraints().empty() ? "" : "constraints", result.infeasible_reason());
  }
  std::optional<dse::ExploreUncertainty> spread;
  if (args.uncertainty_pct) {
    dse::UncertaintyOptions u{*args.uncertainty_pct, args.samples, args.seed};
    spread = dse::explore_uncertainty(space, network, explore, evaluator.threads(), result.best->design, u);
  }
  ExploreRun run{*network, space, result, *cache, evaluator.threads(), mpi::ranks(), spread ? &*spread : nullptr};
  // The document re-evaluates the best design for its breakdown: built once, if wanted.
  const documents::Json doc =
      args.format == "json" || !args.html.empty() ? documents::exploration(run) : documents::Json();
  if (args.format == "json") {
    std::cout << documents::dumped(doc) << "\n";
  } else if (args.format == "csv") {
    print_explore_csv(run);
  } else {
    print_explore_table(run);
  }
  if (!args.html.empty()) {
    report::write_html(args.html, report::exploration_html(documents::for_report(doc)));
  }
  if (!args.save_design.empty()) {
    save_design(args.save_design, space.accelerator(result.best->design),
                "explore-best-" + network->name + "-" + space.name(),
                "the best design of `acceldse explore` for " + network->name + " (objective " +
                    space.objective().name() + ") on space '" + space.name() + "'");
  }
}

// ---- results ------------------------------------------------------------------------------

// A stored design's parameter `name`, or "" if it has none.
std::string param_of(const std::vector<std::pair<std::string, std::string>>& params, const std::string& name) {
  for (const auto& [n, value] : params) {
    if (n == name) return value;
  }
  return "";
}

void print_results(const ResultsArgs& args, const std::vector<dse::StoredDesign>& designs, size_t matched) {
  if (args.format == "json") {
    std::cout << documents::dumped(documents::stored_designs(args.db, matched, designs)) << "\n";
    return;
  }
  std::vector<std::vector<std::pair<std::string, std::string>>> params;
  std::vector<std::string> names;  // every parameter name, in first-seen order
  for (const dse::StoredDesign& d : designs) {
    params.push_back(d.params());
    for (const auto& kv : params.back()) {
      if (std::find(names.begin(), names.end(), kv.first) == names.end()) names.push_back(kv.first);
    }
  }
  if (args.format == "csv") {
    std::string header = "model,space";
    for (const std::string& n : names) header += "," + csv_field(n);
    for (const std::string& m : dse::metric_names()) header += "," + m;
    std::cout << header << "\n";
    for (size_t i = 0; i < designs.size(); ++i) {
      std::string line = csv_field(designs[i].model) + "," + csv_field(designs[i].space);
      for (const std::string& n : names) line += "," + csv_field(param_of(params[i], n));
      for (const std::string& m : dse::metric_names())
        line += "," + fmt::format("{:.17g}", *dse::metric_value(designs[i].metrics, m));
      std::cout << line << "\n";
    }
    return;
  }
  std::cout << fmt::format("{}: {} matching designs, showing {}\n", args.db, matched, designs.size());
  std::vector<std::string> header{"model"};
  header.insert(header.end(), names.begin(), names.end());
  header.insert(header.end(), kTableMetrics.begin(), kTableMetrics.end());
  std::vector<std::vector<std::string>> table;
  for (size_t i = 0; i < designs.size(); ++i) {
    std::vector<std::string> cells{designs[i].model};
    for (const std::string& n : names) cells.push_back(param_of(params[i], n));
    auto m = metric_cells(designs[i].metrics);
    cells.insert(cells.end(), m.begin(), m.end());
    table.push_back(std::move(cells));
  }
  report::TextTable{.header = header, .rows = table, .indent = "  ", .rule = false}.print(std::cout);
}

void run_results(const ResultsArgs& args) {
  const dse::StoreAnswer answer = dse::query_store(args.db, {.model = args.model,
                                                             .where = args.where,
                                                             .where_place = "--where",
                                                             .pareto = args.pareto,
                                                             .objective = dse::Objective::parse(args.objective),
                                                             .top = args.top});
  print_results(args, answer.designs, answer.matched);
}

void add_explore(CLI::App& app) {
  auto args = std::make_shared<ExploreArgs>();
  CLI::App* cmd = app.add_subcommand("explore", "Search a design space for the best accelerator for one network");
  cmd->add_option("--model", args->model, "Built-in model name or network file (YAML, ONNX, SCALE-Sim CSV)")
      ->required();
  add_network_options(cmd, args->network);
  add_design_space_options(cmd, args->space);
  cmd->add_option(
      "--objective", args->space.objective,
      "latency|throughput|perf_per_area|energy|edp|pareto, or 'min EXPR'/'max EXPR' (default: the space's)");
  cmd->add_option("--strategy", args->strategy, "grid|random|anneal|genetic (default grid)");
  cmd->add_option("--budget", args->budget,
                  "Evaluations (\"500\") or time (\"30s\"); default: grid all, others 10% of the space");
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)");
  cmd->add_option("--db", args->db, "SQLite result store recording every evaluated design");
  cmd->add_flag("--resume", args->resume, "Reuse designs already in --db instead of re-evaluating them");
  cmd->add_option("--seed", args->seed, "Random seed (default 1)");
  cmd->add_flag("--no-sensitivity", args->no_sensitivity, "Skip the per-parameter sensitivity sweep");
  add_format_option(cmd, args->format);
  cmd->add_option("--html", args->html, "Also write the HTML report (exploration_html) to FILE");
  cmd->add_option("--save-design", args->save_design,
                  "Write the best design as an accelerator YAML (named explore-best-MODEL-SPACE) to FILE");
  cmd->add_option("--uncertainty", args->uncertainty_pct,
                  "Re-run the search with every technology constant scaled within +-PCT percent and report the spread");
  cmd->add_option("--samples", args->samples, "With --uncertainty: perturbed re-runs (default 10)");
  cmd->callback([args] { run_explore(*args); });
}

void add_results(CLI::App& app) {
  auto args = std::make_shared<ResultsArgs>();
  CLI::App* cmd = app.add_subcommand("results", "Query a result store written by explore --db");
  cmd->add_option("--db", args->db, "SQLite result store")->required();
  cmd->add_option("--top", args->top, "Show the N best designs by --objective (default 10)");
  cmd->add_flag("--pareto", args->pareto, "Show the Pareto front (latency x area x energy) instead");
  cmd->add_option("--where", args->where,
                  "Filter expression over metrics and numeric parameters, e.g. 'area_mm2 < 5 and rows >= 32'");
  cmd->add_option("--model", args->model, "Only designs evaluated for this model");
  cmd->add_option("--objective", args->objective, "Ranking for --top (default latency)");
  add_format_option(cmd, args->format);
  cmd->callback([args] { run_results(*args); });
}

}  // namespace

void add_explore_commands(CLI::App& app) {
  add_explore(app);
  add_results(app);
}

}  // namespace acceldse::cli
