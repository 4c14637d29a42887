// `acceldse corun`: several networks sharing one chip (src/dse study.h, run_corun):
// spatial partitioning against time multiplexing.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "common/error.h"
#include "design_file.h"
#include "documents/documents.h"
#include "report/report.h"
#include "study_options.h"

namespace acceldse::cli {
namespace {

using report::csv_field;
using report::join;

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
  if (text.empty())
    throw InputError("<command line>", "--models", "expected NAME:TARGET,... (e.g. resnet50:2,bert_base:30/s)");
  CorunInput in;
  for (const std::string& item : split_list(text, "--models")) {
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

std::vector<std::string> share_cells(const dse::CorunNetwork& n, const std::string& target) {
  return {n.name,
          target,
          fmt::format("{:.4g}", n.throughput_per_s),
          fmt::format("{:.4g}", n.latency_s * 1e3),
          fmt::format("{}x{}x{}", n.share.rows, n.share.cols, n.share.arrays),
          fmt::format("{:.0f}", n.share.buffer_kib),
          fmt::format("{:.3g}", n.share.dram_gb_per_s),
          fmt::format("{:.1f}%", n.share.time * 100),
          n.meets_target() ? "yes" : "NO"};
}

void print_plan(std::ostream& os, const dse::DesignSpace& space, const dse::CorunPlan& plan, const CorunInput& in) {
  os << fmt::format("{} mode on {} (area {:.4g} mm2)", dse::to_string(plan.mode), params_text(space, plan.design),
                    plan.area_mm2);
  if (plan.mix_rate_per_s > 0) os << fmt::format(", weighted mix {:.4g} rounds/s", plan.mix_rate_per_s);
  if (plan.headroom > 0) os << fmt::format(", targets exceeded x{:.3g}", plan.headroom);
  os << "\n";
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < plan.networks.size(); ++i) rows.push_back(share_cells(plan.networks[i], in.targets[i]));
  report::TextTable{
      .header = {"network", "target", "inf/s", "latency_ms", "array", "buffer_kib", "dram_gb/s", "time", "meets"},
      .rows = rows,
      .indent = "  ",
      .rule = false}
      .print(os);
}

void print_corun_table(std::ostream& os, const dse::DesignSpace& space, const dse::CorunResult& r,
                       const CorunInput& in) {
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
  os << "mode,chosen,network,target,throughput_per_s,latency_s,pes,buffer_kib,dram_gb_per_s,time,meets_target,area_mm2,"
        "design\n";
  for (const auto* plan : {&r.best_spatial, &r.best_time}) {
    if (!*plan) continue;
    for (size_t i = 0; i < (*plan)->networks.size(); ++i) {
      const dse::CorunNetwork& n = (*plan)->networks[i];
      os << join({dse::to_string((*plan)->mode), (*plan)->mode == r.best.mode ? "true" : "false", csv_field(n.name),
                  csv_field(in.targets[i]), fmt::format("{:.17g}", n.throughput_per_s),
                  fmt::format("{:.17g}", n.latency_s), std::to_string(n.share.pes),
                  fmt::format("{:.17g}", n.share.buffer_kib), fmt::format("{:.17g}", n.share.dram_gb_per_s),
                  fmt::format("{:.17g}", n.share.time), n.meets_target() ? "true" : "false",
                  fmt::format("{:.17g}", (*plan)->area_mm2), csv_field(params_text(space, (*plan)->design))})
         << "\n";
    }
  }
}

void run_corun_command(const CorunArgs& args) {
  dse::DesignSpace space = dse::build_space(args.space);
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
  options.on_progress = nullptr;  // erases the bar
  const documents::Json doc = documents::corun(space, result, in.targets, args.mode, mpi::ranks());
  Sink sink(args.out);
  if (args.format == "json")
    sink.stream() << documents::dumped(doc) << "\n";
  else if (args.format == "csv")
    print_corun_csv(sink.stream(), space, result, in);
  else
    print_corun_table(sink.stream(), space, result, in);
  sink.close();
  if (!args.html.empty()) {
    report::write_html(args.html, report::corun_html(documents::for_report(doc)));
  }
  if (!args.save_design.empty()) {
    save_design(args.save_design, space.accelerator(result.best.design), "corun-best-" + space.name(),
                "the chip chosen by `acceldse corun` (" + std::string(dse::to_string(result.best.mode)) +
                    " mode) on space '" + space.name() + "'");
  }
}

}  // namespace

void add_corun_commands(CLI::App& app) {
  auto args = std::make_shared<CorunArgs>();
  CLI::App* cmd =
      app.add_subcommand("corun", "Several networks on one chip: spatial partitioning vs time multiplexing");
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

}  // namespace acceldse::cli
