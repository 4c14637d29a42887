#pragma once
// Each group of subcommands lives in its own cmd_*.cpp and registers itself here.
// A command's callback throws acceldse::InputError for bad input; main() turns it into
// one error line and exit code 2.
#include <CLI/CLI.hpp>

namespace acceldse::cli {

void add_model_commands(CLI::App& app);     // models, model show
void add_evaluate_command(CLI::App& app);   // evaluate
void add_simulate_commands(CLI::App& app);  // simulate, validate
void add_explore_commands(CLI::App& app);   // explore, results
void add_suite_commands(CLI::App& app);     // suite
void add_corun_commands(CLI::App& app);     // corun
void add_fit_commands(CLI::App& app);       // fit-model
void add_report_command(CLI::App& app);     // report
void add_calibrate_command(CLI::App& app);  // calibrate

}  // namespace acceldse::cli
