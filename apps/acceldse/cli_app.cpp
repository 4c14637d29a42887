#include "cli_app.h"

#include <algorithm>
#include <iostream>
#include <map>

#include "commands.h"
#include "common/error.h"

namespace acceldse::cli {

namespace {

void add_all_commands(CLI::App& app) {
  app.require_subcommand(1);
  app.set_version_flag("--version", "acceldse 0.1.0");
  add_model_commands(app);
  add_evaluate_command(app);
  add_simulate_commands(app);
  add_explore_commands(app);
  add_suite_commands(app);
  add_corun_commands(app);
  add_fit_commands(app);
  add_report_command(app);
  add_calibrate_command(app);
}

bool is_command(const CLI::App& app, const std::string& word) {
  auto all = app.get_subcommands([](const CLI::App*) { return true; });
  return std::any_of(all.begin(), all.end(), [&](const CLI::App* sub) { return sub->check_name(word); });
}

// The library names a bad option value by the option's own name (a field of
// dse::SpaceOptions, the study options, ...); the user typed a flag.
const std::map<std::string, std::string>& flag_of_library_option() {
  static const std::map<std::string, std::string> flags{{"area_max_mm2", "--area-max"},
                                                        {"power_max_w", "--power-max"},
                                                        {"pes_max", "--pes-max"},
                                                        {"constraints", "--constraint"},
                                                        {"objective", "--objective"},
                                                        {"budget", "--budget"},
                                                        {"strategy", "--strategy"},
                                                        {"threads", "--threads"},
                                                        {"networks", "--models"},
                                                        {"weights", "--weights"},
                                                        {"mode", "--mode"},
                                                        {"tolerance", "--tolerance"},
                                                        {"pes", "--pes"},
                                                        {"uncertainty_pct", "--uncertainty"},
                                                        {"samples", "--samples"}};
  return flags;
}

// `e` with the library's option name replaced by the flag that set it. (A place in a
// file always carries more than a bare option name, e.g. "constraints[0] (line 4)".)
InputError with_flag(const InputError& e) {
  const auto flag = flag_of_library_option().find(e.place());
  return flag == flag_of_library_option().end() ? e : InputError(e.file(), flag->second, e.detail());
}

void parse_and_run(CLI::App& app, const std::vector<std::string>& args) {
  try {
    app.parse(std::vector<std::string>(args.rbegin(), args.rend()));  // CLI11 pops from the back
  } catch (const InputError& e) {
    throw with_flag(e);
  }
}

}  // namespace

void run_command_line(const std::vector<std::string>& args) {
  CLI::App app{"acceldse: design DNN accelerators from the networks they must run", "acceldse"};
  add_all_commands(app);
  try {
    parse_and_run(app, args);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (!args.empty() && !args[0].empty() && args[0][0] != '-' && !is_command(app, args[0])) {
      throw UsageError("unknown command '" + args[0] + "'");
    }
    throw UsageError(e.what());
  }
}

}  // namespace acceldse::cli
