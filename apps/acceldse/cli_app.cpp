#include "cli_app.h"

#include <algorithm>
#include <iostream>

#include "commands.h"

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

}  // namespace

void run_command_line(const std::vector<std::string>& args) {
  CLI::App app{"acceldse: design DNN accelerators from the networks they must run", "acceldse"};
  add_all_commands(app);
  // CLI11 takes the arguments reversed (it pops from the back).
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
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
