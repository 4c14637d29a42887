#pragma once
// What the commands that search a design space share (explore, and the studies suite,
// corun and fit-model): the design-space options, lists of networks, where the output
// goes, progress, and spreading a study over the ranks of an mpirun job.
#include <CLI/CLI.hpp>

#include <functional>
#include <iostream>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "dse/dse.h"
#include "dse/study.h"
#include "mpi_team.h"
#include "network_options.h"

namespace acceldse::cli {

struct SpaceArgs {
  dse::SpaceOptions space;
  NetworkOptions network;  // for every network of --models unless its entry says otherwise
  int threads = 0;
  std::string format = "table", out, html;
};

// --space, --arch, --area-max, --power-max, --pes-max and --constraint.
void add_design_space_options(CLI::App* cmd, dse::SpaceOptions& space, const std::string& default_space = "default");
// The design-space options, --threads, the network options, --format, --out and --html.
void add_space_options(CLI::App* cmd, SpaceArgs& a, const std::string& default_space = "default");

// `text` split at commas, each item trimmed of spaces; an empty item is an input error
// naming `option`.
std::vector<std::string> split_list(const std::string& text, const std::string& option);

// One --models entry, NAME[@key=value...]: a built-in name, an LLM phase or an existing
// file; anything else is named as unknown up front. `defaults` are the command's own
// --batch / --input-shape / --prompt-len / --context-len.
dse::NetworkPtr load_model(const std::string& entry, const std::string& place, const NetworkOptions& defaults);

// Writes to --out when given, else to the terminal.
class Sink {
 public:
  explicit Sink(const std::string& path) : path_(path) {}
  std::ostream& stream() { return path_.empty() ? std::cout : buffer_; }
  void close();  // writes the file (if any); InputError if it cannot

 private:
  std::string path_;
  std::ostringstream buffer_;
};

// A progress bar on stderr as a study's on_progress; reset the function to erase it.
std::function<void(const dse::Progress&)> progress_bar(const std::string& what);

// Under mpirun every rank builds the same space and networks from the same command line;
// the other ranks compute the study's evaluations (task by task) for rank 0.
mpi::MetricsFor study_metrics_for(const std::vector<dse::NetworkPtr>& networks, std::shared_ptr<cost::CostCache> cache);
dse::StudyRemoteFn study_remote(mpi::Team& team);

// "name=value name=value" of a design's parameters.
std::string params_text(const dse::DesignSpace& space, const dse::Design& design);

}  // namespace acceldse::cli
