// `acceldse suite`, `acceldse corun` and `acceldse fit-model`: the studies of src/dse
// (study.h). This file parses options and formats answers as a table, CSV or JSON; the
// JSON keys are a documented interface (README, "Studies").
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "network_options.h"
#include "design_file.h"
#include "mpi_team.h"
#include "common/error.h"
#include "dse/dse.h"
#include "dse/study.h"
#include "report/report.h"

namespace acceldse::cli {

namespace {

using Json = nlohmann::ordered_json;
using report::csv_field;
using report::join;

// ---- Shared ---------------------------------------------------------------------------------

struct SpaceArgs {
  dse::SpaceOptions space;
  NetworkOptions network;  // for every network of --models unless its entry says otherwise
  int threads = 0;
  std::string format = "table", out, html;
};

void add_space_options(CLI::App* cmd, SpaceArgs& a, const std::string& default_space = "default") {
  cmd->add_option("--space", a.space.space, "Design space: name in spaces/ or YAML file (default: spaces/" + default_space + ".yaml)");
  cmd->add_option("--arch", a.space.arch, "Base accelerator (built-in name or file); overrides the space's base");
  cmd->add_option("--area-max", a.space.area_max_mm2, "Constraint: area_mm2 <= MM2");
  cmd->add_option("--power-max", a.space.power_max_w, "Constraint: power_w <= W");
  cmd->add_option("--constraint", a.space.constraints, "Extra constraint expression, e.g. 'pes <= 4096' (repeatable)");
  cmd->add_option("--threads", a.threads, "Worker threads (default: all cores)");
  add_network_options(cmd, a.network, true);
  cmd->add_option("--format", a.format, "table|csv|json (default table)");
  cmd->add_option("--out", a.out, "Write the output to FILE instead of the terminal");
  cmd->add_option("--html", a.html, "Also write the HTML report to FILE");
}

void check_format(const std::string& format) {
  if (format != "table" && format != "csv" && format != "json") {
    throw InputError("<command line>", "--format", "expected table, csv or json, got '" + format + "'");
  }
}

std::vector<std::string> split_list(const std::string& text, char sep = ',') {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, sep)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// One --models entry, NAME[@key=value...]: a built-in name, an LLM phase or an existing
// file; anything else is named as unknown up front. `defaults` are the command's own
// --batch / --input-shape / --prompt-len / --context-len.
dse::NetworkPtr load_model(const std::string& entry, const std::string& place, const NetworkOptions& defaults) {
  ModelSpec spec = parse_model_spec(entry, defaults, place);
  if (!workload::is_builtin(spec.name) && !workload::is_llm_name(spec.name) &&
      !std::filesystem::is_regular_file(spec.name)) {
    throw InputError("<command line>", place,
                     "unknown model '" + spec.name + "'; expected a built-in name (see 'acceldse models') or a network file");
  }
  return std::make_shared<const workload::Network>(load_model_spec(spec, entry));
}

dse::DesignSpace build_space(const SpaceArgs& a, const std::string& default_objective) {
  check_format(a.format);
  return dse::build_space(a.space, default_objective);
}

// Writes to --out when given, else to the terminal.
class Sink {
 public:
  explicit Sink(const std::string& path) : path_(path) {}
  std::ostream& stream() { return path_.empty() ? std::cout : buffer_; }
  void close() {
    if (path_.empty()) return;
    std::ofstream file(path_);
    if (!file || !(file << buffer_.str()) || !file.flush()) {
      throw InputError(path_, "", "cannot write the output file");
    }
    std::cerr << "wrote " << path_ << "\n";
  }

 private:
  std::string path_;
  std::ostringstream buffer_;
};

// Progress goes to a terminal only, so logs and pipes stay clean. Under mpirun stderr is
// a pipe to mpirun whatever the user's terminal, so rank 0 (the only rank that reports)
// always draws it.
bool draw_progress() { return ::isatty(STDERR_FILENO) || mpi::ranks() > 1; }

// A one-line progress bar on stderr.
std::function<void(const dse::Progress&)> progress_bar(const std::string& what) {
  if (!draw_progress()) return {};
  auto last = std::make_shared<double>(-1);
  return [what, last](const dse::Progress& p) {
    if (p.elapsed_s - *last < 0.2 && p.evaluated < p.planned) return;
    *last = p.elapsed_s;
    double fraction = p.planned > 0 ? std::min(1.0, static_cast<double>(p.evaluated) / static_cast<double>(p.planned)) : 0;
    std::cerr << fmt::format("\r\033[K{}: {:3.0f}% ({}/{}) {:.0f}s", what, fraction * 100, p.evaluated, p.planned, p.elapsed_s)
              << (p.evaluated >= p.planned ? "\r\033[K" : "") << std::flush;
  };
}

void clear_progress() {
  if (draw_progress()) std::cerr << "\r\033[K" << std::flush;
}

// Under mpirun every rank builds the same space and networks from the same command line;
// the other ranks compute the study's evaluations (task by task) for rank 0, which runs
// the study itself.
mpi::MetricsFor study_metrics_for(const std::vector<dse::NetworkPtr>& networks,
                                  std::shared_ptr<cost::CostCache> cache) {
  return [networks, cache](const std::string& task) {
    return dse::study_task_metrics(networks, dse::StudyTask::from_key(task), cache);
  };
}

dse::StudyRemoteFn study_remote(mpi::Team& team) {
  if (mpi::ranks() <= 1) return {};  // one process: exactly as without MPI
  return [&team](const dse::StudyTask& task) { return team.remote(task.key()); };
}

// The run's rank count in JSON, only under mpirun (as explore's).
void add_mpi_ranks(Json& run) {
  if (mpi::ranks() > 1) run["mpi_ranks"] = mpi::ranks();
}

Json params_json(const dse::DesignSpace& space, const dse::Design& design) {
  Json out = Json::object();
  for (size_t i = 0; i < space.parameters().size(); ++i) out[space.parameters()[i].name] = report::json_value(space.value(design, i));
  return out;
}

std::string params_text(const dse::DesignSpace& space, const dse::Design& design) {
  std::string out;
  for (size_t i = 0; i < space.parameters().size(); ++i) {
    out += (out.empty() ? "" : " ") + space.parameters()[i].name + "=" + space.value(design, i);
  }
  return out;
}

Json finite_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

// ---- suite ----------------------------------------------------------------------------------

struct SuiteArgs : SpaceArgs {
  std::string models, weights, technology, strategy = "auto", save_design;
  uint64_t budget = 0, seed = 1;
  std::optional<double> uncertainty_pct;
  int samples = 10;
};

struct SuiteRun {
  const dse::DesignSpace& space;
  const dse::SuiteResult& result;
  const SuiteArgs& args;
  int threads;
  const dse::SuiteUncertainty* uncertainty = nullptr;  // with --uncertainty
};

// The node every design is evaluated at, or empty when the space searches over it.
std::string fixed_technology(const dse::DesignSpace& space) {
  for (const dse::Parameter& p : space.parameters()) {
    if (p.name == "technology") return "";
  }
  return space.base().technology_name;
}

// A cross-matrix row's weighted geomean, or `none` when the design cannot run every
// network within the constraints.
std::string row_geomean(const dse::SuiteDesign& d, const dse::SuiteResult& r, const char* format, const char* none) {
  for (double v : d.relative) {
    if (std::isnan(v)) return none;
  }
  return fmt::format(fmt::runtime(format), dse::geometric_mean(d.relative, r.weights));
}

Json spread_json(const dse::Spread& s) {
  return Json{{"min", finite_or_null(s.min)}, {"median", finite_or_null(s.median)}, {"max", finite_or_null(s.max)}};
}

Json uncertainty_json(const dse::SuiteUncertainty& u, const dse::SuiteResult& r) {
  Json optimum = Json::object(), improvement = Json::object();
  for (size_t n = 0; n < r.networks.size(); ++n) {
    optimum[r.networks[n]] = u.optimum_same[n];
    improvement[r.networks[n]] = spread_json(u.improvement_pct[n]);
  }
  return Json{{"pct", u.options.pct}, {"samples", u.options.samples}, {"seed", u.options.seed},
              {"optimum_same", optimum}, {"selected_same", u.selected_same},
              {"improvement_pct", improvement}, {"geomean", spread_json(u.geomean_relative)},
              {"samples_without_answer", u.samples_without_answer}, {"elapsed_s", u.elapsed_s}};
}

Json constraint_report_json(const dse::SuiteResult& r) {
  Json out = Json::array();
  for (const dse::ConstraintBinding& c : r.constraints) {
    out.push_back(Json{{"constraint", c.text}, {"pairs_removed", c.pairs_removed}, {"designs_removed", c.designs_removed},
                       {"binds", c.binds}, {"verdict", c.verdict()}});
  }
  return out;
}

Json suite_json(const SuiteRun& run) {
  const dse::SuiteResult& r = run.result;
  Json designs = Json::object(), cross = Json::object(), improvement = Json::object(), best = Json::object();
  for (const dse::SuiteDesign& d : r.designs) {
    Json metrics = Json::object();
    for (size_t n = 0; n < r.networks.size(); ++n) {
      metrics[r.networks[n]] = Json{{"latency_s", d.metrics[n].latency_s}, {"throughput_per_s", d.metrics[n].throughput_per_s},
                                    {"utilization", d.metrics[n].utilization}, {"energy_pj", d.metrics[n].energy_pj},
                                    {"power_w", d.metrics[n].power_w}, {"perf_per_area", d.metrics[n].perf_per_area}};
    }
    designs[d.label] = Json{{"params", params_json(run.space, d.design)}, {"area_mm2", d.metrics.front().area_mm2},
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
           {"search", {{"strategy", r.strategy}, {"proven", r.proven}, {"evaluations", r.evaluations},
                       {"designs_evaluated", r.designs_evaluated}, {"exhaustive_limit_pairs", dse::kExhaustivePairs},
                       {"seed", r.strategy == "grid" ? Json(nullptr) : Json(run.args.seed)},
                       {"budget", r.strategy == "grid" ? Json(nullptr) : Json(r.search_budget)}}},
           {"constraint_report", constraint_report_json(r)},
           {"run", {{"threads", run.threads}, {"elapsed_s", r.elapsed_s}, {"evaluations", r.evaluations},
                    {"feasible_for_all", r.feasible_for_all},
                    {"cost_cache", {{"entries", r.cache_entries}, {"hits", r.cache_hits}, {"misses", r.cache_misses}}}}}};
  add_mpi_ranks(out["run"]);
  if (run.uncertainty) out["uncertainty"] = uncertainty_json(*run.uncertainty, r);
  return out;
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
    return fmt::format("search: exhaustive grid (space x networks <= {} pairs), every design evaluated: each optimum is proven",
                       dse::kExhaustivePairs);
  }
  return fmt::format("search: genetic (NSGA-II per network, {} designs each, seed {}) plus a local search of the suite "
                     "design, over {} distinct designs of {}: each optimum is the best found, not proven",
                     r.search_budget, run.args.seed, r.designs_evaluated, r.space_size);
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
  report::TextTable{.header = {"constraint", "designs removed", "network x design pairs removed", "verdict"}, .rows = rows,
                    .indent = "  ", .rule = false}
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
  os << fmt::format("\n(e) Under technology uncertainty: every technology constant scaled within +-{}%, {} samples (seed {}), "
                    "{:.1f} s\n",
                    u.options.pct, u.options.samples, u.options.seed, u.elapsed_s);
  std::vector<std::vector<std::string>> rows;
  for (size_t n = 0; n < r.networks.size(); ++n) {
    rows.push_back({r.networks[n], fmt::format("{:.0f}%", u.optimum_same[n] * 100), fmt::format("{:+.1f}%", r.improvement_pct[n]),
                    spread_text(u.improvement_pct[n], "{:+.1f}%")});
  }
  report::TextTable{.header = {"network", "same optimum", "improvement (nominal)", "improvement min / median / max"},
                    .rows = rows, .indent = "  ", .rule = false}
      .print(os);
  os << fmt::format("  the selected design stays the nominal one in {:.0f}% of the samples; its geomean of relative "
                    "performance {}\n",
                    u.selected_same * 100, spread_text(u.geomean_relative, "{:.3f}") + " (min / median / max)");
  if (u.samples_without_answer > 0) {
    os << fmt::format("  {} of the samples had no design feasible for every network (counted as changed)\n",
                      u.samples_without_answer);
  }
}

void print_suite_table(std::ostream& os, const SuiteRun& run) {
  const dse::SuiteResult& r = run.result;
  std::string technology = fixed_technology(run.space);
  os << fmt::format("Suite of {} networks on space '{}' ({} designs){}, objective {}", r.networks.size(), run.space.name(),
                    r.space_size, technology.empty() ? " over technologies" : " at " + technology, r.objective);
  for (const dse::Constraint& c : run.space.constraints()) os << ", " << c.text;
  os << "\n" << search_text(run) << "\n";
  os << fmt::format("evaluated {} network x design pairs in {:.1f} s on {} threads; {} designs feasible for every network\n\n",
                    r.evaluations, r.elapsed_s, run.threads, r.feasible_for_all);
  print_cross_matrix(os, r);
  os << "\n(b) Geometric-mean improvement of the selected design over each network's optimum, across the suite\n";
  std::vector<std::vector<std::string>> rows;
  for (size_t n = 0; n < r.networks.size(); ++n) {
    rows.push_back({r.networks[n], r.proven ? "proven" : "found", fmt::format("{:+.1f}%", r.improvement_pct[n]),
                    params_text(run.space, r.designs[n].design)});
  }
  report::TextTable{.header = {"optimum of", "optimum", "improvement", "its design"}, .rows = rows, .indent = "  ", .rule = false}
      .print(os);
  const dse::SuiteDesign& s = r.selected();
  os << "\n(c) Selected design: " << params_text(run.space, s.design) << "\n";
  os << fmt::format("    area {:.4g} mm2; weighted geomean of relative performance {:.3f}\n", s.metrics.front().area_mm2,
                    r.geomean_relative);
  print_constraint_report(os, run);
  if (run.uncertainty) print_uncertainty(os, run);
}

dse::DesignSpace suite_space(const SuiteArgs& args) {
  SuiteArgs a = args;
  if (a.space.space.empty()) a.space.space = "suite";  // the paper's study: the suite space, not explore's default
  dse::DesignSpace space = build_space(a, "perf_per_area");
  if (!args.technology.empty()) space = dse::with_technology(space, args.technology);
  return space;
}

void run_suite_command(const SuiteArgs& args) {
  dse::DesignSpace space = suite_space(args);
  std::vector<std::string> names = args.models.empty() ? workload::paper_suite_names() : split_list(args.models);
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
  clear_progress();
  int threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  SuiteRun run{space, result, args, threads, spread ? &*spread : nullptr};
  Sink sink(args.out);
  if (args.format == "json") sink.stream() << suite_json(run).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  else if (args.format == "csv") print_suite_csv(sink.stream(), run);
  else print_suite_table(sink.stream(), run);
  sink.close();
  if (!args.html.empty()) report::write_html(args.html, report::suite_html(nlohmann::json::parse(suite_json(run).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))));
  if (!args.save_design.empty()) {
    save_design(args.save_design, space.accelerator(result.selected().design), "suite-best-" + space.name(),
                "the selected design of `acceldse suite` (objective " + result.objective + ") on space '" + space.name() + "'");
  }
}

void add_suite_command(CLI::App& app) {
  auto args = std::make_shared<SuiteArgs>();
  CLI::App* cmd = app.add_subcommand("suite", "Design for a suite: each network's optimum, the best geomean design, the cross matrix");
  cmd->add_option("--models", args->models, "Comma-separated built-in names or files (default: the paper suite)");
  add_space_options(cmd, *args, "suite");
  cmd->add_option("--objective", args->space.objective,
                  "Performance to maximise: perf_per_area (default: throughput per mm2), throughput, latency, energy, edp, "
                  "'max EXPR'/'min EXPR'");
  cmd->add_option("--technology", args->technology,
                  "Technology node of every design (e.g. 16nm); default: the space's own (spaces/suite.yaml: its base's)");
  cmd->add_option("--weights", args->weights, "Comma-separated weights of the geometric mean, one per network");
  cmd->add_option("--strategy", args->strategy,
                  fmt::format("auto (default: grid up to {} network x design pairs, else genetic), grid or genetic",
                              dse::kExhaustivePairs));
  cmd->add_option("--budget", args->budget, "genetic: designs each search may evaluate (default 10% of the space, 1000-5000)");
  cmd->add_option("--seed", args->seed, "Seed of the genetic search and of the --uncertainty samples (default 1)");
  cmd->add_option("--uncertainty", args->uncertainty_pct,
                  "Re-run the study with every technology constant scaled within +-PCT percent and report the spread");
  cmd->add_option("--samples", args->samples, "With --uncertainty: perturbed re-runs (default 10)");
  cmd->add_option("--save-design", args->save_design,
                  "Write the selected design as an accelerator YAML (named suite-best-SPACE) to FILE");
  cmd->callback([args] { run_suite_command(*args); });
}

// ---- corun ----------------------------------------------------------------------------------

struct CorunArgs : SpaceArgs {
  std::string models, mode = "both", save_design;
  int partition_units = 8;
};

struct CorunInput {
  std::vector<dse::NetworkPtr> networks;
  std::vector<dse::Demand> demands;
  std::vector<std::string> targets;  // as typed
};

// True for what follows a ':' in a corun entry that is not a target: an LLM phase or
// per-network options.
bool is_name_part(const std::string& tail) {
  return tail.find('@') != std::string::npos || tail.starts_with("prefill") || tail.starts_with("decode");
}

// "name:TARGET,..." (a missing TARGET is weight 1); the last ':' separates, so paths
// with a drive or a colon elsewhere still work.
CorunInput parse_corun_models(const std::string& text, const CorunArgs& args) {
  if (text.empty()) throw InputError("<command line>", "--models", "expected NAME:TARGET,... (e.g. resnet50:2,bert_base:30/s)");
  CorunInput in;
  for (const std::string& item : split_list(text)) {
    size_t colon = item.rfind(':');
    // "llama_7b:decode" and "NAME@batch=2" carry no target: the ':' is part of the name.
    if (colon != std::string::npos && is_name_part(item.substr(colon + 1))) colon = std::string::npos;
    std::string name = colon == std::string::npos ? item : item.substr(0, colon);
    std::string target = colon == std::string::npos ? "1" : item.substr(colon + 1);
    in.networks.push_back(load_model(name, "--models", args.network));
    in.demands.push_back(dse::parse_demand(target, "--models '" + item + "'"));
    in.targets.push_back(target);
  }
  return in;
}

Json share_json(const dse::Share& s) {
  return Json{{"pes", s.pes}, {"rows", s.rows}, {"cols", s.cols}, {"arrays", s.arrays}, {"buffer_kib", s.buffer_kib},
              {"dram_gb_per_s", s.dram_gb_per_s}, {"vector_lanes", s.vector_lanes}, {"time", s.time}};
}

Json plan_networks_json(const dse::CorunPlan& plan, const std::vector<std::string>& targets) {
  Json out = Json::array();
  for (size_t i = 0; i < plan.networks.size(); ++i) {
    const dse::CorunNetwork& n = plan.networks[i];
    Json entry{{"name", n.name}, {"target", targets[i]}};
    if (n.demand.is_target()) entry["target_per_s"] = n.demand.target_per_s;
    else entry["weight"] = n.demand.weight;
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
  return Json{{"mode", dse::to_string(plan.mode)}, {"design", {{"params", params_json(space, plan.design)}, {"area_mm2", plan.area_mm2}}},
              {"mix_rate_per_s", plan.mix_rate_per_s}, {"headroom", plan.headroom}, {"power_w", plan.aggregate.power_w},
              {"throughput_per_s", throughput}};
}

Json corun_json(const dse::DesignSpace& space, const dse::CorunResult& r, const CorunInput& in, const CorunArgs& args) {
  Json alternatives = Json::array();
  for (const auto* plan : {&r.best_spatial, &r.best_time}) {
    if (*plan) alternatives.push_back(plan_summary_json(space, **plan));
  }
  Json out{{"mode", dse::to_string(r.best.mode)},
           {"requested_mode", args.mode},
           {"design", {{"params", params_json(space, r.best.design)}, {"area_mm2", r.best.area_mm2}}},
           {"mix_rate_per_s", r.best.mix_rate_per_s},
           {"headroom", r.best.headroom},
           {"power_w", r.best.aggregate.power_w},
           {"networks", plan_networks_json(r.best, in.targets)},
           {"alternatives", alternatives},
           {"space", {{"name", space.name()}, {"file", space.file()}, {"size", r.space_size}}},
           {"run", {{"elapsed_s", r.elapsed_s}, {"evaluations", r.evaluations}}}};
  add_mpi_ranks(out["run"]);
  return out;
}

std::vector<std::string> share_cells(const dse::CorunNetwork& n, const std::string& target) {
  return {n.name, target, fmt::format("{:.4g}", n.throughput_per_s), fmt::format("{:.4g}", n.latency_s * 1e3),
          fmt::format("{}x{}x{}", n.share.rows, n.share.cols, n.share.arrays), fmt::format("{:.0f}", n.share.buffer_kib),
          fmt::format("{:.3g}", n.share.dram_gb_per_s), fmt::format("{:.1f}%", n.share.time * 100),
          n.meets_target() ? "yes" : "NO"};
}

void print_plan(std::ostream& os, const dse::DesignSpace& space, const dse::CorunPlan& plan, const CorunInput& in) {
  os << fmt::format("{} mode on {} (area {:.4g} mm2)", dse::to_string(plan.mode), params_text(space, plan.design), plan.area_mm2);
  if (plan.mix_rate_per_s > 0) os << fmt::format(", weighted mix {:.4g} rounds/s", plan.mix_rate_per_s);
  if (plan.headroom > 0) os << fmt::format(", targets exceeded x{:.3g}", plan.headroom);
  os << "\n";
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < plan.networks.size(); ++i) rows.push_back(share_cells(plan.networks[i], in.targets[i]));
  report::TextTable{.header = {"network", "target", "inf/s", "latency_ms", "array", "buffer_kib", "dram_gb/s", "time", "meets"}, .rows = rows, .indent = "  ", .rule = false}.print(os);
}

void print_corun_table(std::ostream& os, const dse::DesignSpace& space, const dse::CorunResult& r, const CorunInput& in) {
  os << fmt::format("Co-running {} networks on space '{}' ({} designs): {} network evaluations in {:.1f} s\n\n",
                    in.networks.size(), space.name(), r.space_size, r.evaluations, r.elapsed_s);
  os << "Chosen: ";
  print_plan(os, space, r.best, in);
  for (const auto* plan : {&r.best_spatial, &r.best_time}) {
    if (!*plan || (*plan)->mode == r.best.mode) continue;
    os << "\nAlternative: ";
    print_plan(os, space, **plan, in);
  }
}

void print_corun_csv(std::ostream& os, const dse::DesignSpace& space, const dse::CorunResult& r, const CorunInput& in) {
  os << "mode,chosen,network,target,throughput_per_s,latency_s,pes,buffer_kib,dram_gb_per_s,time,meets_target,area_mm2,design\n";
  for (const auto* plan : {&r.best_spatial, &r.best_time}) {
    if (!*plan) continue;
    for (size_t i = 0; i < (*plan)->networks.size(); ++i) {
      const dse::CorunNetwork& n = (*plan)->networks[i];
      os << join({dse::to_string((*plan)->mode), (*plan)->mode == r.best.mode ? "true" : "false", csv_field(n.name),
                  csv_field(in.targets[i]), fmt::format("{:.17g}", n.throughput_per_s), fmt::format("{:.17g}", n.latency_s),
                  std::to_string(n.share.pes), fmt::format("{:.17g}", n.share.buffer_kib),
                  fmt::format("{:.17g}", n.share.dram_gb_per_s), fmt::format("{:.17g}", n.share.time),
                  n.meets_target() ? "true" : "false", fmt::format("{:.17g}", (*plan)->area_mm2),
                  csv_field(params_text(space, (*plan)->design))})
         << "\n";
    }
  }
}

void run_corun_command(const CorunArgs& args) {
  dse::DesignSpace space = build_space(args, "");
  dse::CorunOptions options;
  options.mode = dse::parse_corun_mode(args.mode);
  options.threads = args.threads;
  if (args.partition_units < 2) throw InputError("<command line>", "--partition-units", "expected at least 2");
  options.partition_units = args.partition_units;
  CorunInput in = parse_corun_models(args.models, args);
  mpi::Team team(space, study_metrics_for(in.networks, std::make_shared<cost::CostCache>()), args.threads);
  if (!team.leader()) {
    team.serve();
    return;
  }
  options.remote = study_remote(team);
  options.on_progress = progress_bar("corun");
  dse::CorunResult result = dse::run_corun(space, in.networks, in.demands, options);
  clear_progress();
  Sink sink(args.out);
  if (args.format == "json") sink.stream() << corun_json(space, result, in, args).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  else if (args.format == "csv") print_corun_csv(sink.stream(), space, result, in);
  else print_corun_table(sink.stream(), space, result, in);
  sink.close();
  if (!args.html.empty()) {
    report::write_html(args.html, report::corun_html(nlohmann::json::parse(corun_json(space, result, in, args).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))));
  }
  if (!args.save_design.empty()) {
    save_design(args.save_design, space.accelerator(result.best.design), "corun-best-" + space.name(),
                "the chip chosen by `acceldse corun` (" + std::string(dse::to_string(result.best.mode)) + " mode) on space '" +
                    space.name() + "'");
  }
}

void add_corun_command(CLI::App& app) {
  auto args = std::make_shared<CorunArgs>();
  CLI::App* cmd = app.add_subcommand("corun", "Several networks on one chip: spatial partitioning vs time multiplexing");
  cmd->add_option("--models", args->models,
                  "NAME:TARGET,... where TARGET is a weight (\"2\") or a required throughput (\"30/s\", \"30fps\")")
      ->required();
  add_space_options(cmd, *args);
  cmd->add_option("--mode", args->mode, "spatial|time|both (default both: the better of the two)");
  cmd->add_option("--partition-units", args->partition_units,
                  "Spatial: split the array columns (or array count) into this many units (default 8)");
  cmd->add_option("--save-design", args->save_design,
                  "Write the chosen chip as an accelerator YAML (named corun-best-SPACE) to FILE");
  cmd->callback([args] { run_corun_command(*args); });
}

// ---- fit-model ------------------------------------------------------------------------------

struct FitArgs {
  std::string arch, model, models, out, format = "table", html;
  NetworkOptions network;
  double tolerance_pct = 10;
  bool suggest_array = false, exact = false;
  int64_t pes = 0;
  int threads = 0;
  size_t top = 10;
};

Json values_json(const std::vector<int64_t>& v) { return v.size() == 1 ? Json(v[0]) : Json(v); }

std::string values_text(const std::vector<int64_t>& v) {
  if (v.size() == 1) return std::to_string(v[0]);
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

double change_pct(int64_t before, int64_t after) {
  return before != 0 ? (static_cast<double>(after) - static_cast<double>(before)) / static_cast<double>(before) * 100 : 0;
}

Json layers_json(const std::vector<dse::LayerUtil>& layers) {
  Json out = Json::array();
  for (const dse::LayerUtil& l : layers) out.push_back(Json{{"name", l.layer}, {"utilization", l.utilization}, {"cycles", l.cycles}});
  return out;
}

Json fit_json(const dse::FitResult& r, const FitArgs& args, const std::string& model, const std::string& arch) {
  Json changes = Json::array();
  for (const dse::FitChange& c : r.changes) {
    changes.push_back(Json{{"layer", c.layer}, {"field", c.field}, {"old", values_json(c.old_value)},
                           {"new", values_json(c.new_value)}, {"reason", c.reason}});
  }
  return Json{{"model", model}, {"arch", arch}, {"tolerance_pct", args.tolerance_pct},
              {"speedup", r.speedup()}, {"cycles_before", r.cycles_before}, {"cycles_after", r.cycles_after},
              {"latency_before_s", r.latency_before_s}, {"latency_after_s", r.latency_after_s},
              {"macs_before", r.macs_before}, {"macs_after", r.macs_after}, {"macs_change_pct", change_pct(r.macs_before, r.macs_after)},
              {"params_before", r.params_before}, {"params_after", r.params_after},
              {"params_change_pct", change_pct(r.params_before, r.params_after)},
              {"classes", r.classes}, {"frozen_classes", r.frozen_classes}, {"changes", changes},
              {"layers_before", layers_json(r.layers_before)}, {"layers_after", layers_json(r.layers_after)},
              {"output", args.out.empty() ? Json(nullptr) : Json(args.out)}};
}

void print_fit_table(std::ostream& os, const dse::FitResult& r, const FitArgs& args, const std::string& model,
                     const std::string& arch) {
  os << fmt::format("Fitting {} to {} (tolerance {}%): {} width classes, {} fixed by the graph\n\n", model, arch,
                    args.tolerance_pct, r.classes, r.frozen_classes);
  std::vector<std::vector<std::string>> rows;
  for (const dse::FitChange& c : r.changes) rows.push_back({c.layer, c.field, values_text(c.old_value), values_text(c.new_value), c.reason});
  if (rows.empty()) os << "No change within the tolerance makes the network faster on this design.\n";
  else report::TextTable{.header = {"layer", "field", "old", "new", "why"}, .rows = rows, .indent = "  ", .rule = false}.print(os);
  os << fmt::format("\npredicted speed-up {:.4f}x: {} -> {} cycles ({:.6g} -> {:.6g} ms)\n", r.speedup(), r.cycles_before,
                    r.cycles_after, r.latency_before_s * 1e3, r.latency_after_s * 1e3);
  os << fmt::format("MACs {} -> {} ({:+.2f}%), parameters {} -> {} ({:+.2f}%)\n", r.macs_before, r.macs_after,
                    change_pct(r.macs_before, r.macs_after), r.params_before, r.params_after,
                    change_pct(r.params_before, r.params_after));
}

void print_fit_csv(std::ostream& os, const dse::FitResult& r) {
  os << "layer,field,old,new,reason\n";
  for (const dse::FitChange& c : r.changes) {
    os << join({csv_field(c.layer), c.field, csv_field(values_text(c.old_value)), csv_field(values_text(c.new_value)), csv_field(c.reason)})
       << "\n";
  }
}

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

// The network was read from ONNX: a file named .onnx (built-in models are YAML).
bool is_onnx_file(const std::string& model) {
  std::error_code ec;
  return std::filesystem::is_regular_file(model, ec) && lower_extension(model) == ".onnx";
}

// --out is YAML, or ONNX when the input was ONNX (the input file with resized weights).
void check_fit_out(const FitArgs& args) {
  std::string ext = lower_extension(args.out);
  if (ext == ".onnx") {
    if (!is_onnx_file(args.model)) {
      throw InputError("<command line>", "--out",
                       "ONNX output is written only for an ONNX input (it is that file with resized weights); '" +
                           args.model + "' is not an .onnx file, so write the fitted network as .yaml");
    }
    return;
  }
  if (ext != ".yaml" && ext != ".yml") {
    throw InputError("<command line>", "--out", "expected a .yaml file (or .onnx for an ONNX input), got '" + args.out + "'");
  }
}

void write_fitted(const dse::FitResult& r, const FitArgs& args) {
  if (lower_extension(args.out) == ".onnx") {
    workload::save_resized_onnx(args.model, r.fitted, args.out, load_options(args.network));
    return;
  }
  std::ofstream file(args.out);
  if (!file || !(file << workload::to_yaml(r.fitted)) || !file.flush()) {
    throw InputError(args.out, "", "cannot write the fitted network");
  }
}

void run_fit(const FitArgs& args) {
  if (args.arch.empty()) throw InputError("<command line>", "--arch", "fitting a model needs the design (--arch NAME|FILE)");
  if (args.model.empty()) throw InputError("<command line>", "--model", "expected the network to fit (--model NAME|FILE)");
  if (!(args.tolerance_pct >= 0 && args.tolerance_pct <= 100)) {
    throw InputError("<command line>", "--tolerance", fmt::format("expected a percentage between 0 and 100, got {}", args.tolerance_pct));
  }
  arch::Accelerator accel = arch::load_accelerator(args.arch);
  dse::NetworkPtr net = load_model(args.model, "--model", args.network);
  if (!args.out.empty()) check_fit_out(args);  // fail on a bad path before the search, not after
  dse::FitResult r = dse::fit_network(*net, accel, dse::FitOptions{args.tolerance_pct});
  r.fitted.name = net->name + "_fit";
  r.fitted.description = (net->description.empty() ? net->name : net->description) + "; widths fitted to " +
                         (accel.name.empty() ? args.arch : accel.name) + " by acceldse fit-model";
  if (!args.out.empty()) write_fitted(r, args);
  std::string arch_name = accel.name.empty() ? args.arch : accel.name;
  if (args.format == "json") std::cout << fit_json(r, args, net->name, arch_name).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  else if (args.format == "csv") print_fit_csv(std::cout, r);
  else print_fit_table(std::cout, r, args, net->name, arch_name);
  if (!args.html.empty()) {
    report::write_html(args.html, report::fit_html(nlohmann::json::parse(fit_json(r, args, net->name, arch_name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))));
  }
}

Json array_json(const std::vector<dse::ArrayCandidate>& found, const std::vector<std::string>& names, const FitArgs& args) {
  Json out = Json::array();
  for (size_t i = 0; i < found.size() && i < args.top; ++i) {
    const dse::ArrayCandidate& c = found[i];
    Json latency = Json::object(), util = Json::object();
    for (size_t n = 0; n < names.size(); ++n) {
      latency[names[n]] = c.latency_s[n];
      util[names[n]] = c.utilization[n];
    }
    out.push_back(Json{{"rows", c.rows}, {"cols", c.cols}, {"pes", c.rows * c.cols}, {"geomean_latency_s", c.geomean_latency_s},
                       {"geomean_utilization", c.geomean_utilization}, {"latency_s", latency}, {"utilization", util}});
  }
  return out;
}

void run_suggest_array(const FitArgs& args) {
  std::vector<std::string> names = args.models.empty() ? std::vector<std::string>{} : split_list(args.models);
  if (names.empty() && !args.model.empty()) names.push_back(args.model);
  if (names.empty()) throw InputError("<command line>", "--models", "expected the networks to fit an array to");
  std::vector<dse::NetworkPtr> networks;
  for (const std::string& name : names) networks.push_back(load_model(name, "--models", args.network));
  arch::Accelerator base = args.arch.empty() ? dse::DesignSpace::builtin_default().base() : arch::load_accelerator(args.arch);
  int64_t pes = args.pes > 0 ? args.pes : base.tensor.rows * base.tensor.cols;
  std::vector<dse::ArrayCandidate> found = dse::suggest_array(networks, base, pes, args.exact, args.threads);
  std::vector<std::string> net_names;
  for (const dse::NetworkPtr& n : networks) net_names.push_back(n->name);
  if (args.format == "json") {
    std::cout << Json{{"pes", pes}, {"exact", args.exact}, {"networks", net_names}, {"candidates", array_json(found, net_names, args)}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return;
  }
  std::vector<std::string> header{"rows", "cols", "pes", "geomean_latency_ms", "geomean_util"};
  for (const std::string& n : net_names) header.push_back(n + "_ms");
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < found.size() && i < args.top; ++i) {
    const dse::ArrayCandidate& c = found[i];
    std::vector<std::string> row{std::to_string(c.rows), std::to_string(c.cols), std::to_string(c.rows * c.cols),
                                 fmt::format("{:.6g}", c.geomean_latency_s * 1e3), fmt::format("{:.3f}", c.geomean_utilization)};
    for (double l : c.latency_s) row.push_back(fmt::format("{:.6g}", l * 1e3));
    rows.push_back(std::move(row));
  }
  if (args.format == "csv") {
    std::cout << join(header) << "\n";
    for (const auto& row : rows) std::cout << join(row) << "\n";
    return;
  }
  std::cout << fmt::format("Array shapes of {} {} PEs for {} networks, best geomean latency first ({} candidates, top {})\n",
                           args.exact ? "exactly" : "at most", pes, networks.size(), found.size(), std::min(args.top, found.size()));
  report::TextTable{.header = header, .rows = rows, .indent = "  ", .rule = false}.print(std::cout);
}

void add_fit_command(CLI::App& app) {
  auto args = std::make_shared<FitArgs>();
  CLI::App* cmd = app.add_subcommand("fit-model", "Propose layer widths that fit a design (or an array shape that fits networks)");
  cmd->add_option("--arch", args->arch, "The design to fit to (built-in name or file); with --suggest-array, the base");
  cmd->add_option("--model", args->model, "The network to fit (built-in name or file)");
  cmd->add_option("--tolerance", args->tolerance_pct, "Largest change of a width and of the parameter count, percent (default 10)");
  cmd->add_option("--out", args->out, "Write the fitted network as YAML (.yaml), or as ONNX (.onnx) when --model is an ONNX file");
  cmd->add_option("--format", args->format, "table|csv|json (default table)");
  cmd->add_option("--html", args->html, "Also write the HTML report (fit_html) to FILE; not with --suggest-array");
  cmd->add_flag("--suggest-array", args->suggest_array, "Suggest the rows x cols that best fit --models as they are");
  cmd->add_option("--models", args->models, "With --suggest-array: comma-separated networks");
  cmd->add_option("--pes", args->pes, "With --suggest-array: PE budget (default: the base design's rows x cols)");
  cmd->add_flag("--exact", args->exact, "With --suggest-array: only shapes with exactly --pes PEs");
  cmd->add_option("--top", args->top, "With --suggest-array: shapes to list (default 10)");
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)");
  add_network_options(cmd, args->network, true);
  cmd->callback([args] {
    check_format(args->format);
    if (args->suggest_array && !args->html.empty()) {
      throw InputError("<command line>", "--html", "no HTML report for --suggest-array");
    }
    if (args->suggest_array) run_suggest_array(*args);
    else run_fit(*args);
  });
}

}  // namespace

void add_study_commands(CLI::App& app) {
  add_suite_command(app);
  add_corun_command(app);
  add_fit_command(app);
}

}  // namespace acceldse::cli
