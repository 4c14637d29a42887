#include "study_options.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/error.h"
#include "output_options.h"
#include "report/report.h"
#include "workload/workload.h"

namespace acceldse::cli {

void add_design_space_options(CLI::App* cmd, dse::SpaceOptions& space, const std::string& default_space) {
  cmd->add_option("--space", space.space,
                  "Design space: name in spaces/ or YAML file (default: spaces/" + default_space + ".yaml)");
  cmd->add_option("--arch", space.arch, "Base accelerator (built-in name or file); overrides the space's base");
  cmd->add_option("--area-max", space.area_max_mm2, "Constraint: area_mm2 <= MM2");
  cmd->add_option("--power-max", space.power_max_w, "Constraint: power_w <= W");
  cmd->add_option("--pes-max", space.pes_max, "Constraint: pes <= N");
  cmd->add_option("--constraint", space.constraints, "Extra constraint expression, e.g. 'pes <= 4096' (repeatable)");
}

void add_space_options(CLI::App* cmd, SpaceArgs& a, const std::string& default_space) {
  add_design_space_options(cmd, a.space, default_space);
  cmd->add_option("--threads", a.threads, "Worker threads (default: all cores)");
  add_network_options(cmd, a.network, true);
  add_format_option(cmd, a.format);
  cmd->add_option("--out", a.out, "Write the output to FILE instead of the terminal");
  cmd->add_option("--html", a.html, "Also write the HTML report to FILE");
}

std::vector<std::string> split_list(const std::string& text, const std::string& option) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) throw InputError("<command line>", option, "empty item in list '" + text + "'");
    items.push_back(item);
    start = end + 1;
  }
  return items;
}

dse::NetworkPtr load_model(const std::string& entry, const std::string& place, const NetworkOptions& defaults) {
  ModelSpec spec = parse_model_spec(entry, defaults, place);
  if (!workload::is_builtin(spec.name) && !workload::is_llm_name(spec.name) &&
      !std::filesystem::is_regular_file(spec.name)) {
    throw InputError(
        "<command line>", place,
        "unknown model '" + spec.name + "'; expected a built-in name (see 'acceldse models') or a network file");
  }
  return std::make_shared<const workload::Network>(load_model_spec(spec, entry));
}

void Sink::close() {
  if (path_.empty()) return;
  std::ofstream file(path_);
  if (!file || !(file << buffer_.str()) || !file.flush()) {
    throw InputError(path_, "", "cannot write the output file");
  }
  std::cerr << "wrote " << path_ << "\n";
}

// Progress goes to a terminal only, so logs and pipes stay clean. Under mpirun stderr is
// a pipe to mpirun whatever the user's terminal, so rank 0 (the only rank that reports)
// always draws it. The bar is erased when the last copy of the function goes.
std::function<void(const dse::Progress&)> progress_bar(const std::string& what) {
  auto bar = std::make_shared<report::ProgressBar>(::isatty(STDERR_FILENO) || mpi::ranks() > 1, what);
  return [bar](const dse::Progress& p) { bar->update(p.evaluated, p.planned, p.elapsed_s); };
}

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

std::string params_text(const dse::DesignSpace& space, const dse::Design& design) {
  std::string out;
  for (size_t i = 0; i < space.parameters().size(); ++i) {
    out += (out.empty() ? "" : " ") + space.parameters()[i].name + "=" + space.value(design, i);
  }
  return out;
}

}  // namespace acceldse::cli
